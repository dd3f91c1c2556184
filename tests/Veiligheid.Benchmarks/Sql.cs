using GraphQL;
using Microsoft.Data.Sqlite;
using Veiligheid.Data;

namespace Veiligheid.Benchmarks;

/// <summary>SQL pieces shared by the hand-written baselines.</summary>
public static class Sql
{
    /// <summary>CASE col WHEN 'StoredName' THEN 'GRAPHQL_NAME' … END: enums are stored by name, answered in constant case.</summary>
    public static string EnumName<TEnum>(string column) where TEnum : struct, Enum
        => "CASE " + column + string.Concat(Enum.GetNames<TEnum>().Select(n => $" WHEN '{n}' THEN '{ConstantCase(n)}'")) + " END";

    public static string ConstantCase(string name) => name.ToConstantCase();

    /// <summary>The hub's DateTime form (UTC, seconds, Z) from the stored text.</summary>
    public static string Time(string column) => $"strftime('%Y-%m-%dT%H:%M:%SZ', {column})";

    public static string TimeOf(string stored) => TimeOf(DateTime.Parse(stored, System.Globalization.CultureInfo.InvariantCulture));

    public static string TimeOf(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(DatabaseSetup.SqliteConnectionString(path));
        connection.Open();
        return connection;
    }
}
