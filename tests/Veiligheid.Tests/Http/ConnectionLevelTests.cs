using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Http;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Http;

/// <summary>
/// The hub on Kestrel, on a port of its own, for what only a real server sees (the test server has no sockets); it
/// keeps what the hub logs at Error and above.
/// </summary>
public sealed class KestrelHubFactory : HubFactory
{
    // A body that stops arriving is given up after this grace period (Kestrel's default is 5 s at 240 bytes/s).
    public static readonly TimeSpan BodyGracePeriod = TimeSpan.FromSeconds(2);

    public KestrelHubFactory() => UseKestrel(options => options.Limits.MinRequestBodyDataRate = new MinDataRate(240, BodyGracePeriod));

    /// <summary>The errors the hub logged, as "category: message".</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Where the started server listens.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            return new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(new ErrorLogCollector(Errors)));
    }
}

/// <summary>Requests that break off at the connection: the client's doing, a 4xx or nothing, never an internal error.</summary>
public sealed class ConnectionLevelTests(KestrelHubFactory hub) : IClassFixture<KestrelHubFactory>
{
    private const string PartOfABody = """{"query":"{ viewer { role } }" """;

    [Fact]
    public async Task A_body_that_stops_arriving_is_a_client_error()
    {
        using var tcp = await SendHeadAndPartOfTheBodyAsync();

        // The client keeps the connection open and sends nothing more: the server gives up on the body.
        using var reader = new StreamReader(tcp.GetStream(), Encoding.UTF8);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("HTTP/1.1 408 Request Timeout", statusLine);
        Assert.Contains(GraphQLRequestReader.UnreadableRequestCode, rest, StringComparison.Ordinal);
        Assert.DoesNotContain(HttpProtection.InternalErrorCode, rest, StringComparison.Ordinal);
        Assert.Empty(ErrorsOf("Veiligheid", "Microsoft.AspNetCore.Diagnostics"));
    }

    [Fact]
    public async Task A_request_the_client_abandons_is_not_logged_as_an_error()
    {
        using (var tcp = await SendHeadAndPartOfTheBodyAsync())
        {
            // The client closes the connection in the middle of its body.
        }
        // The server notices the closed connection at once; give it time to have logged whatever it logs.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var statusOfTheNext = await StatusOfACompleteRequestAsync();

        Assert.Equal("HTTP/1.1 200 OK", statusOfTheNext);
        Assert.Empty(ErrorsOf("Veiligheid", "Microsoft.AspNetCore.Diagnostics"));
    }

    private IEnumerable<string> ErrorsOf(params string[] categories)
        => hub.Errors.Where(e => categories.Any(c => e.StartsWith(c, StringComparison.Ordinal)));

    private string Head(int contentLength)
        => $"POST /graphql HTTP/1.1\r\nHost: {hub.Address.Authority}\r\nContent-Type: application/json\r\n"
            + $"Authorization: Bearer {hub.CreateToken([HubRole.Politie], DemoOrganisations.PolitieNoord)}\r\n"
            + $"{Purposes.Header}: {HubFactory.DefaultPurposeOf(HubRole.Politie)}\r\nContent-Length: {contentLength}\r\n\r\n";

    /// <summary>A POST announcing 40 bytes more body than it sends.</summary>
    private async Task<TcpClient> SendHeadAndPartOfTheBodyAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(hub.Address.Host, hub.Address.Port);
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Head(PartOfABody.Length + 40) + PartOfABody));
        return tcp;
    }

    private async Task<string?> StatusOfACompleteRequestAsync()
    {
        const string body = """{"query":"{ viewer { role } }"}""";
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(hub.Address.Host, hub.Address.Port);
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Head(body.Length) + body));
        using var reader = new StreamReader(tcp.GetStream(), Encoding.UTF8);
        return await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
