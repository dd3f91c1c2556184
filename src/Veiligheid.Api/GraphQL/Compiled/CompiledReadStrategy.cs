using System.Buffers;
using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Types;
using GraphQLParser.AST;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// Runs a query operation on the compiled read path when every field it selects is in <see cref="ReadMap"/> and the
/// request allows it (<see cref="RequestContext.CompiledReads"/>); otherwise, and for mutations, it is the serial
/// reference execution (GraphQL.NET resolvers over EF Core). Parsing, validation, the role's schema and the limits
/// have all run before either path starts: the compiled path sees only documents valid for the caller's schema.
/// </summary>
internal sealed class CompiledReadStrategy(ReadPlanCache plans) : SerialExecutionStrategy
{
    public override async Task<ExecutionResult> ExecuteAsync(global::GraphQL.Execution.ExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Operation.Operation == OperationType.Query && context.UserContext is RequestContext { CompiledReads: true } hub
            && Plan(context, hub) is { } read)
        {
            try
            {
                var data = await RunAsync(read, hub, context.CancellationToken);
                hub.ReadPath = ReadPath.Compiled;
                return new ExecutionResult { Executed = true, Data = data, Document = context.Document, Operation = context.Operation };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The reference path answers instead, with its own errors on the fields that fail (and a trace id for
                // an internal failure). Nothing was returned yet, and no person was noted: the statement failed before.
                context.RequestServices?.GetService<ILogger<CompiledReadStrategy>>()?.LogWarning(e, "The compiled read failed; the reference path answers instead.");
            }
        }
        if (context.UserContext is RequestContext reference) reference.ReadPath = ReadPath.Reference;
        return await base.ExecuteAsync(context);
    }

    /// <summary>
    /// Answers a request from a cached plan, without GraphQL: the caller (<see cref="GraphQLRequestExecutor"/>) found the
    /// plan under the request's key, after checking the request's admission (trusted-document mode). Throws as
    /// <see cref="RunAsync"/> does; the caller then lets the whole pipeline answer.
    /// </summary>
    internal static async Task<ExecutionResult> ServeAsync(ReadPlan plan, RequestContext hub, CancellationToken cancellationToken)
    {
        var data = await RunAsync(plan, hub, cancellationToken);
        hub.ReadPath = ReadPath.Compiled;
        return new ExecutionResult { Executed = true, Data = data };
    }

    /// <summary>
    /// The compiled statement for this operation, from the plan cache when the same caller sent the same operation with
    /// the same variables before; null when some part of it is for the reference path. Only operations that passed
    /// parsing, validation and the limits get here, so only they are ever cached; one for the reference path is cached
    /// as such (<see cref="ReadPlan.ReferenceOnly"/>) and never served as compiled.
    /// </summary>
    private ReadPlan? Plan(global::GraphQL.Execution.ExecutionContext context, RequestContext hub)
    {
        if (hub.PlanKey?.Invoke() is not { } key) return TryCompile(context, hub)?.ToPlan(context.Operation.Name?.StringValue);
        if (plans.TryGet(key, out var cached)) return cached.Compiled ? cached : null;
        var plan = TryCompile(context, hub)?.ToPlan(context.Operation.Name?.StringValue) ?? ReadPlan.ReferenceOnly;
        plans.Add(key, plan);
        return plan.Compiled ? plan : null;
    }

    internal CompiledRead? TryCompile(global::GraphQL.Execution.ExecutionContext context, RequestContext hub)
    {
        try
        {
            var read = new CompiledRead(hub, SqlJsonDialects.For(hub.Db));
            var root = context.Schema.Query;
            foreach (var (key, (field, definition)) in CollectFieldsFrom(context, root, context.Operation.SelectionSet, null))
            {
                var name = field.Name.StringValue;
                if (!ReadMap.Roots.TryGetValue(name, out var mapped)) return null;
                var arguments = ExecutionHelper.GetArguments(definition.Arguments, field.Arguments, context.Variables, context.Document, field, null);
                var type = ReadMap.Types[mapped.TypeName];
                switch (mapped)
                {
                    case IListRoot list:
                        var first = Argument(arguments, "first") is int f ? f : Paging.DefaultPageSize;
                        if (first is < 0 or > Paging.MaxPageSize) return null; // the reference path answers with the error
                        var after = Argument(arguments, "after") as string;
                        var queries = list.Queries(hub, Argument(arguments, "filter") as IDictionary<string, object?>, Argument(arguments, "orderBy") as IEnumerable, first, after,
                            SchemaSlice.CategoryOf(root, definition));
                        read.RootConnection(key, queries, Select(context, Unwrap(definition.ResolvedType), field.SelectionSet), after is not null, type);
                        break;
                    case IByIdRoot byId:
                        if (GlobalId.TryDecode(Argument(arguments, "id") as string, mapped.TypeName, out var id))
                            read.RootSingle(key, byId.Query(hub, id), type, Select(context, Unwrap(definition.ResolvedType), field.SelectionSet));
                        else
                            read.RootNull(key);
                        break;
                    default:
                        return null;
                }
            }
            return read;
        }
        catch (Exception e) when (e is NotCompilableException or ExecutionError)
        {
            // Not for this path (an unmapped field, an argument the reference path answers with an error): run the reference.
            return null;
        }
    }

