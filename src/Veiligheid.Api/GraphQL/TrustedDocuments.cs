using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using GraphQL;
using GraphQL.DI;
using GraphQL.PersistedDocuments;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Veiligheid.Data;

namespace Veiligheid.GraphQL;

/// <summary>An operation registered for one organisation: schema/trusted-documents/&lt;orgKey&gt;/&lt;Name&gt;.graphql.</summary>
public sealed record TrustedDocument(string OrganisationKey, string Name, string Sha256, string Text)
{
    /// <summary>What a client sends as <c>documentId</c>.</summary>
    public string DocumentId => "sha256:" + Sha256;
}

/// <summary>
/// The registered operations, compiled into the hub from schema/trusted-documents (embedded resources, so a deployment
/// cannot drift from the repository). A document's id is the sha256 of its file's bytes, lowercase hex.
/// </summary>
public sealed class TrustedDocumentStore
{
    internal const string ResourcePrefix = "trusted-documents/";

    private readonly FrozenDictionary<(string Organisation, string Sha256), TrustedDocument> _documents;

    public TrustedDocumentStore() : this(Load(typeof(TrustedDocumentStore).Assembly))
    {
    }

    public TrustedDocumentStore(IEnumerable<TrustedDocument> documents)
        => _documents = documents.ToFrozenDictionary(d => (d.OrganisationKey, d.Sha256));

    public IEnumerable<TrustedDocument> All => _documents.Values.OrderBy(d => d.OrganisationKey, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal);

    /// <summary>The operation with this hash registered for this organisation; another organisation's is not found.</summary>
    public TrustedDocument? Find(string organisationKey, string sha256)
        => _documents.GetValueOrDefault((organisationKey, sha256));

    public static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static IEnumerable<TrustedDocument> Load(Assembly assembly)
    {
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            // trusted-documents/<orgKey>/<Name>.graphql
            var parts = name[ResourcePrefix.Length..].Replace('\\', '/').Split('/');
            if (parts.Length != 2 || !parts[1].EndsWith(".graphql", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            yield return new TrustedDocument(parts[0], Path.GetFileNameWithoutExtension(parts[1]), Sha256Of(bytes), Encoding.UTF8.GetString(bytes));
        }
    }
}

/// <summary>Whether an organisation runs only its registered documents (<c>Organisation.TrustedDocumentsOnly</c>).</summary>
public static class TrustedDocumentMode
{
    private static readonly ConditionalWeakTable<IModel, string> Statements = [];

