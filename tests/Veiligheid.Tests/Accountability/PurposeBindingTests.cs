using System.Net;
using System.Text.Json;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

public sealed class PurposeBindingTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string PersonsQuery = "{ persons(first: 3) { nodes { id surname } } }";

    [Fact]
    public async Task A_person_query_without_a_purpose_is_refused_with_PURPOSE_REQUIRED()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, purpose: null);

        var response = await client.GraphQLAsync(PersonsQuery);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.False(response.HasData);
        Assert.Equal([CallerErrorCodes.PurposeRequired], response.ErrorCodes);
        Assert.Contains(Purposes.Header, response.Errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mutation { openCase(input: { kind: WOONOVERLAST, title: \"Overlast\", legalGround: CONVENANT_ZORG_EN_VEILIGHEID }) { case { id } } }", null)]
    [InlineData("mutation Report($input: ReportIncidentInput!) { reportIncident(input: $input) { status } }", "{\"input\":{\"externalId\":\"T-1\",\"category\":\"GELUIDSOVERLAST\",\"occurredAt\":\"2026-03-01T21:15:00Z\",\"bagId\":\"0599010000000001\",\"inPublicSpace\":false}}")]
    public async Task A_mutation_without_a_purpose_is_refused_with_PURPOSE_REQUIRED(string mutation, string? variables)
    {
        // A role's mutations and their input types exist only under a purpose: without one the client is told so, not
        // that the schema has no mutations or that its variable's type is unknown.
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, purpose: null);

        var response = await client.PostGraphQLAsync(mutation, variables is null ? null : JsonDocument.Parse(variables).RootElement);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.False(response.HasData);
        Assert.Equal([CallerErrorCodes.PurposeRequired], response.ErrorCodes);
    }

    [Fact]
    public async Task A_mutation_from_a_role_without_mutations_stays_refused_as_such()
    {
        var client = factory.CreateClientWithPurpose(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad, purpose: null);

        var response = await client.PostGraphQLAsync("mutation { openCase(input: { kind: WOONOVERLAST, title: \"Overlast\", legalGround: CONVENANT_ZORG_EN_VEILIGHEID }) { case { id } } }");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(["OPERATION_TYPE_NOT_SUPPORTED"], response.ErrorCodes);
    }

    [Fact]
    public async Task Registers_are_served_without_a_purpose()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, purpose: null);

        var response = await client.GraphQLAsync("{ viewer { role } districts { code } purposes { key } }");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(response.Errors);
        Assert.Equal("Gemeente.Coordinator", response.Data.GetProperty("viewer").GetProperty("role").GetString());
        Assert.Equal(Purposes.All.Count, response.Data.GetProperty("purposes").GetArrayLength());
    }

    [Fact]
    public async Task An_unregistered_purpose_is_refused_with_PURPOSE_UNKNOWN()
    {
        var client = factory.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "curiosity");

        var response = await client.GraphQLAsync(PersonsQuery);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(CallerErrorCodes.PurposeUnknown, response.Body.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "ondermijning")]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord, "inzageverzoek")]
    [InlineData(HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid")]
    public async Task A_purpose_the_role_may_not_invoke_is_refused_with_PURPOSE_NOT_ALLOWED(HubRole role, string organisation, string purpose)
    {
        Assert.False(Purposes.Get(purpose).MayBeInvokedBy(role));
        var client = factory.CreateClientWithPurpose(role, organisation, purpose);

        var response = await client.GraphQLAsync("{ viewer { role } }");

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        // /graphql answers refusals in the GraphQL shape: errors[].extensions.code.
        var error = response.Body.GetProperty("errors")[0];
        Assert.Equal(CallerErrorCodes.PurposeNotAllowed, error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Contains(purpose, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_purpose_without_care_data_removes_care_fields_from_a_role_that_holds_them()
    {
        Assert.Contains(DataCategory.Zorg, AccessPolicy.Roles[HubRole.GemeenteCoordinator].Categories);
        Assert.DoesNotContain(DataCategory.Zorg, Purposes.Get("aanpak-woonoverlast").Categories);
        Assert.Contains(DataCategory.Zorg, Purposes.Get("casusoverleg-zorg-en-veiligheid").Categories);
        const string introspection = "{ __type(name: \"Person\") { fields { name } } }";

        var woonoverlast = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast");
        var zorg = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");

        Assert.DoesNotContain("lifeDomains", FieldNames(await woonoverlast.GraphQLAsync(introspection)));
        Assert.Contains("lifeDomains", FieldNames(await zorg.GraphQLAsync(introspection)));
        Assert.Contains("tenancies", FieldNames(await woonoverlast.GraphQLAsync(introspection)));

        var refused = await woonoverlast.GraphQLAsync("{ persons(first: 1) { nodes { lifeDomains { financien { score } } } } }");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.False(refused.HasData);
        Assert.Equal([CallerErrorCodes.PurposeDoesNotCover], refused.ErrorCodes);
        Assert.Contains("aanpak-woonoverlast", refused.Errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        var allowed = await zorg.GraphQLAsync("{ persons(first: 1) { nodes { lifeDomains { financien { score } } } } }");
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.True(allowed.HasData);
    }

    [Fact]
    public async Task A_field_the_role_never_has_stays_an_ordinary_validation_error()
    {
        var client = factory.CreateClientWithPurpose(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "aanpak-woonoverlast");

        var response = await client.GraphQLAsync("{ persons(first: 1) { nodes { lifeDomains { financien { score } } } } }");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.DoesNotContain(CallerErrorCodes.PurposeDoesNotCover, response.ErrorCodes);
        Assert.DoesNotContain(CallerErrorCodes.PurposeRequired, response.ErrorCodes);
    }

    private static List<string> FieldNames(GraphQLResponse response)
        => [.. response.Data.GetProperty("__type").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];
}
