using Veiligheid.GraphQL;
using Veiligheid.Locations;

namespace Veiligheid.Tests.GraphQL;

/// <summary>What the hub accepts as a moment in time and as free text from a partner.</summary>
public sealed class InputFormatTests
{
    [Theory]
    [InlineData("2026-03-04", "2026-03-04T00:00:00")]
    [InlineData("2026-03-04T10:00", "2026-03-04T10:00:00")]
    [InlineData("2026-03-04T10:00:00Z", "2026-03-04T10:00:00")]
    [InlineData("2026-03-04T10:00:00.1234567Z", "2026-03-04T10:00:00.1234567")]
    [InlineData("2026-03-04T12:00:00+02:00", "2026-03-04T10:00:00")]
    public void An_ISO_8601_moment_is_read_as_UTC(string text, string expectedUtc)
    {
        var parsed = Assert.IsType<DateTime>(new DateTimeScalar().ParseValue(text));

        Assert.Equal(DateTime.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), parsed);
        Assert.Equal(DateTimeKind.Utc, parsed.Kind);
    }

    [Theory]
    [InlineData("03-04-2026 10:00")] // a Dutch partner means 3 April; .NET's own parser reads 4 March
    [InlineData("03/04/2026")]
    [InlineData("March 4, 2026")]
    [InlineData("Wed, 04 Mar 2026 10:00:00 GMT")]
    [InlineData("2026-3-4")]
    [InlineData("2026-03-04 10:00:00")]
    [InlineData("2026-03-04T10:00:00Z trailing")]
    [InlineData("2026-03-04\n")]
    [InlineData("2026-03-04T10:00:00Z\n")]
    [InlineData("\uff12\uff10\uff12\uff16-03-04")] // fullwidth digits
    public void Any_other_form_of_a_moment_is_refused(string text)
    {
        Assert.ThrowsAny<Exception>(() => new DateTimeScalar().ParseValue(text));
    }

    [Theory]
    [InlineData("Overlast\u0000Kerkpad")]
    [InlineData("Jan\u0007")]
    [InlineData("\u001bTitel")]
    [InlineData("Regel\u007f")]
    public void Free_text_with_a_control_character_is_refused(string text)
    {
        var errors = new InputErrors();

        errors.Text("title", text, 200, required: true);

        var error = Assert.Single(errors);
        Assert.Equal("title", error.Field);
    }

    [Theory]
    [InlineData("Overlast Kerkpad")]
    [InlineData("Eerste regel\nTweede regel\r\nmet\ttab")]
    public void Free_text_with_tabs_and_line_breaks_is_accepted(string text)
    {
        var errors = new InputErrors();

        errors.Text("title", text, 200, required: true);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("0599010000000001\n")]
    [InlineData("WK059901\n")]
    [InlineData("BU05990101\n")]
    [InlineData("3601GT\n")]
    public void A_register_code_with_a_final_newline_is_not_a_code(string text)
    {
        Assert.False(AreaCodes.IsBagVerblijfsobjectId(text) || AreaCodes.IsDistrictCode(text) || AreaCodes.IsNeighbourhoodCode(text) || AreaCodes.IsPostcode(text));
        Assert.True(AreaCodes.IsBagVerblijfsobjectId(text.TrimEnd()) || AreaCodes.IsDistrictCode(text.TrimEnd())
            || AreaCodes.IsNeighbourhoodCode(text.TrimEnd()) || AreaCodes.IsPostcode(text.TrimEnd()));
    }
}