    /// <summary>The selection set on an object type with fragments, @skip and @include resolved, as the reference execution collects it.</summary>
    private Selection Select(global::GraphQL.Execution.ExecutionContext context, IGraphType? type, GraphQLSelectionSet? selectionSet)
    {
        if (type is not IObjectGraphType objectType || selectionSet is null) throw new NotCompilableException("a selection on a non-object type");
        var fields = new List<SelectedField>();
        foreach (var (key, (field, definition)) in CollectFieldsFrom(context, objectType, selectionSet, null))
        {
            var name = field.Name.StringValue;
            // A nested list's filter, orderBy and first (an invalid first is the reference path's error to give).
            var arguments = field.Arguments is { Count: > 0 }
                ? NestedListArguments.From(ExecutionHelper.GetArguments(definition.Arguments, field.Arguments, context.Variables, context.Document, field, null))
                : null;
            var child = field.SelectionSet is null ? null : Select(context, Unwrap(definition.ResolvedType), field.SelectionSet);
            fields.Add(new SelectedField(key, name, definition, child, arguments));
        }
        return new Selection(objectType.Name, objectType, fields);
    }

    private static IGraphType? Unwrap(IGraphType? type) => type switch
    {
        NonNullGraphType nonNull => Unwrap(nonNull.ResolvedType),
        ListGraphType list => Unwrap(list.ResolvedType),
        _ => type,
    };

    private static object? Argument(Dictionary<string, ArgumentValue>? arguments, string name)
        => arguments is not null && arguments.TryGetValue(name, out var value) ? value.Value : null;

    /// <summary>
    /// Runs the statement through EF Core's own command pipeline, so interceptors, diagnostics and the statement
    /// counters of the tests see it like every other statement (its parameter values are not logged).
    /// </summary>
    private static async Task<CompiledData> RunAsync(ReadPlan read, RequestContext hub, CancellationToken cancellationToken)
    {
        if (hub.PreparedReads is { } prepared && hub.Db.Database.GetConnectionString() is { } connectionString
            && prepared.TryLease(connectionString) is { } lease)
        {
            return await RunPreparedAsync(read, hub, lease, cancellationToken);
        }
        var db = hub.Db;
        var connection = db.GetService<IRelationalConnection>();
        var parameters = new object[read.Parameters.Count];
        using var parameterFactory = connection.DbConnection.CreateCommand(); // the provider's parameter type
        for (var i = 0; i < parameters.Length; i++)
        {
            var (name, dbType, value) = read.Parameters[i];
            var parameter = parameterFactory.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = dbType;
            parameter.Value = value;
            parameters[i] = parameter;
        }
        var command = db.GetService<IRawSqlCommandBuilder>().Build(read.Sql, parameters);
        var parameterObject = new RelationalCommandParameterObject(connection, command.ParameterValues, null, db,
            db.GetService<IRelationalCommandDiagnosticsLogger>());
        await using var reader = await command.RelationalCommand.ExecuteReaderAsync(parameterObject, cancellationToken);
        // The JSON's UTF-8 bytes as the database holds them: no detour through a .NET string.
        var json = await reader.ReadAsync(cancellationToken) && !await reader.DbDataReader.IsDBNullAsync(0, cancellationToken)
            ? SqlJsonDialects.For(db).Utf8(reader.DbDataReader)
            : "{}"u8.ToArray();
        return CompiledData.From(json, read.Processing, hub.Processing, read.Named);
    }

    /// <summary>
    /// The statement on a leased connection whose prepared command for this text is kept (<see cref="SqlitePreparedReads"/>),
    /// through the request context's EF Core command diagnostics as <see cref="RunAsync"/>'s. The connection goes back
    /// broken, to be disposed, unless the statement and its reader completed.
    /// </summary>
    private static async Task<CompiledData> RunPreparedAsync(ReadPlan read, RequestContext hub, SqlitePreparedReads.Lease lease, CancellationToken cancellationToken)
    {
        var json = await lease.ReadAsync(read.Sql, read.Parameters, hub.Db, async reader =>
            await reader.ReadAsync(cancellationToken) && !await reader.IsDBNullAsync(0, cancellationToken)
                ? SqlJsonDialects.For(hub.Db).Utf8(reader)
                : "{}"u8.ToArray(), cancellationToken);
        return CompiledData.From(json, read.Processing, hub.Processing, read.Named);
    }
}

