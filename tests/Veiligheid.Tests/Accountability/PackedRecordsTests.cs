using System.Buffers;
using System.Text;
using Veiligheid.Accountability;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// The two ways the packed form is read and written without strings (the indexer's <see cref="PackedRecords.ReadSubjects"/>,
/// the SQLite writer's <see cref="PackedRecords.WriteUtf8"/>) against the ones that make them: the same text, the same
/// subjects, the same refusals.
/// </summary>
public sealed class PackedRecordsTests
{
    private static readonly string Bsn = new('c', 64);

    public static TheoryData<string> Texts => new()
    {
        // The hub's own form, and null ids and BSNs.
        $"[[1,\"{Bsn}\",\"Identiteit,Casus\",\"Normaal\"],[null,\"{Bsn}\",\"Zorg\",\"Vertrouwelijk\"],[3,null,\"Identiteit\",\"Normaal\"]]",
        // Escaped values (the hub never writes them; an edit can): read as their text.
        $"[[1,\"\\u0063{Bsn[1..]}\",\"Identiteit\",\"Normaal\"]]",
        "[[1,\"ab\\u0063\",\"Ident\\u0069teit\",\"Norm\\u0061al\"]]",
        // Short and non-hex protected BSNs: no key.
        "[[1,\"abc\",\"Identiteit\",\"Normaal\"],[2,\"zzzzzzzzzzzzzzzzzzzz\",\"Identiteit\",\"Normaal\"]]",
        // Refused by both.
        "[[1,\"\\ud800\",\"Identiteit\",\"Normaal\"]]",
        "[[1,\"ab\",\"\\ud800\",\"Normaal\"]]",
        "[[1,\"ab\",\"Identiteit\",\"normaal\"]]",
        "[[1,\"ab\",\"Identiteit\",\"Geheim\"]]",
        "[[1,\"ab\",\"Identiteit\",0]]",
        "[[1,\"ab\",\"Identiteit\"]]",
        "[[1,\"ab\",null,\"Normaal\"]]",
        "[[\"1\",\"ab\",\"Identiteit\",\"Normaal\"]]",
        "[[1,2,\"Identiteit\",\"Normaal\"]]",
        "[[1,\"ab\",\"Identiteit\",\"Normaal\"]] x",
        "[1]",
        "{}",
        "[]",
        "not json",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void The_indexers_reader_finds_the_subjects_the_records_name_and_refuses_what_the_records_reader_refuses(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        List<PackedRecord>? records = null;
        string? refused = null;
        try
        {
            records = PackedRecords.Read(utf8);
        }
        catch (FormatException e)
        {
            refused = e.Message;
        }

        var subjects = new List<(int? PersonId, long? BsnKey)>();
        if (records is null)
        {
            Assert.NotNull(refused);
            Assert.Throws<FormatException>(() => PackedRecords.ReadSubjects(utf8, subjects));
            return;
        }
        PackedRecords.ReadSubjects(utf8, subjects);
        Assert.Equal(records.Select(r => (r.PersonId, ProcessingLogIndex.KeyOf(r.ProtectedBsn))), subjects);
    }

    /// <summary>
    /// Texts that are not UTF-8 in a string the subjects' reader takes no string of (SQLite keeps whatever bytes an edit
    /// stores as text, and the SQLite copier reads them as stored): the records' reader refuses them (no string can be
    /// made of them), so the indexer must stop there too rather than index an action verify-log reports.
    /// </summary>
    [Theory]
    [InlineData("[[1,\"ab\",\"Ident", "ff", "iteit\",\"Normaal\"]]")] // a byte no UTF-8 text has, in the categories
    [InlineData("[[1,\"ab\",\"Ident", "c3", "\",\"Normaal\"]]")] // a sequence cut short
    [InlineData("[[1,\"ab\",\"Ident", "eda080", "\",\"Normaal\"]]")] // a surrogate encoded as UTF-8
    [InlineData("[[1,\"ab\",\"Ident", "c0af", "\",\"Normaal\"]]")] // an overlong encoding
    [InlineData("[[1,\"cccccccccccccccc", "ff", "\",\"Identiteit\",\"Normaal\"]]")] // after a protected BSN's key digits
    [InlineData("[[1,\"ab", "ff", "\",\"Identiteit\",\"Normaal\"]]")] // in a protected BSN too short for a key
    [InlineData("[[1,\"ab\",\"Identiteit\",\"Normaal", "ff", "\"]]")] // in the confidentiality
    public void The_indexers_reader_refuses_strings_that_are_not_UTF8_as_the_records_reader_does(string before, string hex, string after)
    {
        byte[] utf8 = [.. Encoding.UTF8.GetBytes(before), .. Convert.FromHexString(hex), .. Encoding.UTF8.GetBytes(after)];
        Assert.Throws<FormatException>(() => PackedRecords.Read(utf8));
        Assert.Throws<FormatException>(() => PackedRecords.ReadSubjects(utf8, []));
    }

    [Fact]
    public void Escaped_values_read_as_their_text()
    {
        var record = Assert.Single(PackedRecords.Read(Encoding.UTF8.GetBytes("[[1,\"ab\\u0063\",\"Ident\\u0069teit\",\"Norm\\u0061al\"]]")));
        Assert.Equal((1, "abc", "Identiteit", ProcessingConfidentiality.Normaal), (record.PersonId!.Value, record.ProtectedBsn, record.Categories, record.Confidentiality));
    }

    [Fact]
    public void The_writers_UTF8_is_the_text_of_the_stored_form()
    {
        var request = ChainedRecords.Request(1, 2, 3);
        request[1].PersonId = null;
        request[2].ProtectedBsn = null;
        request[2].Categories = "Identiteit,Zorg \"é\"";
        request[2].Confidentiality = ProcessingConfidentiality.Vertrouwelijk;

        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("earlier bytes"u8);
        PackedRecords.WriteUtf8(request, buffer);

        Assert.Equal(PackedRecords.Write(request), Encoding.UTF8.GetString(buffer.WrittenSpan["earlier bytes".Length..]));
    }
}
