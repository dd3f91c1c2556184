using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>
/// The columns' collations and the indexes a SQL Server migration script leaves, found by replaying its statements in
/// order (parsed with ScriptDom, also the ones it runs through <c>EXEC(N'...')</c>): CREATE TABLE, ADD (a column to a
/// table made earlier), ALTER COLUMN, CREATE INDEX and DROP INDEX, the statements the migrations use for these. Also every ALTER COLUMN of a column that an
/// index holds at that point, which SQL Server refuses (error 5074).
/// </summary>
public sealed class MigratedSchema : TSqlFragmentVisitor
{
    private readonly Dictionary<(string Table, string Column), string?> _collations = [];
    private readonly Dictionary<(string Table, string Name), (bool Unique, string[] Columns)> _indexes = [];
    private readonly List<string> _alteredUnderAnIndex = [];

    private MigratedSchema() { }

    /// <summary>The schema <paramref name="script"/> leaves; it must parse without errors.</summary>
    public static MigratedSchema Of(string script)
    {
        var schema = new MigratedSchema();
        Parse(script).Accept(schema);
        return schema;
    }

    /// <summary>The collation the column was last given (null: the database's default).</summary>
    public string? CollationOf(string table, string column)
        => _collations.TryGetValue((table, column), out var collation) ? collation : throw new InvalidOperationException($"The script makes no column {table}.{column}.");

    /// <summary>Whether a unique index on exactly these columns, in this order, is left on the table.</summary>
    public bool HasUniqueIndex(string table, params string[] columns)
        => _indexes.Any(i => i.Key.Table == table && i.Value.Unique && i.Value.Columns.SequenceEqual(columns));

    /// <summary>"Table.Column (index)" for each ALTER COLUMN made while an index held the column.</summary>
    public IReadOnlyList<string> AlteredUnderAnIndex => _alteredUnderAnIndex;

    public override void ExplicitVisit(CreateTableStatement node)
    {
        var table = node.SchemaObjectName.BaseIdentifier.Value;
        foreach (var column in node.Definition.ColumnDefinitions)
            _collations[(table, column.ColumnIdentifier.Value)] = column.Collation?.Value;
        base.ExplicitVisit(node);
    }

    /// <summary>A column added to a table made by an earlier migration (an externalId on a table that had none).</summary>
    public override void ExplicitVisit(AlterTableAddTableElementStatement node)
    {
        var table = node.SchemaObjectName.BaseIdentifier.Value;
        foreach (var column in node.Definition.ColumnDefinitions)
            _collations[(table, column.ColumnIdentifier.Value)] = column.Collation?.Value;
        base.ExplicitVisit(node);
    }

    public override void ExplicitVisit(AlterTableAlterColumnStatement node)
    {
        var table = node.SchemaObjectName.BaseIdentifier.Value;
        var column = node.ColumnIdentifier.Value;
        foreach (var index in _indexes.Where(i => i.Key.Table == table && i.Value.Columns.Contains(column)))
            _alteredUnderAnIndex.Add($"{table}.{column} ({index.Key.Name})");
        if (node.DataType is not null) _collations[(table, column)] = node.Collation?.Value;
        base.ExplicitVisit(node);
    }

    public override void ExplicitVisit(CreateIndexStatement node)
    {
        _indexes[(node.OnName.BaseIdentifier.Value, node.Name.Value)] =
            (node.Unique, [.. node.Columns.Select(c => c.Column.MultiPartIdentifier.Identifiers[^1].Value)]);
        base.ExplicitVisit(node);
    }

    public override void ExplicitVisit(DropIndexStatement node)
    {
        foreach (var clause in node.DropIndexClauses.OfType<DropIndexClause>())
            _indexes.Remove((clause.Object.BaseIdentifier.Value, clause.Index.Value));
        base.ExplicitVisit(node);
    }

    /// <summary>EF Core runs some statements of an idempotent script as dynamic SQL; a literal one is replayed too.</summary>
    public override void ExplicitVisit(ExecuteStatement node)
    {
        if (node.ExecuteSpecification.ExecutableEntity is ExecutableStringList { Strings: var strings } && strings.All(s => s is StringLiteral))
            Parse(string.Concat(strings.Cast<StringLiteral>().Select(s => s.Value))).Accept(this);
        base.ExplicitVisit(node);
    }

    private static TSqlFragment Parse(string sql)
    {
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors.Select(e => $"line {e.Line}: {e.Message}")));
        return fragment;
    }
}