/// <summary>Which path answered a read; tests and benchmarks check it.</summary>
public enum ReadPath
{
    None,
    Reference,
    Compiled,
}

/// <summary>
/// The data of a compiled read, as the JSON the response carries. Made from the statement's JSON in one pass that turns
/// the marked ids into global ids and takes the processed persons out for the processing log.
/// </summary>
[JsonConverter(typeof(CompiledDataConverter))]
public sealed class CompiledData
{
    private CompiledData(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    /// <summary>The data's JSON. The pass's own buffer, not a copy of it: a copy was another 13 KB a request for case 2.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <remarks>
    /// The statement's bytes are copied as they are between the marked members, and only those are rewritten. The marks are
    /// found by a search for their opening bytes, not by reading every token: for case 2's 16 KB and 160 marks a pass that
    /// read every token (and so checked the JSON again) took 0.083 ms once compiled by the JIT, this one 0.044 ms
    /// (BENCHMARKS.md, "Eighth round"). The JSON is the database's JSON functions' own, so it needs no second check. Every member whose
    /// name starts with '$' is a marker and is rewritten or removed, as before; strings keep the database's escaping.
    /// <para>Why the search finds the marks and nothing else: inside a JSON string every quote is escaped, so a quote that
    /// follows '{' or ',' (white space between allowed) is the opening quote of a string outside any string. That string is
    /// a member's name when ':' follows its closing quote, and an array's element otherwise.</para>
    /// </remarks>
    /// <param name="named">The persons named by the filters of the lists whose marks (<c>$n:…</c>) the JSON holds.</param>
    internal static CompiledData From(byte[] source, IReadOnlyList<NodeProcessing> processing, ProcessingCollector collector,
        IReadOnlyList<NamedPersons>? named = null)
    {
        var output = new SplicedJson(source.Length + source.Length / 4 + 256); // global ids are longer than the numbers
        var copied = 0; // the source's bytes before this are in the output, or dropped
        var searched = 0;
        while (searched < source.Length)
        {
            var found = source.AsSpan(searched).IndexOf("\"$"u8);
            if (found < 0) break;
            var quote = searched + found;
            searched = quote + 1;
            if (!OpensMember(source, quote, out var nameEnd, out var valueStart)) continue;
            output.Append(source.AsSpan(copied, quote - copied));
            var reader = new Utf8JsonReader(source.AsSpan(valueStart)); // the value alone: a number, null or a short array
            reader.Read();
            var rewritten = Marked(source.AsSpan(quote + 1, nameEnd - quote - 1), ref reader, ref output, processing, collector, named);
            copied = searched = valueStart + (int)reader.BytesConsumed; // the member's end
            if (rewritten) continue;
            // A removed member takes one separating comma with it: the one after it, or else (it was the last) the one
            // before it in the output.
            var next = searched;
            while (next < source.Length && IsWhiteSpace(source[next])) next++;
            if (next < source.Length && source[next] == (byte)',') copied = next + 1;
            else output.TrimEndComma();
        }
        output.Append(source.AsSpan(copied));
        return new CompiledData(output.Written);
    }

    /// <summary>
    /// Whether the quote at <paramref name="quote"/> opens a member's name outside any string: it follows '{' or ',' and
    /// its string is followed by ':'. Gives the index of the name's closing quote and of the member's value.
    /// </summary>
    private static bool OpensMember(byte[] source, int quote, out int nameEnd, out int valueStart)
    {
        nameEnd = valueStart = 0;
        var before = quote - 1;
        while (before >= 0 && IsWhiteSpace(source[before])) before--;
        if (before < 0 || source[before] is not ((byte)'{' or (byte)',')) return false;
        // The string's closing quote: the first quote after it that no backslash escapes.
        var end = quote + 1;
        while (true)
        {
            var at = source.AsSpan(end + 1).IndexOfAny((byte)'"', (byte)'\\');
            if (at < 0) return false;
            end += 1 + at;
            if (source[end] == (byte)'"') break;
            end++; // a backslash: skip the character it escapes
        }
        var colon = end + 1;
        while (colon < source.Length && IsWhiteSpace(source[colon])) colon++;
        if (colon >= source.Length || source[colon] != (byte)':') return false; // an array's element
        nameEnd = end;
        valueStart = colon + 1;
        return true;
    }

    private static bool IsWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    /// <summary>
    /// Rewrites the marker member named <paramref name="key"/>, whose value the reader is on; true when it wrote a member
    /// in its place, false when the member goes. Leaves the reader on the value's last token.
    /// </summary>
    private static bool Marked(ReadOnlySpan<byte> key, ref Utf8JsonReader reader, ref SplicedJson output, IReadOnlyList<NodeProcessing> processing, ProcessingCollector collector,
        IReadOnlyList<NamedPersons>? named)
    {
        // Marker keys are ASCII and never escaped; the reader is on the member's value.
        if (key.StartsWith("$id:"u8))
        {
            // "$id:<Type>:<response key>": the row's id, answered as the type's global id.
            var rest = key[4..];
            var separator = rest.IndexOf((byte)':');
            output.Append("\""u8);
            output.Append(rest[(separator + 1)..]); // a GraphQL response key: ASCII letters, digits and '_'
            output.Append("\":"u8);
            if (reader.TokenType == JsonTokenType.Null)
            {
                output.Append("null"u8);
                return true;
            }
            Span<byte> globalId = stackalloc byte[GlobalId.MaxEncodedLength];
            var written = GlobalId.EncodeUtf8(rest[..separator], reader.GetInt32(), globalId);
            output.Append("\""u8);
            output.Append(globalId[..written]); // base64url: nothing to escape
            output.Append("\""u8);
            return true;
        }
        if (!System.Buffers.Text.Utf8Parser.TryParse(key[3..], out int index, out _)) throw new InvalidOperationException("A malformed processing marker in compiled JSON.");
        if (key.StartsWith("$n:"u8))
        {
            // "$n:<list>": a list whose filter names persons was read here (at the root, or under this parent row).
            (named ?? throw new InvalidOperationException("A named-persons marker without its persons."))[index].NoteIn(collector);
            return false;
        }
        // "$p:<node>": the person this node's row is the data of; noted for the processing log, not answered.
        var node = processing[index];
        if (node.Person.Kind == ProcessedPersonKind.Listed)
        {
            NoteListed(ref reader, node, collector);
            return false;
        }
        int? personId = null;
        string? second = null; // an intervention's kind, or a person's BSN
        if (reader.TokenType == JsonTokenType.Number) personId = reader.GetInt32();
        else if (reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number) personId = reader.GetInt32();
            reader.Read();
            second = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Read(); // EndArray
        }
        if (personId is not { } id) return false;
        switch (node.Person.Kind)
        {
            case ProcessedPersonKind.OfIntervention:
                var kind = Enum.Parse<Interventions.InterventionKind>(second!);
                foreach (var category in node.Categories) collector.Add(id, ProcessingObserver.CategoryOfIntervention(kind, category));
                break;
            default:
                // A link row's person (ByPersonId: no second value), or a person's own row with its BSN.
                foreach (var category in node.Categories) collector.Add(id, category, second);
                break;
        }
        return false;
    }

