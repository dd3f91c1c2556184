using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veiligheid.Access;
using Veiligheid.Access.Identity;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>
/// The hub in-process, over real HTTP through the ASP.NET Core pipeline, for one test class (<c>IClassFixture&lt;HubFactory&gt;</c>).
/// <list type="bullet">
/// <item>Each instance has its own temporary directory holding its SQLite database (Database:SqlitePath; migrated and
/// seeded with the demo data on start) and its development signing key (DevTokens:SigningKeyPath). Dispose deletes it.</item>
/// <item>The host runs in Development, so it accepts tokens of the local development issuer.</item>
/// <item><see cref="CreateClient(HubRole, string, string?)"/> gives a client with a bearer token made by the host's own
/// <see cref="DevTokenIssuer"/>, for an organisation of the seed by its key (see <see cref="DemoOrganisations"/>).</item>
/// </list>
/// Derive a variant with <c>WithWebHostBuilder</c> (e.g. another environment); it shares the directory and database.
/// </summary>
public class HubFactory : WebApplicationFactory<Program>
{
    public HubFactory()
    {
        TempDirectory = Path.Combine(Path.GetTempPath(), "veiligheid-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(TempDirectory);
    }

    /// <summary>
    /// Whether the host's processing log writes the earlier form, a person row per record with its action holding the hash
    /// (<see cref="ProcessingLog.WritesPersonRows"/>), as the hub did until the migration PackedRecords (1 Dec 2026), instead of packing a
    /// request's records into its action. Logs of that form exist and the hub keeps reading them, so the tests whose
    /// subject is a person row (tampering with one, its stored types) still need the hub to write them. Set as the host
    /// is made, so a variant of it (<c>WithWebHostBuilder</c>, a second hub on the same file) writes the same form.
    /// </summary>
    public bool WritesPersonRows { get; init; }

    /// <summary>This fixture's own directory; deleted on dispose.</summary>
    public string TempDirectory { get; }

    public string DatabasePath => Path.Combine(TempDirectory, "veiligheid.db");

    public string SigningKeyPath => Path.Combine(TempDirectory, "dev-token-signing-key.json");

    /// <summary>The issuer the host validates against (starts the host when it is not running yet).</summary>
    public DevTokenIssuer TokenIssuer => Services.GetRequiredService<DevTokenIssuer>();

    /// <summary>A client whose requests carry a development token with one role, for the organisation with this key;
    /// a user token when <paramref name="userObjectId"/> is set. The token is not checked here: a role that does not fit
    /// the organisation is for the hub to refuse.</summary>
    /// <remarks>The client states the role's broadest purpose (<see cref="DefaultPurposeOf"/>) in the X-Purpose header, so
    /// tests of other rules read what the role may read; tests of purpose binding use <see cref="CreateClientWithPurpose"/>.</remarks>
    public HttpClient CreateClient(HubRole role, string organisationKey, string? userObjectId = null)
        => CreateClientWithPurpose(role, organisationKey, DefaultPurposeOf(role), userObjectId);

    /// <summary>As <see cref="CreateClient(HubRole, string, string?)"/>, stating exactly this purpose (null: no X-Purpose header).</summary>
    public HttpClient CreateClientWithPurpose(HubRole role, string organisationKey, string? purpose, string? userObjectId = null)
    {
        var client = CreateClientWithToken(CreateToken([role], organisationKey, userObjectId));
        if (purpose is not null) client.DefaultRequestHeaders.Add(Purposes.Header, purpose);
        return client;
    }

    /// <summary>The key of <see cref="Purposes.BroadestFor"/>; null when the role may invoke no purpose.</summary>
    public static string? DefaultPurposeOf(HubRole role)
        => Purposes.BroadestFor(role)?.Key;

    /// <summary>A client whose requests carry this bearer token.</summary>
    public HttpClient CreateClientWithToken(string bearerToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        return client;
    }

    /// <summary>A development token with these roles for the organisation with this key.</summary>
    public string CreateToken(IEnumerable<HubRole> roles, string organisationKey, string? userObjectId = null)
        => TokenIssuer.CreateToken(DevTokenRequest.For(roles, ClientAppIdOf(organisationKey), userObjectId));

    /// <summary>A development token exactly as asked (tests of refusals: expired, other audience, unknown client application).</summary>
    public string CreateToken(DevTokenRequest request) => TokenIssuer.CreateToken(request);

    /// <summary>The client application id registered for the organisation with this key.</summary>
    public string ClientAppIdOf(string organisationKey)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        return db.Organisations.AsNoTracking().Where(o => o.Key == organisationKey).Select(o => o.ClientAppId).SingleOrDefault()
            ?? throw new InvalidOperationException($"No organisation with key '{organisationKey}' and a client application id in the test database.");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Development);
        builder.UseSetting("Database:SqlitePath", DatabasePath);
        builder.UseSetting("DevTokens:SigningKeyPath", SigningKeyPath);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        if (WritesPersonRows) host.Services.GetRequiredService<ProcessingLog>().WritesPersonRows = true;
        return host;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        DeleteTempDirectory();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) DeleteTempDirectory();
    }

    private void DeleteTempDirectory()
    {
        using (var connection = new SqliteConnection(DatabaseSetup.SqliteConnectionString(Path.GetFullPath(DatabasePath))))
        {
            SqliteConnection.ClearPool(connection);
        }
        try
        {
            if (Directory.Exists(TempDirectory)) Directory.Delete(TempDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open somewhere: the OS's temp cleanup takes it.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}


/// <summary>
/// The hub writing the earlier form of the processing log, person rows (<see cref="HubFactory.WritesPersonRows"/>), for one
/// test class whose subject is those rows (<c>IClassFixture&lt;PersonRowsHubFactory&gt;</c>): a fixture type of its own, so
/// no other class's fixture is switched.
/// </summary>
public sealed class PersonRowsHubFactory : HubFactory
{
    public PersonRowsHubFactory() => WritesPersonRows = true;
}
