using System.Net;
using GraphQL;
using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Http.GraphQLHttp;

namespace Veiligheid.Tests.Http;

/// <summary>Trusted documents: the registered operations are valid for their partner, and allow-list mode holds over HTTP.</summary>
public sealed class TrustedDocumentTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private static string DocumentsFolder => Path.Combine(SchemaCommand.RepositoryRoot(AppContext.BaseDirectory), "schema", "trusted-documents");

    private TrustedDocumentStore Store => hub.Services.GetRequiredService<TrustedDocumentStore>();

    public static TheoryData<string, string> Files
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var file in Directory.EnumerateFiles(DocumentsFolder, "*.graphql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                data.Add(Path.GetFileName(Path.GetDirectoryName(file)!), Path.GetFileNameWithoutExtension(file));
            return data;
        }
    }

    [Fact]
    public void The_hub_holds_exactly_the_files_in_the_repository_under_their_sha256()
    {
        var onDisk = Directory.EnumerateFiles(DocumentsFolder, "*.graphql", SearchOption.AllDirectories)
            .Select(f => (Organisation: Path.GetFileName(Path.GetDirectoryName(f)!), Name: Path.GetFileNameWithoutExtension(f),
                Sha256: Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))))
            .Order()
            .ToList();

        Assert.NotEmpty(onDisk);
        Assert.Equal(onDisk, Store.All.Select(d => (d.OrganisationKey, d.Name, d.Sha256)).Order());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task A_registered_document_is_valid_against_the_contract_and_its_partners_slice(string organisationKey, string name)
    {
        var document = Assert.Single(Store.All, d => d.OrganisationKey == organisationKey && d.Name == name);
        var organisation = DemoOrganisations.All.SingleOrDefault(o => o.Key == organisationKey);
        Assert.True(organisation is not null, $"The folder '{organisationKey}' is not an organisation of the register.");
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();

        var parsed = GraphQLParser.Parser.Parse(document.Text);
        var operation = Assert.Single(parsed.Definitions.OfType<GraphQLOperationDefinition>());
        Assert.True(operation.Name is not null, "A registered operation has a name.");
        Assert.Equal(OperationType.Query, operation.Operation);

        Assert.Empty(await ValidateAsync(schemas.Full, parsed, operation));
        var roles = HubRoles.All.Where(r => r.RequiredOrganisationKind() == organisation.Kind).ToList();
        var valid = new List<HubRole>();
        foreach (var role in roles)
        {
            if ((await ValidateAsync(schemas.For(role), parsed, operation)).Count == 0) valid.Add(role);
        }
        Assert.True(valid.Count > 0, $"{organisationKey}/{name} is valid for none of the roles of a {organisation.Kind} ({string.Join(", ", roles)}).");
    }

    [Fact]
    public async Task The_slice_check_refuses_a_document_outside_the_slice()
    {
        var recent = Store.All.Single(d => d.OrganisationKey == DemoOrganisations.PolitieNoord && d.Name == "RecentIncidents");
        var parsed = GraphQLParser.Parser.Parse(recent.Text);
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();

        var errors = await ValidateAsync(schemas.For(HubRole.PrivacyFunctionaris), parsed, parsed.Definitions.OfType<GraphQLOperationDefinition>().Single());

        Assert.Contains(errors, e => e.Contains("incidents", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> ValidateAsync(global::GraphQL.Types.ISchema schema, GraphQLDocument document, GraphQLOperationDefinition operation)
    {
        var result = await new DocumentValidator().ValidateAsync(new ValidationOptions
        {
            Schema = schema,
            Document = document,
            Operation = operation,
            Rules = LimitRules.With(new GraphQLLimits()),
            Variables = Inputs.Empty,
            Extensions = Inputs.Empty,
            UserContext = new Dictionary<string, object?>(),
            RequestServices = null,
            Metrics = global::GraphQL.Instrumentation.Metrics.None,
        });
        return [.. result.Errors.Select(e => e.Message)];
    }

    [Fact]
    public async Task An_organisation_in_allow_list_mode_runs_its_registered_documents_and_nothing_else()
    {
        var recent = Store.All.Single(d => d.OrganisationKey == DemoOrganisations.PolitieNoord && d.Name == "RecentIncidents");
        var otherPartners = Store.All.First(d => d.OrganisationKey != DemoOrganisations.PolitieNoord);
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        // Before: ad-hoc queries run, and the registered document gives the same answer as its text.
        var adHoc = await police.SendAsync(() => PostQuery(recent.Text, new { first = 5 }));
        Assert.True(adHoc.Status == HttpStatusCode.OK && adHoc.Errors.Count == 0, adHoc.ToString());

        await AllowListMode.SetAsync(hub.Services, DemoOrganisations.PolitieNoord, true);
        try
        {
            var refused = await police.SendAsync(() => PostQuery("{ viewer { role } }"));
            Assert.True(refused.Status == HttpStatusCode.BadRequest, refused.ToString());
            Assert.False(refused.HasData);
            Assert.Equal(["DOCUMENT_ID_MISSING"], refused.Codes);
            Assert.Contains("trusted", refused.Errors[0].GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);

            var byId = await police.SendAsync(() => Post($$$"""{"documentId":"{{{recent.DocumentId}}}","variables":{"first":5}}"""));
            Assert.True(byId.Status == HttpStatusCode.OK && byId.Errors.Count == 0, byId.ToString());
            Assert.Equal(adHoc.Data.ToString(), byId.Data.ToString());

            // Apollo's persisted-query extension and GET work too; GET is what caches like.
            var apollo = await police.SendAsync(() => Post("{\"variables\":{\"first\":5},\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"" + recent.Sha256 + "\"}}}"));
            Assert.Equal(adHoc.Data.ToString(), apollo.Data.ToString());
            var get = await police.SendAsync(() => Get($"documentId={Q(recent.DocumentId)}&variables={Q("{\"first\":5}")}"));
            Assert.Equal(adHoc.Data.ToString(), get.Data.ToString());

            // Another partner's registered document is not this partner's.
            var foreign = await police.SendAsync(() => Post($$"""{"documentId":"{{otherPartners.DocumentId}}"}"""));
            Assert.True(foreign.Status == HttpStatusCode.BadRequest, foreign.ToString());
            Assert.Equal(["DOCUMENT_NOT_FOUND"], foreign.Codes);

            // Sending the text with the hash does not slip past the allow-list.
            var both = await police.SendAsync(() => Post("{\"query\":\"{ viewer { role } }\",\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"" + recent.Sha256 + "\"}}}"));
            Assert.True(both.Status == HttpStatusCode.BadRequest, both.ToString());

            // Other organisations are not affected.
            using var south = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieZuid);
            var southAnswer = await south.SendAsync(() => PostQuery("{ viewer { role } }"));
            Assert.True(southAnswer.Status == HttpStatusCode.OK, southAnswer.ToString());
        }
        finally
        {
            await AllowListMode.SetAsync(hub.Services, DemoOrganisations.PolitieNoord, false);
        }

        var after = await police.SendAsync(() => PostQuery("{ viewer { role } }"));
        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

}