    /// <summary>
    /// Notes each person of a <see cref="ProcessedPersonKind.Listed"/> marker's list (<c>[{"p": id}, …]</c>, the database's
    /// JSON) with the node's categories. Leaves the reader on the list's end.
    /// </summary>
    private static void NoteListed(ref Utf8JsonReader reader, NodeProcessing node, ProcessingCollector collector)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return; // null: no one listed
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            reader.Read(); // the member's name
            reader.Read();
            var id = reader.GetInt32();
            reader.Read(); // EndObject
            foreach (var category in node.Categories) collector.Add(id, category);
        }
    }

    /// <summary>The output of <see cref="From"/>: a byte buffer that grows, and can take back the comma it ended with.</summary>
    private struct SplicedJson(int capacity)
    {
        private byte[] _bytes = new byte[capacity];
        private int _length;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + bytes.Length));
            bytes.CopyTo(_bytes.AsSpan(_length));
            _length += bytes.Length;
        }

        /// <summary>Drops the comma the output ends with (past any white space), if it ends with one.</summary>
        public void TrimEndComma()
        {
            var end = _length;
            while (end > 0 && IsWhiteSpace(_bytes[end - 1])) end--;
            if (end > 0 && _bytes[end - 1] == (byte)',') _length = end - 1;
        }

        public readonly ReadOnlyMemory<byte> Written => _bytes.AsMemory(0, _length);
    }
}

/// <summary>Writes compiled data as it is: it is JSON already.</summary>
public sealed class CompiledDataConverter : JsonConverter<CompiledData>
{
    public override CompiledData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new NotSupportedException("Compiled data is only written.");

    public override void Write(Utf8JsonWriter writer, CompiledData value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
    }
}

/// <summary>A compiled statement with its parameter values, ready to run; or the note that the operation is for the reference path.</summary>
/// <remarks>The operation's name is kept for the processing log, which names the action by it; <see cref="Named"/> holds the
/// persons named by its lists' filters, by the index their marks in the JSON carry.</remarks>
internal sealed record ReadPlan(bool Compiled, string Sql, IReadOnlyList<(string Name, System.Data.DbType DbType, object? Value)> Parameters, IReadOnlyList<NodeProcessing> Processing, string? OperationName,
    IReadOnlyList<NamedPersons> Named)
{
    public static ReadPlan ReferenceOnly { get; } = new(false, "", [], [], null, []);
}
