using GraphQL.Types;

namespace Veiligheid.GraphQL;

/// <summary>A page of a connection, with the total counted only when a client asks for it.</summary>
public sealed class Page<T> : IPageInfoSource
{
    private readonly Func<int, T, string> _cursor;

    /// <summary>A page whose cursors are read off its rows (keyset cursors).</summary>
    public Page(IReadOnlyList<T> nodes, bool hasNextPage, bool hasPreviousPage, Func<int, T, string> cursor, Func<CancellationToken, Task<int>> count)
    {
        Nodes = nodes;
        HasNextPage = hasNextPage;
        HasPreviousPage = hasPreviousPage;
        _cursor = cursor;
        Count = count;
    }

    public IReadOnlyList<T> Nodes { get; }
    public bool HasNextPage { get; }
    public bool HasPreviousPage { get; }
    public Func<CancellationToken, Task<int>> Count { get; }
    public string? StartCursor => Nodes.Count > 0 ? _cursor(0, Nodes[0]) : null;
    public string? EndCursor => Nodes.Count > 0 ? _cursor(Nodes.Count - 1, Nodes[^1]) : null;
    public IEnumerable<Edge<T>> Edges => Nodes.Select((node, index) => new Edge<T>(node, _cursor(index, node)));

    /// <summary>The same page, its total counted by <paramref name="count"/> (which may wrap <see cref="Count"/>).</summary>
    public Page<T> WithCount(Func<CancellationToken, Task<int>> count) => new(Nodes, HasNextPage, HasPreviousPage, _cursor, count);

    /// <summary>The same page with each node mapped (a link row to the entity it links), keeping the rows' cursors.</summary>
    public Page<TNode> Select<TNode>(Func<T, TNode> node)
        => new([.. Nodes.Select(node)], HasNextPage, HasPreviousPage, (index, _) => _cursor(index, Nodes[index]), Count);
}

/// <summary>A node with its cursor.</summary>
public sealed record Edge<T>(T Node, string Cursor);

/// <summary>
/// The paging arguments and page sizes every connection shares. Every connection pages by key (a root list through
/// <see cref="ListQuerying.ToKeysetPageAsync{T}"/>, a nested one through its loader, <see cref="Keyset"/> for both): a
/// cursor holds its row's sort keys, so rows written while a client pages do not shift its next page.
/// </summary>
public static class Paging
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    public static QueryArgument[] Arguments() =>
    [
        new QueryArgument<IntGraphType> { Name = "first", Description = $"How many items to return: {DefaultPageSize} by default, at most {MaxPageSize}." },
        new QueryArgument<StringGraphType> { Name = "after", Description = "Return the items after this cursor (an edge's cursor or pageInfo.endCursor of the previous page)." },
    ];
}

/// <summary>A page of nodes (Relay connection).</summary>
public sealed class ConnectionGraphType<TNodeType, T> : ObjectGraphType<Page<T>> where TNodeType : IGraphType
{
    public ConnectionGraphType()
    {
        var node = NodeName();
        Name = node + "Connection";
        Description = $"A page of {node} items, with cursors to page on.";
        Field<NonNullGraphType<IntGraphType>>("totalCount")
            .Description($"How many {node} items the caller may see in this list in all, over every page.")
            .ResolveAsync(async ctx => await ctx.Source.Count(ctx.CancellationToken));
        Field<NonNullGraphType<PageInfoGraphType>>("pageInfo").Description("Where this page lies in the list.").Resolve(ctx => ctx.Source);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<EdgeGraphType<TNodeType, T>>>>>("edges")
            .Description("The items of this page with their cursors.").Resolve(ctx => ctx.Source.Edges);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TNodeType>>>>("nodes")
            .Description("The items of this page, without cursors.").Resolve(ctx => ctx.Source.Nodes);
    }

    internal static string NodeName()
    {
        var name = typeof(TNodeType).Name;
        return name.EndsWith("Type", StringComparison.Ordinal) ? name[..^4] : name;
    }
}

/// <summary>An item in a connection with its cursor.</summary>
public sealed class EdgeGraphType<TNodeType, T> : ObjectGraphType<Edge<T>> where TNodeType : IGraphType
{
    public EdgeGraphType()
    {
        var node = ConnectionGraphType<TNodeType, T>.NodeName();
        Name = node + "Edge";
        Description = $"A {node} in a page, with its cursor.";
        Field<NonNullGraphType<TNodeType>>("node").Description($"The {node}.").Resolve(ctx => ctx.Source.Node);
        Field<NonNullGraphType<StringGraphType>>("cursor").Description("Pass as 'after' to continue after this item.").Resolve(ctx => ctx.Source.Cursor);
    }
}

/// <summary>Relay page info.</summary>
public sealed class PageInfoGraphType : ObjectGraphType<IPageInfoSource>
{
    public PageInfoGraphType()
    {
        Name = "PageInfo";
        Description = "Where a page lies in its list.";
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Description("True when more items follow this page.").Resolve(ctx => ctx.Source.HasNextPage);
        Field<NonNullGraphType<BooleanGraphType>>("hasPreviousPage").Description("True when items precede this page.").Resolve(ctx => ctx.Source.HasPreviousPage);
        Field<StringGraphType>("startCursor").Description("The cursor of the first item on this page; null when the page is empty.").Resolve(ctx => ctx.Source.StartCursor);
        Field<StringGraphType>("endCursor").Description("The cursor of the last item on this page; null when the page is empty.").Resolve(ctx => ctx.Source.EndCursor);
    }
}

/// <summary>What page info is read from, whatever the node type.</summary>
public interface IPageInfoSource
{
    bool HasNextPage { get; }
    bool HasPreviousPage { get; }
    string? StartCursor { get; }
    string? EndCursor { get; }
}
