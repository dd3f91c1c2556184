using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veiligheid.Data;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Query;
using Xunit.Abstractions;

namespace Veiligheid.Tests.Data;

/// <summary>
/// The differential suite (<see cref="ReadPathDifferentialTests"/>) against a real SQL Server: the compiled path's T-SQL
/// statements and the reference path answer the whole generated corpus with the same data, errors and logged persons.
/// Runs in the Azure pipeline's SQL Server job (VEILIGHEID_TEST_SQLSERVER holds the connection string, as for
/// <see cref="SqlServerDifferentialTests"/>, whose database name gets "ReadPath" appended; migrated and seeded on start;
/// GraphQL__CompiledReads__SqlServer=true switches the path on); skipped elsewhere, as in .ci/run.
/// </summary>
[Trait("Category", "SqlServer")]
public sealed class SqlServerReadPathDifferentialTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Compiled_and_reference_paths_answer_every_generated_operation_alike_on_SQL_Server()
    {
        Skip.If(string.IsNullOrEmpty(SqlServerHub.ConnectionString), "VEILIGHEID_TEST_SQLSERVER is not set: no SQL Server to test against.");

        // A database of its own: SqlServerDifferentialTests may migrate and seed theirs at the same time.
        await using var sqlServer = new SqlServerHub(SqlServerHub.OwnDatabase("ReadPath"));
        using (var scope = sqlServer.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            Assert.True(scope.ServiceProvider.GetRequiredService<IOptions<CompiledReadOptions>>().Value.EnabledFor(db),
                "The compiled path is off for SQL Server: set GraphQL__CompiledReads__SqlServer=true for this run.");
        }
        var (compiled, _, failures) = await ReadPathDifferentialTests.CompareCorpusAsync(sqlServer.Services);

        // The same corpus on SQLite: every operation compiled there must be answered by a T-SQL statement here. A
        // statement SQL Server refuses falls back to the reference path (and would compare equal), so this count is
        // what shows that none did.
        await using var sqlite = new HubFactory();
        var (compiledOnSqlite, _, _) = await ReadPathDifferentialTests.CompareCorpusAsync(sqlite.Services);

        output.WriteLine($"SQL Server: {compiled} operations answered by the compiled path (SQLite: {compiledOnSqlite}), {failures.Count} differences.");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)));
        Assert.True(compiled >= ReadPathDifferentialTests.Operations / 3, $"only {compiled} operations took the compiled path");
        Assert.Equal(compiledOnSqlite, compiled);
    }
}
