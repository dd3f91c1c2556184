using System.Data.Common;
using System.Globalization;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Veiligheid.Tests.Query;

/// <summary>
/// The compiled read path's T-SQL dialect without a server: for the whole differential corpus, every operation the
/// SQLite dialect compiles is compiled for SQL Server too (a SQL Server DbContext whose connection is never opened: EF
/// Core makes the commands without one), and every statement parses as T-SQL with zero errors, keeps the T-SQL rules
/// on ORDER BY and FOR JSON, and carries the same row queries as the SQLite statement. Running them is the Azure
/// pipeline's job (<see cref="Data.SqlServerReadPathDifferentialTests"/>).
/// </summary>
public sealed class TSqlCompiledReadTests(HubFactory hub, ITestOutputHelper output) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Every_corpus_operation_compiled_for_SQLite_compiles_to_T_SQL_that_parses_and_keeps_the_same_rows()
    {
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();
        await using var scope = hub.Services.CreateAsyncScope();
        var sqlite = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        await using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var compiled = 0;
        var levels = 0;
        var failures = new List<string>();
        foreach (var (i, caller, operation) in ReadPathDifferentialTests.Corpus(schemas))
        {
            var access = AccessPolicy.For(caller);
            var onSqlite = await CompileAsync(schemas, access, sqlite, operation, scope.ServiceProvider);
            var onSqlServer = await CompileAsync(schemas, access, sqlServer, operation, scope.ServiceProvider);
            if (onSqlite is null)
            {
                if (onSqlServer is not null) failures.Add($"#{i}: compiled for SQL Server but not for SQLite:\n{operation}");
                continue;
            }
            compiled++;
            if (onSqlServer is null)
            {
                failures.Add($"#{i}: compiled for SQLite but not for SQL Server:\n{operation}");
                continue;
            }
            var plan = onSqlServer.ToPlan(null);
            var problems = TSqlProblems(plan.Sql)
                .Concat(SameParameters(onSqlite.ToPlan(null), plan))
                .Concat(OnlyTheOrderMoved(onSqlServer))
                .ToList();
            levels += onSqlServer.Levels.Count;
            if (problems.Count > 0) output.WriteLine($"#{i}: {string.Join(" | ", problems.Select(p => p.Length > 300 ? p[..300] : p))}");
            if (problems.Count > 0) failures.Add($"#{i} {caller.Role}/{caller.OrganisationKey}/{caller.Purpose}:\n{operation}\n{string.Join("\n", problems)}\n{plan.Sql}");
        }
        output.WriteLine($"{compiled} operations compiled for SQLite and SQL Server ({levels} row queries), {failures.Count} failures.");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
        // As many as take the compiled path in the differential suite: not a vacuous pass.
        Assert.True(compiled >= ReadPathDifferentialTests.Operations / 3, $"only {compiled} operations compiled");
    }

    [Fact]
    public async Task A_list_ordered_through_a_navigation_is_ordered_where_its_JSON_array_is_made()
    {
        // A person's cases, newest case first (ties: by case id): both keys are the linked case's columns, outside the
        // link rows' derived table.
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();
        await using var scope = hub.Services.CreateAsyncScope();
        await using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, HubFactory.DefaultPurposeOf(HubRole.GemeenteCoordinator));
        var read = await CompileAsync(schemas, AccessPolicy.For(caller), sqlServer, "{ persons(first: 3) { nodes { id cases { role case { title } } } } }", scope.ServiceProvider);
        Assert.NotNull(read);
        var sql = read.ToPlan(null).Sql;
        Assert.Empty(TSqlProblems(sql));
        output.WriteLine(sql);
        // The tie-breaker is the case's id (the nested list's documented order), read as the link's own foreign key: the
        // same value, with no look-up of the case.
        Assert.Matches(@"ORDER BY \(SELECT \[c\d*\]\.\[OpenedAt\]\s+FROM [^()]*\) DESC, r\d+\.\[CaseId\] DESC FOR JSON PATH, INCLUDE_NULL_VALUES", sql);
    }

    [Fact]
    public void The_compiled_path_is_switched_per_provider_and_off_for_SQL_Server_by_default()
    {
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        using var scope = hub.Services.CreateScope();
        var sqlite = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        Assert.False(new CompiledReadOptions().EnabledFor(sqlServer));
        Assert.True(new CompiledReadOptions { SqlServer = true }.EnabledFor(sqlServer));
        Assert.False(new CompiledReadOptions { Sqlite = false }.EnabledFor(sqlServer));
        Assert.True(new CompiledReadOptions().EnabledFor(sqlite));
        Assert.False(new CompiledReadOptions { Sqlite = false, SqlServer = true }.EnabledFor(sqlite));
        Assert.Same(TSqlJsonDialect.Instance, SqlJsonDialects.For(sqlServer));
        Assert.Same(SqliteJsonDialect.Instance, SqlJsonDialects.For(sqlite));
    }

    /// <summary>Compiles one operation for this caller on this context without running it; null when it is for the reference path.</summary>
    private static async Task<CompiledRead?> CompileAsync(SchemaRegistry schemas, CallerAccess access, VeiligheidDbContext db, string operation, IServiceProvider services)
    {
        var capture = new CaptureStrategy();
        var executer = new DocumentExecuter(new GraphQLDocumentBuilder(), new DocumentValidator(),
            new DefaultExecutionStrategySelector([new ExecutionStrategyRegistration(capture, OperationType.Query)]), []);
        var result = await executer.ExecuteAsync(options =>
        {
            options.Schema = schemas.For(access.Caller.Role, access.Purpose);
            options.Query = operation;
            options.UserContext = new RequestContext(access, db) { CompiledReads = true };
            options.RequestServices = services;
            options.ThrowOnUnhandledException = true;
        });
        // Some corpus operations are invalid on purpose (the reference path answers them with errors): nothing compiles.
        return result.Errors is { Count: > 0 } ? null : capture.Read;
    }

    /// <summary>Compiles the operation as the compiled path would, and answers nothing.</summary>
    private sealed class CaptureStrategy : SerialExecutionStrategy
    {
        private readonly CompiledReadStrategy _compiler = new(new ReadPlanCache());

        public CompiledRead? Read { get; private set; }

        public override Task<ExecutionResult> ExecuteAsync(global::GraphQL.Execution.ExecutionContext context)
        {
            Read = _compiler.TryCompile(context, (RequestContext)context.UserContext);
            return Task.FromResult(new ExecutionResult { Executed = true });
        }
    }

    /// <summary>
    /// Parse errors, and what parses but SQL Server refuses or answers out of order: an ORDER BY in a subquery or derived
    /// table without TOP, OFFSET or FOR (error 1033); a FOR JSON list without ORDER BY (its order would be the engine's
    /// choice); a FOR JSON without INCLUDE_NULL_VALUES (a null field would be missing from the response).
    /// </summary>
    internal static IEnumerable<string> TSqlProblems(string sql)
    {
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        foreach (var error in errors) yield return $"parse error at {error.Line}:{error.Column}: {error.Message}";
        if (errors.Count > 0) yield break;
        var checker = new Checker();
        fragment.Accept(checker);
        if (checker.ForJson == 0) yield return "no FOR JSON";
        foreach (var problem in checker.Problems) yield return problem;
    }

    private sealed class Checker : TSqlFragmentVisitor
    {
        public List<string> Problems { get; } = [];
        public int ForJson { get; private set; }

        public override void Visit(QuerySpecification node)
        {
            if (node.OrderByClause is not null && node.TopRowFilter is null && node.OffsetClause is null && node.ForClause is null)
                Problems.Add($"ORDER BY without TOP, OFFSET or FOR at line {node.StartLine}, column {node.StartColumn}");
            if (node.ForClause is JsonForClause json)
            {
                ForJson++;
                var options = json.Options.Select(o => o.OptionKind).ToList();
                if (!options.Contains(JsonForClauseOptions.Path)) Problems.Add($"FOR JSON without PATH at line {node.StartLine}");
                if (!options.Contains(JsonForClauseOptions.IncludeNullValues)) Problems.Add($"FOR JSON without INCLUDE_NULL_VALUES at line {node.StartLine}");
                if (!options.Contains(JsonForClauseOptions.WithoutArrayWrapper) && node.OrderByClause is null)
                    Problems.Add($"a FOR JSON list without ORDER BY at line {node.StartLine}, column {node.StartColumn}");
            }
            base.Visit(node);
        }
    }

    /// <summary>
    /// The caller's rule values, the filter's, the cursor's and the page sizes are parameters of the row queries: the
    /// T-SQL statement must carry exactly the SQLite statement's, so no row query of it lost a rule or a filter.
    /// </summary>
    private static IEnumerable<string> SameParameters(ReadPlan sqlite, ReadPlan sqlServer)
    {
        // Text without LIKE's % at either end: EF Core tests "contains" with instr() on SQLite and with LIKE '%…%' on SQL Server.
        static string Value(object? value) => value switch
        {
            null or DBNull => "null",
            string text => text.Trim('%'),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        var expected = sqlite.Parameters.Select(p => Value(p.Value)).Order(StringComparer.Ordinal).ToList();
        var actual = sqlServer.Parameters.Select(p => Value(p.Value)).Order(StringComparer.Ordinal).ToList();
        if (!expected.SequenceEqual(actual))
            yield return $"parameters differ: SQLite [{string.Join(", ", expected)}], SQL Server [{string.Join(", ", actual)}]";
    }

    /// <summary>
    /// Each row query whose order was taken out for T-SQL, ordered again by the keys taken out, translates to exactly the
    /// SQL of the row query the compiler was given: only the order's place changed, no predicate was dropped.
    /// </summary>
    private static IEnumerable<string> OnlyTheOrderMoved(CompiledRead read)
    {
        foreach (var level in read.Levels)
        {
            if (ReferenceEquals(level.Rows, level.Given)) continue;
            var given = Sql(level.Given);
            var again = Sql(QueryOrder.Reorder(level.Rows, level.Order));
            if (given != again) yield return $"a row query changed beyond its order:\n  given: {given}\n  sent, reordered: {again}";
            if (Sql(level.Rows).Contains("ORDER BY", StringComparison.Ordinal)) yield return $"an order left in a row query: {Sql(level.Rows)}";
        }

        static string Sql(IQueryable query)
        {
            using DbCommand command = query.CreateDbCommand();
            return command.CommandText;
        }
    }
}
