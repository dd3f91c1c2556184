using System.Net;
using System.Text;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Http.GraphQLHttp;

namespace Veiligheid.Tests.Http;

/// <summary>The GraphQL over HTTP specification, rule by rule, against the real host.</summary>
public sealed class GraphQLOverHttpTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Viewer = "{ viewer { role } }";

    private HttpClient Politie() => hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

    private static void AssertViewer(Answer answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Empty(answer.Errors);
        Assert.Equal("Politie", answer.Data.GetProperty("viewer").GetProperty("role").GetString());
    }

    /// <summary>A refusal: this status, no data entry, and every error carrying a code.</summary>
    private static void AssertRefused(Answer answer, HttpStatusCode status, string code)
    {
        Assert.True(answer.Status == status, answer.ToString());
        Assert.False(answer.HasData, answer.ToString());
        Assert.Contains(code, answer.Codes);
        Assert.All(answer.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString())));
    }

    [Theory]
    [InlineData(GraphQLResponse, GraphQLResponse)]
    [InlineData(Json, Json)]
    [InlineData(null, Json)]
    [InlineData("*/*", Json)]
    [InlineData("application/*", Json)]
    [InlineData("application/json, application/graphql-response+json", GraphQLResponse)]
    [InlineData("application/graphql-response+json;q=0.5, application/json", Json)]
    [InlineData("application/json;q=0.9, application/graphql-response+json", GraphQLResponse)]
    [InlineData("Application/GraphQL-Response+JSON", GraphQLResponse)]
    [InlineData("application/graphql-response+json; charset=utf-8", GraphQLResponse)]
    [InlineData("text/html, */*;q=0.1", Json)]
    public async Task The_response_media_type_follows_Accept_and_is_always_utf8(string? accept, string expected)
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => PostQuery(Viewer, accept: accept));

        AssertViewer(answer);
        Assert.Equal(expected, answer.MediaType);
        Assert.Equal("utf-8", answer.ContentType?.CharSet);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml, text/plain")]
    [InlineData("application/json;q=0")]
    public async Task An_Accept_header_that_allows_neither_media_type_is_406(string accept)
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => PostQuery(Viewer, accept: accept));

        AssertRefused(answer, HttpStatusCode.NotAcceptable, "NOT_ACCEPTABLE");
        Assert.Equal(Json, answer.MediaType);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json;charset=\"utf-8\"")]
    [InlineData("Application/JSON")]
    public async Task Posts_in_utf8_json_are_read(string contentType)
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => Post($$"""{"query":"{ viewer { role } }"}""", contentType));

        AssertViewer(answer);
    }

    [Fact]
    public async Task A_body_without_charset_is_read_as_utf8()
    {
        using var client = Politie();

        // A comment with non-ASCII characters (utf-8 bytes) must not disturb the document.
        var answer = await client.SendAsync(() => Post("{\"query\":\"# één café\\n{ viewer { role } }\"}", "application/json"));

        AssertViewer(answer);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/graphql")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/json; charset=utf-16")]
    public async Task A_post_without_a_content_type_the_hub_reads_is_415(string? contentType)
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => Post($$"""{"query":"{ viewer { role } }"}""", contentType));

        AssertRefused(answer, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Theory]
    [InlineData("", "INVALID_JSON")]
    [InlineData("{", "INVALID_JSON")]
    [InlineData("query=%7B%7D", "INVALID_JSON")]
    [InlineData("\"{ viewer { role } }\"", "INVALID_REQUEST")]
    [InlineData("42", "INVALID_REQUEST")]
    [InlineData("null", "INVALID_REQUEST")]
    [InlineData("{}", "MISSING_QUERY")]
    [InlineData("""{"query":""}""", "MISSING_QUERY")]
    [InlineData("""{"query":null}""", "MISSING_QUERY")]
    [InlineData("""{"operationName":"A"}""", "MISSING_QUERY")]
    [InlineData("""{"query":1}""", "INVALID_REQUEST")]
    [InlineData("""{"query":["{ viewer { role } }"]}""", "INVALID_REQUEST")]
    [InlineData("""{"query":{"text":"{ viewer { role } }"}}""", "INVALID_REQUEST")]
    [InlineData("""{"query":"{ viewer { role } }","operationName":1}""", "INVALID_REQUEST")]
    [InlineData("""{"query":"{ viewer { role } }","operationName":true}""", "INVALID_REQUEST")]
    [InlineData("""{"query":"{ viewer { role } }","variables":"{}"}""", "INVALID_REQUEST")]
    [InlineData("""{"query":"{ viewer { role } }","variables":[]}""", "INVALID_REQUEST")]
    [InlineData("""{"query":"{ viewer { role } }","variables":1}""", "INVALID_REQUEST")]
    [InlineData("""{"query":"{ viewer { role } }","extensions":"x"}""", "INVALID_REQUEST")]
    [InlineData("""{"query":"{ viewer { role } }","extensions":[1]}""", "INVALID_REQUEST")]
    [InlineData("""[{"query":"{ viewer { role } }"}]""", "BATCH_NOT_SUPPORTED")]
    public async Task A_body_that_is_not_a_well_formed_request_is_400_whatever_is_accepted(string body, string code)
    {
        using var client = Politie();

        foreach (var accept in new[] { GraphQLResponse, Json })
        {
            var answer = await client.SendAsync(() => Post(body, accept: accept));

            AssertRefused(answer, HttpStatusCode.BadRequest, code);
            Assert.Equal(accept, answer.MediaType);
        }
    }

    [Fact]
    public async Task Null_variables_operation_name_and_extensions_are_allowed()
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => Post("""{"query":"{ viewer { role } }","variables":null,"operationName":null,"extensions":null}"""));

        AssertViewer(answer);
    }

    [Fact]
    public async Task Variables_operation_name_and_extensions_are_used()
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => Post("""
            {"query":"query A { viewer { role } } query B($first: Int) { incidents(first: $first) { nodes { id } } }",
             "operationName":"B","variables":{"first":2},"extensions":{"tracing":false}}
            """));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(2, answer.Data.GetProperty("incidents").GetProperty("nodes").GetArrayLength());
    }

    [Theory]
    [InlineData("{ viewer { role }", "SYNTAX_ERROR")]
    [InlineData("{ viewer { noSuchField } }", "FIELDS_ON_CORRECT_TYPE")]
    [InlineData("query Q { viewer { role } }#Z", null)]
    public async Task A_document_that_fails_to_parse_or_validate_is_400_without_data_in_graphql_response_json_and_200_in_json(string query, string? code)
    {
        using var client = Politie();

        var modern = await client.SendAsync(() => PostQuery(query, operationName: code is null ? "Z" : null, accept: GraphQLResponse));
        var legacy = await client.SendAsync(() => PostQuery(query, operationName: code is null ? "Z" : null, accept: Json));

        Assert.True(modern.Status == HttpStatusCode.BadRequest, modern.ToString());
        Assert.False(modern.HasData, modern.ToString());
        Assert.True(legacy.Status == HttpStatusCode.OK, legacy.ToString());
        Assert.False(legacy.HasData, legacy.ToString());
        Assert.NotEmpty(modern.Errors);
        Assert.All(modern.Codes, c => Assert.False(string.IsNullOrEmpty(c)));
        if (code is not null) Assert.Contains(code, modern.Codes);
    }

    [Fact]
    public async Task An_unknown_operation_name_is_a_request_error_with_a_code()
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => PostQuery("query A { viewer { role } }", operationName: "B"));

        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.False(answer.HasData);
        Assert.All(answer.Codes, c => Assert.False(string.IsNullOrEmpty(c)));
        Assert.Contains("B", answer.Errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variables_that_cannot_be_coerced_are_400_without_data()
    {
        using var client = Politie();

        var modern = await client.SendAsync(() => PostQuery("query($first: Int!) { incidents(first: $first) { totalCount } }", new { first = "many" }));
        var legacy = await client.SendAsync(() => PostQuery("query($first: Int!) { incidents(first: $first) { totalCount } }", new { first = "many" }, accept: Json));

        Assert.True(modern.Status == HttpStatusCode.BadRequest, modern.ToString());
        Assert.False(modern.HasData);
        Assert.Contains("INVALID_VALUE", modern.Codes);
        Assert.True(legacy.Status == HttpStatusCode.OK, legacy.ToString());
        Assert.False(legacy.HasData);
    }

    [Fact]
    public async Task Get_runs_a_query_with_url_encoded_variables_and_extensions()
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => Get(
            $"query={Q("query B($first: Int) { incidents(first: $first) { nodes { id } } }")}&operationName=B&variables={Q("{\"first\":3}")}&extensions={Q("{}")}"));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(3, answer.Data.GetProperty("incidents").GetProperty("nodes").GetArrayLength());
        Assert.Equal(GraphQLResponse, answer.MediaType);
    }

    [Theory]
    [InlineData("variables=%5B%5D", "INVALID_REQUEST")]
    [InlineData("variables=%7Bnope", "INVALID_REQUEST")]
    [InlineData("extensions=1", "INVALID_REQUEST")]
    [InlineData("variables=null&extensions=null", null)]
    public async Task Get_checks_the_json_of_variables_and_extensions(string parameters, string? code)
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => Get($"query={Q(Viewer)}&{parameters}"));

        if (code is null) AssertViewer(answer);
        else AssertRefused(answer, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Get_without_a_query_is_400()
    {
        using var client = Politie();

        AssertRefused(await client.SendAsync(() => Get("operationName=A")), HttpStatusCode.BadRequest, "MISSING_QUERY");
    }

    [Theory]
    [InlineData("mutation { viewer { role } }", null)]
    [InlineData("subscription { viewer { role } }", null)]
    [InlineData("query A { viewer { role } } mutation B { viewer { role } }", "B")]
    public async Task A_mutation_or_subscription_over_get_is_405_with_an_allow_header(string query, string? operationName)
    {
        using var client = Politie();

        var answer = await client.SendAsync(() => Get($"query={Q(query)}" + (operationName is null ? "" : $"&operationName={operationName}")));

        AssertRefused(answer, HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        Assert.Contains("POST", answer.Allow);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Other_methods_are_refused(string method)
    {
        using var client = Politie();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/graphql") { Content = new StringContent("{\"query\":\"{ viewer { role } }\"}", Encoding.UTF8, "application/json") };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Without_a_token_graphql_answers_401_in_its_own_shape_with_a_challenge()
    {
        using var client = hub.CreateClient();

        var answer = await client.SendAsync(() => PostQuery(Viewer));

        AssertRefused(answer, HttpStatusCode.Unauthorized, CallerErrorCodes.Unauthenticated);
        Assert.Equal(GraphQLResponse, answer.MediaType);
        Assert.Contains(answer.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }
}
