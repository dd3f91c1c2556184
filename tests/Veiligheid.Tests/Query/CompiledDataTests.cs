using System.Text;
using System.Text.Json.Nodes;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.GraphQL;
using Veiligheid.GraphQL.Compiled;

namespace Veiligheid.Tests.Query;

/// <summary>
/// The pass over a compiled statement's JSON (<see cref="CompiledData.From"/>): ids become global ids, the processing
/// markers go (to the processing log, never into the response), and everything else stays byte for byte.
/// </summary>
public sealed class CompiledDataTests
{
    private static readonly IReadOnlyList<NodeProcessing> Processing =
    [
        new(Veiligheid.GraphQL.Compiled.ProcessedPerson.ItsOwnId, [DataCategory.Identiteit]),
        new(Veiligheid.GraphQL.Compiled.ProcessedPerson.ByPersonId(DataCategory.Casus), [DataCategory.Casus]), // a link row notes its own category (NotedOfRow)
    ];

    [Theory]
    // A marker first, in the middle, last and alone in its object; with and without white space around it.
    [InlineData("""{"$p:0":[5,"123456782"],"a":1}""", """{"a":1}""")]
    [InlineData("""{"a":1,"$p:1":6,"b":"x"}""", """{"a":1,"b":"x"}""")]
    [InlineData("""{"a":1,"$p:1":6}""", """{"a":1}""")]
    [InlineData("""{"$p:1":6}""", """{}""")]
    [InlineData("""{ "a" : 1 , "$p:1" : 6 }""", """{ "a" : 1  }""")] // the white space around a removed member may stay
    [InlineData("""{ "$p:1" : 6 , "a" : [ 1 , 2 ] }""", """{  "a" : [ 1 , 2 ] }""")]
    // A marker without a person (an outer join found none) goes as well.
    [InlineData("""{"a":null,"$p:0":[null,null]}""", """{"a":null}""")]
    // Ids, null ids, markers in arrays of objects, and a string that looks like a marker stays a string.
    [InlineData("""{"$id:Case:id":42,"kind":"$p:1","list":[{"$id:Person:pid":null,"$p:1":7},{"$p:1":8,"n":"é\"\\"}]}""",
        """{"id":"Q2FzZTo0Mg","kind":"$p:1","list":[{"pid":null},{"n":"é\"\\"}]}""")]
    // Marks are found by their bytes, so what looks like one inside a string, or as an array's element, stays; a string
    // that ends in an escaped backslash still ends there.
    [InlineData("""{"a":"x\",\"$p:1\":6","b":["$p:1","$id:Case:id"],"$p:1":6}""", """{"a":"x\",\"$p:1\":6","b":["$p:1","$id:Case:id"]}""")]
    [InlineData("""{"a":"x\\","$p:1":6,"b":{"$p:1":7}}""", """{"a":"x\\","b":{}}""")]
    [InlineData("""[{"$id:Case:id":1},"$p:1",{ "$id:Case:id" : 2 }]""", """[{"id":"Q2FzZTox"},"$p:1",{ "id":"Q2FzZToy" }]""")]
    public void Markers_are_rewritten_or_removed_and_everything_else_is_kept_byte_for_byte(string statement, string response)
    {
        var collector = new ProcessingCollector();

        var data = CompiledData.From(Encoding.UTF8.GetBytes(statement), Processing, collector);

        Assert.Equal(response, Encoding.UTF8.GetString(data.Utf8.Span));
        Assert.NotNull(JsonNode.Parse(data.Utf8.Span)); // valid JSON
    }

    [Fact]
    public void The_persons_behind_the_markers_go_to_the_processing_log_with_their_bsn_and_categories()
    {
        var collector = new ProcessingCollector();
        var statement = """{"cases":[{"$p:1":6,"subjects":[{"$p:0":[5,"123456782"],"name":"x"},{"$p:0":[6,"111222333"]}]}]}""";

        var data = CompiledData.From(Encoding.UTF8.GetBytes(statement), Processing, collector);

        Assert.Equal("""{"cases":[{"subjects":[{"name":"x"},{}]}]}""", Encoding.UTF8.GetString(data.Utf8.Span));
        var persons = collector.Persons.ToDictionary(p => p.PersonId!.Value);
        Assert.Equal([5, 6], persons.Keys.Order());
        Assert.Equal("123456782", persons[5].Bsn);
        Assert.Equal([DataCategory.Identiteit], persons[5].Categories);
        Assert.Equal("111222333", persons[6].Bsn);
        Assert.Equal([DataCategory.Identiteit, DataCategory.Casus], persons[6].Categories.Order());
    }

    [Fact]
    public void A_list_whose_filter_names_persons_notes_them_once_for_each_mark_and_its_mark_goes()
    {
        var collector = new ProcessingCollector();
        IReadOnlyList<NamedPersons> named =
        [
            new NamedPersons([new NamedPerson(null, "111222333", [DataCategory.Melding, DataCategory.Identiteit])]),
            new NamedPersons([new NamedPerson(9, null, [DataCategory.Casus, DataCategory.Identiteit])]),
        ];
        // The root list's mark beside it; the nested list's in each parent row (none when no parent came back).
        var statement = """{"incidents":{"totalCount":0},"$n:0":1,"cases":[{"id":1,"$n:1":1},{"$n:1":1,"id":2}],"none":[]}""";

        var data = CompiledData.From(Encoding.UTF8.GetBytes(statement), Processing, collector, named);

        Assert.Equal("""{"incidents":{"totalCount":0},"cases":[{"id":1},{"id":2}],"none":[]}""", Encoding.UTF8.GetString(data.Utf8.Span));
        var persons = collector.Persons.ToList();
        Assert.Equal(2, persons.Count);
        Assert.Equal((9, null), (persons[0].PersonId, persons[0].Bsn));
        Assert.Equal([DataCategory.Identiteit, DataCategory.Casus], persons[0].Categories);
        Assert.Equal((null, "111222333"), (persons[1].PersonId, persons[1].Bsn));
        Assert.Equal([DataCategory.Identiteit, DataCategory.Melding], persons[1].Categories);
    }

    [Fact]
    public void Global_ids_are_the_ones_the_schema_decodes()
    {
        var data = CompiledData.From("""{"$id:Intervention:id":2147483647}"""u8.ToArray(), Processing, new ProcessingCollector());

        var id = JsonNode.Parse(data.Utf8.Span)!["id"]!.GetValue<string>();
        Assert.Equal(GlobalId.Encode("Intervention", int.MaxValue), id);
        Assert.True(GlobalId.TryDecode(id, "Intervention", out var decoded));
        Assert.Equal(int.MaxValue, decoded);
    }
}
