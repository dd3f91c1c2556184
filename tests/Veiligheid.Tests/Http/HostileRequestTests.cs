using System.Net;
using System.Text;
using System.Text.Json;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Http.GraphQLHttp;

namespace Veiligheid.Tests.Http;

/// <summary>
/// Careless and hostile requests: each is answered with a 4xx or a GraphQL error carrying a code (never a 500, never a
/// stack trace or exception message), is refused before execution where a limit applies, and the hub answers a normal
/// query right after.
/// </summary>
public sealed class HostileRequestTests(HubFactory hub) : IClassFixture<HubFactory>
{
    public static TheoryData<string> Cases => [.. Corpus.Keys];

    /// <summary>Each case: the request and the code the hub must answer it with.</summary>
    private static readonly Dictionary<string, (Func<HttpRequestMessage> Request, string Code)> Corpus = new()
    {
        ["parser-depth: 5000 nested selections"] = (() => PostQuery(new string('{', 5000) + "a" + new string('}', 5000)), "SYNTAX_ERROR"),
        ["parser-depth: 5000 nested list values"] = (() => PostQuery("{ incidents(first: " + new string('[', 5000) + new string(']', 5000) + ") { totalCount } }"), LimitErrorCodes.DocumentTooDeep),
        ["parser-depth: valid fields 100 levels deep"] = (() => PostQuery("{ " + string.Concat(Enumerable.Repeat("viewer { organisation { ", 50)) + "id" + new string('}', 100) + " }"), LimitErrorCodes.DocumentTooDeep),
        ["depth: valid fields 30 levels deep"] = (() => PostQuery("{ " + string.Concat(Enumerable.Repeat("incidents(first: 1) { nodes { location { ", 5)) + "id" + new string('}', 15) + " }"), LimitErrorCodes.MaxDepthExceeded),
        ["depth: introspection of ofType chains"] = (() => PostQuery("{ __schema { types { fields { type { " + string.Concat(Enumerable.Repeat("ofType { ", 12)) + "name" + new string('}', 17)), LimitErrorCodes.MaxDepthExceeded),
        ["cost: three nested pages of 100"] = (() => PostQuery("{ incidents(first: 100) { nodes { location { incidents(first: 100) { nodes { location { incidents(first: 100) { nodes { id } } } } } } } } }"), LimitErrorCodes.MaxCostExceeded),
        ["cost: page size from a variable"] = (() => PostQuery("query($n: Int) { incidents(first: $n) { nodes { location { incidents(first: $n) { nodes { id category occurredAt } } } } } }", new { n = 100 }), LimitErrorCodes.MaxCostExceeded),
        ["aliases: 100 aliases of one field"] = (() => PostQuery("{ " + string.Join(" ", Enumerable.Range(0, 100).Select(i => $"a{i}: viewer {{ role }}")) + " }"), LimitErrorCodes.MaxAliasesExceeded),
        ["aliases: alias bomb through a fragment"] = (() => PostQuery("{ viewer { ...F } } fragment F on Viewer { " + string.Join(" ", Enumerable.Range(0, 100).Select(i => $"r{i}: role")) + " }"), LimitErrorCodes.MaxAliasesExceeded),
        ["directives: 200 @include on one field"] = (() => PostQuery("{ viewer { " + string.Concat(Enumerable.Repeat("role @include(if: true) ", 200)) + "} }"), LimitErrorCodes.MaxDirectivesExceeded),
        ["directives: unknown directives"] = (() => PostQuery("{ viewer @a @b @c @d @e @f @g @h @i @j @k @l @m @n @o @p @q @r @s @t @u @v @w { role } }"), LimitErrorCodes.MaxDirectivesExceeded),
        ["fragments: a cycle"] = (() => PostQuery("{ viewer { ...A } } fragment A on Viewer { role ...B } fragment B on Viewer { isUser ...A }"), "NO_FRAGMENT_CYCLES"),
        ["fragments: spread into itself"] = (() => PostQuery("{ viewer { ...A } } fragment A on Viewer { ...A }"), "NO_FRAGMENT_CYCLES"),
        ["body: 'query' twice, a query then a mutation"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"query\":\"mutation { openCase(input: { kind: WOONOVERLAST, title: \\\"x\\\", legalGround: CONVENANT_ZORG_EN_VEILIGHEID }) { case { id } } }\"}"), "INVALID_REQUEST"),
        ["body: 'variables' twice"] = (() => Post("{\"query\":\"query($n: Int) { incidents(first: $n) { totalCount } }\",\"variables\":{\"n\":1},\"variables\":{\"n\":2}}"), "INVALID_REQUEST"),
        ["size: a megabyte of query text"] = (() => PostQuery("{ viewer { role } }" + new string(' ', 1024 * 1024)), LimitErrorCodes.RequestTooLarge),
        ["size: a megabyte, chunked without Content-Length"] = (() => Post(new UnsizedContent(Encoding.UTF8.GetBytes("{\"query\":\"" + new string('a', 1024 * 1024) + "\"}"))), LimitErrorCodes.RequestTooLarge),
        ["size: a document longer than the limit"] = (() => PostQuery("{ viewer { role } }" + new string('#', 40_000)), LimitErrorCodes.DocumentTooLong),
        ["size: 100 KB of query text over GET"] = (() => Get("query=" + Q("{ viewer { role } }" + new string(' ', 100_000))), LimitErrorCodes.DocumentTooLong),
        ["size: a long document over GET"] = (() => Get("query=" + Q("{ viewer { role } }" + new string('#', 20_000))), LimitErrorCodes.DocumentTooLong),
        ["variables: 40 KB of variables"] = (() => PostQuery("query($x: String) { viewer { role } }", new { x = new string('x', 40_000) }), LimitErrorCodes.VariablesTooLarge),
        ["variables: nested 200 levels deep"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"variables\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200) + "}"), "INVALID_JSON"),
        ["variables: nested arrays over GET"] = (() => Get("query=" + Q("{ viewer { role } }") + "&variables=" + Q("{\"a\":" + new string('[', 500) + new string(']', 500) + "}")), "INVALID_REQUEST"),
        ["variables: wrong types for declared variables"] = (() => PostQuery("query($first: Int, $after: String) { incidents(first: $first, after: $after) { totalCount } }", new { first = new[] { 1 }, after = new { x = 1 } }), "INVALID_VALUE"),
        ["variables: a number too large for Int"] = (() => Post("{\"query\":\"query($first: Int) { incidents(first: $first) { totalCount } }\",\"variables\":{\"first\":1e400}}"), "INVALID_VALUE"),
        ["encoding: invalid utf-8 in the body"] = (() => Post(new ByteArrayContent([.. Encoding.UTF8.GetBytes("{\"query\":\"{ viewer { role } }\",\"operationName\":\""), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\"}")]) { Headers = { { "Content-Type", "application/json" } } }), "INVALID_JSON"),
        ["encoding: a utf-16 body"] = (() => Post(new ByteArrayContent(Encoding.Unicode.GetBytes("{\"query\":\"{ viewer { role } }\"}")) { Headers = { { "Content-Type", "application/json" } } }), "INVALID_JSON"),
        ["encoding: a lone surrogate escape in the query"] = (() => Post("{\"query\":\"{ viewer { role } } #\\ud800\"}"), "INVALID_JSON"),
        ["encoding: a lone low surrogate escape in operationName"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"operationName\":\"\\udc00\"}"), "INVALID_JSON"),
        ["encoding: a lone surrogate escape in documentId"] = (() => Post("{\"documentId\":\"\\ud800\"}"), "INVALID_JSON"),
        ["encoding: a lone surrogate escape in a variable"] = (() => Post("{\"query\":\"query($s: String) { viewer { role } }\",\"variables\":{\"s\":\"\\ud800\"}}"), "INVALID_JSON"),
        ["encoding: a lone surrogate escape in a variable's name"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"variables\":{\"\\ud800\":1}}"), "INVALID_JSON"),
        ["encoding: a lone surrogate escape in extensions"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"extensions\":{\"a\":\"\\ud800\"}}"), "INVALID_JSON"),
        ["encoding: NUL characters in the query"] = (() => PostQuery("{ viewer\u0000 { role } }"), "SYNTAX_ERROR"),
        ["types: query is a number"] = (() => Post("{\"query\":12}"), "INVALID_REQUEST"),
        ["types: variables is a string"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"variables\":\"{}\"}"), "INVALID_REQUEST"),
        ["types: extensions is an array"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"extensions\":[]}"), "INVALID_REQUEST"),
        ["types: documentId is a number"] = (() => Post("{\"documentId\":12}"), "INVALID_REQUEST"),
        ["types: an argument of the wrong type"] = (() => PostQuery("{ incidents(first: \"ten\") { totalCount } }"), "ARGUMENTS_OF_CORRECT_TYPE"),
        ["types: an object where an id belongs"] = (() => PostQuery("{ incident(id: { a: 1 }) { id } }"), "ARGUMENTS_OF_CORRECT_TYPE"),
        ["operations: unknown operation name"] = (() => PostQuery("query A { viewer { role } }", operationName: "DropTables"), "INVALID_OPERATION_NAME"),
        ["operations: two anonymous operations"] = (() => PostQuery("{ viewer { role } } { viewer { isUser } }"), "NO_OPERATION_NAME"),
        ["operations: a mutation field that does not exist"] = (() => PostQuery("mutation { deleteEverything }"), "FIELDS_ON_CORRECT_TYPE"),
        ["operations: a duplicated operation name"] = (() => PostQuery("query A { viewer { role } } query A { viewer { role } }", operationName: "A"), "UNIQUE_OPERATION_NAMES"),
        ["batch: an array of 100 requests"] = (() => Post("[" + string.Join(",", Enumerable.Repeat("{\"query\":\"{ viewer { role } }\"}", 100)) + "]"), "BATCH_NOT_SUPPORTED"),
        ["batch: an empty array"] = (() => Post("[]"), "BATCH_NOT_SUPPORTED"),
        ["documents: an unknown documentId"] = (() => Post("{\"documentId\":\"sha256:" + new string('0', 64) + "\"}"), "DOCUMENT_NOT_FOUND"),
        ["documents: a malformed documentId"] = (() => Post("{\"documentId\":\"md5:abc\"}"), "DOCUMENT_ID_INVALID"),
        ["documents: both query and documentId"] = (() => Post("{\"query\":\"{ viewer { role } }\",\"documentId\":\"sha256:" + new string('0', 64) + "\"}"), "INVALID_REQUEST"),
        ["paging: a page size above the maximum"] = (() => PostQuery("{ incidents(first: 100000) { totalCount } }"), "INVALID_PAGE_SIZE"),
        ["paging: a huge page of nodes"] = (() => PostQuery("{ incidents(first: 100000) { nodes { id } } }"), LimitErrorCodes.MaxCostExceeded),
        ["paging: a negative page size"] = (() => PostQuery("{ incidents(first: -1) { nodes { id } } }"), "INVALID_PAGE_SIZE"),
        ["paging: a forged cursor"] = (() => PostQuery("{ incidents(after: \"b2Zmc2V0Oi05OTk5OTk5OTk5OTk=\") { nodes { id } } }"), "INVALID_CURSOR"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_request_gets_a_4xx_or_a_graphql_error_with_a_code_and_the_hub_stays_up(string name)
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var (request, code) = Corpus[name];

        var answer = await client.SendAsync(request);

        Assert.True((int)answer.Status < 500, answer.ToString());
        Assert.True(answer.Body is { ValueKind: JsonValueKind.Object }, answer.ToString());
        Assert.NotEmpty(answer.Errors);
        Assert.All(answer.Codes, c => Assert.False(string.IsNullOrEmpty(c), answer.ToString()));
        Assert.True(answer.Codes.Contains(code), $"expected {code}: {answer}");
        Assert.DoesNotContain("Exception", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Veiligheid.", answer.Text, StringComparison.Ordinal);
        if ((int)answer.Status >= 400) Assert.False(answer.HasData, answer.ToString());

        var normal = await client.SendAsync(() => PostQuery("{ viewer { role } }"));
        Assert.True(normal.Status == HttpStatusCode.OK, normal.ToString());
        Assert.Equal("Politie", normal.Data.GetProperty("viewer").GetProperty("role").GetString());
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(4_000, false)]
    [InlineData(300_000, false)]
    [InlineData(0, true)]
    [InlineData(300_000, true)]
    public async Task A_body_is_read_whole_with_or_without_its_length(int padding, bool sized)
    {
        // Without Content-Length, or with one past the first buffer the hub takes on its word, the hub grows its buffer as
        // the body arrives; JSON white space pads the body past several growths without making the document longer.
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var body = Encoding.UTF8.GetBytes("{\"query\":\"{ viewer { role } }\"" + new string(' ', padding) + "}");

        var answer = await client.SendAsync(() => Post(sized
            ? new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } }
            : new UnsizedContent(body)));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("Politie", answer.Data.GetProperty("viewer").GetProperty("role").GetString());
    }

    /// <summary>A body whose length is not known up front: sent without Content-Length.</summary>
    private sealed class UnsizedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnsizedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
