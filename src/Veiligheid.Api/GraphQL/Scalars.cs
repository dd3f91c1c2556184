using System.Globalization;
using GraphQL.Types;
using GraphQLParser.AST;
using Veiligheid.Locations;
using Veiligheid.Persons;

namespace Veiligheid.GraphQL;

/// <summary>A calendar date, ISO 8601 (yyyy-MM-dd).</summary>
public sealed class DateScalar : ScalarGraphType
{
    public DateScalar()
    {
        Name = "Date";
        Description = "A calendar date in ISO 8601 form, e.g. 2026-03-01.";
    }

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s => ParseValue((string)s.Value),
        _ => ThrowLiteralConversionError(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        DateOnly d => d,
        string s when DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => ThrowSerializationError(value),
    };
}

/// <summary>A moment in time, ISO 8601 in UTC (the hub stores every time as UTC).</summary>
public sealed partial class DateTimeScalar : ScalarGraphType
{
    public DateTimeScalar()
    {
        Name = "DateTime";
        Description = "A moment in time in ISO 8601 form. The hub answers in UTC (suffix Z); input with an offset is converted to UTC.";
    }

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s => ParseValue((string)s.Value),
        _ => ThrowLiteralConversionError(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        DateTime d => d.ToUniversalTime(),
        string s when IsoForm().IsMatch(s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) => d.UtcDateTime,
        _ => ThrowValueConversionError(value),
    };

    /// <summary>
    /// ISO 8601's date and time (a date alone, or with hours and minutes, seconds and fractions, and Z or an offset):
    /// checked before parsing, because .NET's parser also takes "03-04-2026" (read as 4 March, where a Dutch partner
    /// means 3 April) and other culture-shaped text, which would be stored silently as another moment.
    /// </summary>
    /// <remarks>ASCII digits only (<c>\d</c> would take any script's) and <c>\z</c>, not <c>$</c>, which lets a final newline through.</remarks>
    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex IsoForm();

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        // SQLite hands back Unspecified kinds; every stored time is UTC.
        DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        _ => ThrowSerializationError(value),
    };
}

/// <summary>Base for string scalars with a format rule.</summary>
public abstract class FormattedStringScalar : ScalarGraphType
{
    protected abstract bool IsValid(string value);

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s => ParseValue((string)s.Value),
        _ => ThrowLiteralConversionError(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string s when IsValid(s) => s,
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string s => s,
        _ => ThrowSerializationError(value),
    };
}

/// <summary>Burgerservicenummer.</summary>
public sealed class BsnScalar : FormattedStringScalar
{
    public BsnScalar()
    {
        Name = "BSN";
        Description = "A burgerservicenummer: nine digits that pass the 11-proef. Input that does not is rejected.";
    }

    protected override bool IsValid(string value) => Bsn.IsValid(value);
}

/// <summary>BAG verblijfsobject id.</summary>
public sealed class BagIdScalar : FormattedStringScalar
{
    public BagIdScalar()
    {
        Name = "BagId";
        Description = "A BAG verblijfsobject id: 16 digits, municipality code + 01 + serial. A string, because leading zeros matter.";
    }

    protected override bool IsValid(string value) => AreaCodes.IsBagVerblijfsobjectId(value);
}

/// <summary>A domain enum exposed with the descriptions declared on it ([Description] on the enum and its values).</summary>
public sealed class DomainEnumType<TEnum> : global::GraphQL.Types.EnumerationGraphType<TEnum> where TEnum : Enum
{
    public DomainEnumType()
    {
        Description ??= (typeof(TEnum).GetCustomAttributes(typeof(System.ComponentModel.DescriptionAttribute), false)
            .FirstOrDefault() as System.ComponentModel.DescriptionAttribute)?.Description;
    }
}