    /// <summary>
    /// Reads the flag with one small statement through EF Core's command pipeline (so interceptors and the tests'
    /// statement counters see it), without LINQ: this runs before every request. False for an unknown organisation.
    /// </summary>
    /// <remarks>
    /// With <paramref name="prepared"/> (SQLite) the statement is kept prepared on one of the compiled path's read
    /// connections (still through EF Core's diagnostics), so a request answered from a cached plan never opens its own
    /// connection; without it, or when every such connection is busy, it runs on the context's connection. It is not
    /// cached between requests: an operator switches the mode with an UPDATE (README, "Trusted documents"), which no
    /// cache here would learn of before its next read, and the mode is promised to hold from the next request on.
    /// </remarks>
    public static async Task<bool> ReadAsync(VeiligheidDbContext db, int organisationId, CancellationToken cancellationToken, Compiled.SqlitePreparedReads? prepared = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sql = Statements.GetValue(db.Model, _ => StatementFor(db));
        if (prepared is not null && db.Database.GetConnectionString() is { } connectionString && prepared.TryLease(connectionString) is { } lease)
        {
            return await lease.ReadAsync(sql, [("@organisation", System.Data.DbType.Int32, organisationId)], db, async reader =>
                await reader.ReadAsync(cancellationToken) && !await reader.IsDBNullAsync(0, cancellationToken) && reader.GetBoolean(0), cancellationToken);
        }
        var connection = db.GetService<IRelationalConnection>();
        using var parameterFactory = connection.DbConnection.CreateCommand(); // the provider's parameter type
        var parameter = parameterFactory.CreateParameter();
        parameter.ParameterName = "@organisation";
        parameter.DbType = System.Data.DbType.Int32;
        parameter.Value = organisationId;
        var command = db.GetService<IRawSqlCommandBuilder>().Build(sql, [parameter]);
        var value = await command.RelationalCommand.ExecuteScalarAsync(
            new RelationalCommandParameterObject(connection, command.ParameterValues, null, db, db.GetService<IRelationalCommandDiagnosticsLogger>()),
            cancellationToken);
        return value is not null and not DBNull && Convert.ToBoolean(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string StatementFor(VeiligheidDbContext db)
    {
        var organisations = StoreNames.Of<Organisations.Organisation>(db);
        return $"SELECT {organisations.Column(nameof(Organisations.Organisation.TrustedDocumentsOnly))} FROM {organisations.Table} "
               + $"WHERE {organisations.Column(nameof(Organisations.Organisation.Id))} = @organisation";
    }
}

/// <summary>
/// GraphQL.NET's persisted documents, per organisation: every caller may run its organisation's registered operations by
/// <c>documentId</c>; an organisation in allow-list mode (<c>Organisation.TrustedDocumentsOnly</c>) may run nothing else.
/// </summary>
public sealed class TrustedDocumentHandler : IConfigureExecution
{
    private readonly OrganisationDocumentHandler _allowListOnly;
    private readonly OrganisationDocumentHandler _alsoAdHoc;

    public TrustedDocumentHandler(TrustedDocumentStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _allowListOnly = new OrganisationDocumentHandler(store, allowOnlyPersisted: true);
        _alsoAdHoc = new OrganisationDocumentHandler(store, allowOnlyPersisted: false);
    }

    public float SortOrder => _allowListOnly.SortOrder;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hub = (RequestContext)options.UserContext;
        // Read per request, not cached: switching a partner to allow-list mode takes effect at once.
        var allowListOnly = hub.TrustedDocumentsOnly ??= await TrustedDocumentMode.ReadAsync(hub.Db, hub.Access.Caller.OrganisationId, options.CancellationToken);
        return await (allowListOnly ? _allowListOnly : _alsoAdHoc).ExecuteAsync(options, next);
    }

    /// <summary>
    /// The text a request runs when this handler lets it through: its query when ad-hoc queries are allowed and it names
    /// no document, or the registered document its <c>documentId</c> names for the caller's organisation. Null when
    /// the handler would refuse it, or when this cannot be told without the handler (it then decides, as always).
    /// </summary>
    public static (string Document, string? DocumentId)? AdmittedText(TrustedDocumentStore store, GraphQLRequest request, string organisationKey, bool allowListOnly)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Query is { } query) return request.DocumentId is null && !allowListOnly ? (query, null) : null;
        const string Sha256Prefix = "sha256:";
        if (request.DocumentId is { } id && id.StartsWith(Sha256Prefix, StringComparison.Ordinal)
            && store.Find(organisationKey, id[Sha256Prefix.Length..]) is { } document)
        {
            return (document.Text, id);
        }
        return null;
    }

    private sealed class OrganisationDocumentHandler(TrustedDocumentStore store, bool allowOnlyPersisted)
        : PersistedDocumentHandler(new PersistedDocumentOptions
        {
            AllowOnlyPersistedDocuments = allowOnlyPersisted,
            GetQueryDelegate = (options, _, sha256) =>
            {
                var organisation = ((RequestContext)options.UserContext).Access.Caller.OrganisationKey;
                return new ValueTask<string?>(store.Find(organisation, sha256)?.Text);
            },
        })
    {
        protected override ExecutionResult CreateExecutionResult(ExecutionError error)
        {
            var message = error switch
            {
                DocumentIdMissingError when allowOnlyPersisted =>
                    "Your organisation may only run operations registered for it (trusted documents): send {\"documentId\": \"sha256:<hex>\"} instead of a query. See the README, section \"Trusted documents\".",
                DocumentIdMissingError => "The request has neither a 'query' nor a 'documentId'.",
                DocumentNotFoundError => "No operation with this documentId is registered for your organisation.",
                DocumentIdInvalidError => "A documentId is 'sha256:' followed by the 64 lowercase hex digits of the document's SHA-256 hash.",
                InvalidRequestError => "Send either 'query' or 'documentId', not both.",
                _ => error.Message,
            };
            return new ExecutionResult(new ExecutionError(message) { Code = error.Code });
        }
    }
}
