using System.Globalization;
using System.Text;
using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;

namespace Veiligheid.GraphQL;

/// <summary>A page of a connection, with the total counted only when a client asks for it.</summary>
public sealed class Page<T> : IPageInfoSource
{
    private readonly Func<int, T, string> _cursor;

    /// <summary>A page at an offset (offset cursors).</summary>
    public Page(IReadOnlyList<T> nodes, int offset, bool hasNextPage, Func<CancellationToken, Task<int>> count)
        : this(nodes, hasNextPage, offset > 0, (index, _) => Paging.EncodeCursor(offset + index), count)
    {
        Offset = offset;
    }

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
    public int Offset { get; }
    public bool HasNextPage { get; }
    public bool HasPreviousPage { get; }
    public Func<CancellationToken, Task<int>> Count { get; }
    public string? StartCursor => Nodes.Count > 0 ? _cursor(0, Nodes[0]) : null;
    public string? EndCursor => Nodes.Count > 0 ? _cursor(Nodes.Count - 1, Nodes[^1]) : null;
    public IEnumerable<Edge<T>> Edges => Nodes.Select((node, index) => new Edge<T>(node, _cursor(index, node)));

    /// <summary>The same page with each node mapped (a link row to the entity it links), keeping the rows' cursors.</summary>
    public Page<TNode> Select<TNode>(Func<T, TNode> node)
        => new([.. Nodes.Select(node)], HasNextPage, HasPreviousPage, (index, _) => _cursor(index, Nodes[index]), Count);
}

/// <summary>A node with its cursor.</summary>
public sealed record Edge<T>(T Node, string Cursor);

/// <summary>Relay-style cursor paging over a query that is already filtered by the caller's row rules and ordered.</summary>
public static class Paging
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    public static QueryArgument[] Arguments() =>
    [
        new QueryArgument<IntGraphType> { Name = "first", Description = $"How many items to return: {DefaultPageSize} by default, at most {MaxPageSize}." },
        new QueryArgument<StringGraphType> { Name = "after", Description = "Return the items after this cursor (an edge's cursor or pageInfo.endCursor of the previous page)." },
    ];

    public static string EncodeCursor(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset.ToString(CultureInfo.InvariantCulture)}"));

    public static async Task<Page<T>> ToPageAsync<T>(this IQueryable<T> ordered, IResolveFieldContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var first = context.GetArgument<int?>("first") ?? DefaultPageSize;
        if (first is < 0 or > MaxPageSize)
            throw new ExecutionError($"Argument 'first' must be between 0 and {MaxPageSize}.") { Code = "INVALID_PAGE_SIZE" };
        var offset = DecodeCursor(context.GetArgument<string?>("after")) is { } after ? after + 1 : 0;
        var rows = await ordered.Skip(offset).Take(first + 1).ToListAsync(context.CancellationToken);
        var hasNext = rows.Count > first;
        if (hasNext) rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, offset, hasNext, ct => ordered.CountAsync(ct));
    }

    private static int? DecodeCursor(string? cursor)
    {
        if (cursor is null) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (text.StartsWith("offset:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Falls through to the error below: a cursor is opaque, and any other value is the client's mistake.
        }
        throw new ExecutionError("Argument 'after' is not a cursor this hub issued.") { Code = "INVALID_CURSOR" };
    }
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
