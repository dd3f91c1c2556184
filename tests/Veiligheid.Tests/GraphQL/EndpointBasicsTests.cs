using System.Net;
using System.Text;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.GraphQL;

/// <summary>Bad input to /graphql gets a GraphQL error or a 4xx with a clear message, never a 500.</summary>
public sealed class EndpointBasicsTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private HttpClient Client => hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

    [Fact]
    public async Task Malformed_json_is_400_with_a_code()
    {
        using var content = new StringContent("{\"query\": ", Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/graphql", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("INVALID_JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_field_fails_validation_with_400_and_no_data()
    {
        var response = await Client.PostGraphQLAsync("{ cases { nodes { noSuchField } } }");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.False(response.HasData);
        Assert.Equal("application/graphql-response+json", response.ContentType);
        Assert.All(response.ErrorCodes, code => Assert.False(string.IsNullOrEmpty(code)));
    }

    [Fact]
    public async Task Legacy_json_clients_get_200_with_the_errors()
    {
        var response = await Client.PostGraphQLAsync("{ cases { nodes { noSuchField } } }", accept: "application/json");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.NotEmpty(response.Errors);
    }

    [Fact]
    public async Task A_wrong_variable_type_is_400()
    {
        var response = await Client.PostGraphQLAsync("query($first: Int) { cases(first: $first) { totalCount } }", new { first = "ten" });
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.False(response.HasData);
    }

    [Fact]
    public async Task An_invalid_bsn_argument_is_rejected_before_execution()
    {
        var response = await Client.PostGraphQLAsync("{ personByBsn(bsn: \"123456789\") { id } }");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact]
    public async Task An_unknown_id_answers_null()
    {
        var response = await Client.QueryOkAsync("{ incident(id: \"SW5jaWRlbnQ6OTk5OTk5OQ\") { id } }");
        Assert.Null(response.Data!["incident"]);
    }

    [Fact]
    public async Task A_page_size_over_the_maximum_is_a_field_error_not_a_500()
    {
        var response = await Client.PostGraphQLAsync("{ incidents(first: 100000) { totalCount } }");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Contains("INVALID_PAGE_SIZE", response.ErrorCodes);
    }

    [Fact]
    public async Task Health_answers()
    {
        using var response = await hub.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
