using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using GraphQL.Builders;
using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.Data;

namespace Veiligheid.GraphQL;

/// <summary>Why a mutation (or one item of a bulk mutation) was not carried out.</summary>
[Description("Why a mutation, or one item of a bulk mutation, was not carried out.")]
public enum MutationErrorCode
{
    [Description("An input value breaks a rule (format, 11-proef, BAG id, CBS code, date range, length); 'field' names it.")]
    Invalid,
    [Description("The referenced row does not exist or the caller may not see it; 'field' names the reference.")]
    NotFound,
    [Description("The caller sees the row but its organisation may not make this change (e.g. only the coordinating organisation closes a case).")]
    Forbidden,
    [Description("The row changed since the caller read it: 'currentVersion' holds the version now stored. Read again, then retry.")]
    Conflict,
    [Description("The requested status change is not in the allowed flow: for a case " + Cases.CaseMutations.FlowSummary + "; for an intervention "
        + Interventions.InterventionFlow.Summary + ". 'field' names the status input (null when the mutation sets the status itself, as completeIntervention does).")]
    InvalidTransition,
}

/// <summary>The earliest dates a partner's write may carry: older ones are typing errors, never the chain's records.</summary>
public static class EarliestDates
{
    /// <summary>Of anything the chain records (an incident, an intervention, a consent): the hub's data start in 1990.</summary>
    public static readonly DateOnly Record = new(1990, 1, 1);

    /// <summary>Of a date of birth: no one born before 1900 is alive.</summary>
    public static readonly DateOnly Birth = new(1900, 1, 1);
}

/// <summary>A typed error that names the input field it is about.</summary>
public sealed record MutationError(MutationErrorCode Code, string? Field, string Message, Guid? CurrentVersion = null);

[Category(DataCategory.Register)]
public sealed class MutationErrorType : SlicedObjectGraphType<MutationError>
{
    public MutationErrorType()
    {
        Name = "MutationError";
        Description = "Why a mutation was not carried out. Nothing was written when a payload has errors.";
        Field<NonNullGraphType<DomainEnumType<MutationErrorCode>>>("code").Description("What went wrong, for programs.").Resolve(ctx => ctx.Source.Code);
        Field<StringGraphType>("field").Description("The input field the error is about, as a path from the mutation's input, e.g. 'items[3].bagId'; null when it is about the whole input.").Resolve(ctx => ctx.Source.Field);
        Field<NonNullGraphType<StringGraphType>>("message").Description("What went wrong, for people. Never contains a BSN or a name.").Resolve(ctx => ctx.Source.Message);
        Field<StringGraphType>("currentVersion").Description("For CONFLICT: the version now stored.").Resolve(ctx => ctx.Source.CurrentVersion?.ToString());
    }
}

/// <summary>The result of a single-row mutation: the row as written (null when nothing was written) and the errors.</summary>
public sealed record MutationPayload<T>(T? Value, IReadOnlyList<MutationError> Errors) where T : class;

/// <summary>Failed payloads.</summary>
public static class MutationPayload
{
    public static MutationPayload<T> Failed<T>(IReadOnlyList<MutationError> errors) where T : class => new(null, errors);

    public static MutationPayload<T> Failed<T>(MutationErrorCode code, string? field, string message, Guid? currentVersion = null) where T : class
        => new(null, [new MutationError(code, field, message, currentVersion)]);
}

/// <summary>Collects validation errors; a mutation writes only when it stays empty.</summary>
public sealed class InputErrors : List<MutationError>
{
    public void Invalid(string field, string message) => Add(new MutationError(MutationErrorCode.Invalid, field, message));

    public void NotFound(string field, string message) => Add(new MutationError(MutationErrorCode.NotFound, field, message));

    /// <summary>Rejects free text beyond the column's size, empty when required, or with a control character other than tab and line breaks.</summary>
    public void Text(string field, string? value, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) Invalid(field, "A value is required.");
        }
        else if (value.Length > maxLength)
        {
            Invalid(field, $"At most {maxLength} characters.");
        }
        else if (value.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
        {
            // A NUL or a bell stored in a name or title breaks the partners' systems and the figures' CSV that read it back.
            Invalid(field, "Contains a control character (only tab and line breaks are allowed).");
        }
    }

    /// <summary>
    /// A partner's own id for a row (<see cref="ISourced.ExternalId"/>): text as <see cref="Text"/> checks it, and no
    /// whitespace at either end. SQLite keeps 'abc ' and 'abc' apart, SQL Server compares them as one (it ignores trailing
    /// spaces in '=' and in a unique index, whatever the collation): refusing them keeps one key one key on both. Leading
    /// whitespace is refused with it, as the same slip of a partner's export; silently trimming instead would make
    /// 'abc ' replay onto 'abc' here but not in the partner's own system.
    /// </summary>
    public void ExternalId(string field, string? value, bool required)
    {
        var before = Count;
        Text(field, value, ExternalIds.MaxLength, required);
        if (Count == before && !string.IsNullOrWhiteSpace(value) && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])))
            Invalid(field, "Starts or ends with a space (or other whitespace): send the id without it.");
    }

    /// <summary>The client's version of a row, as read from the 'version' field.</summary>
    public Guid? Version(string field, string? value)
    {
        if (value is null) return null;
        if (Guid.TryParse(value, out var version)) return version;
        Invalid(field, "Not a version as read from the 'version' field.");
        return null;
    }

    /// <summary>Decodes a global id of <paramref name="typeName"/>; a malformed one is reported as not found.</summary>
    public int? Id(string field, string? globalId, string typeName)
    {
        if (globalId is null) return null;
        if (GlobalId.TryDecode(globalId, typeName, out var id)) return id;
        NotFound(field, $"No {typeName} with this id.");
        return null;
    }
}

/// <summary>Mutation declaration and audit helpers.</summary>
public static class MutationFields
{
    /// <summary>Declares the write action a mutation field performs: the field exists only for roles that may perform it.</summary>
    public static FieldBuilder<TSource, TReturn> Writes<TSource, TReturn>(this FieldBuilder<TSource, TReturn> builder, WriteAction action)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.FieldType.Metadata[WriteActionMetadata.Key] = action;
        return builder;
    }

    /// <summary>Adds the audit row of one write to the request's unit of work (saved in the same transaction).</summary>
    public static void Audit(this RequestContext hub, WriteAction action, string operation, string entityType, int entityId, WriteChange change, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(hub);
        hub.Db.Set<WriteAudit>().Add(NewAudit(hub.Access.Caller, action, operation, entityType, entityId, change, at));
    }

    public static WriteAudit NewAudit(Caller caller, WriteAction action, string operation, string entityType, int entityId, WriteChange change, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new WriteAudit
        {
            At = at,
            OrganisationId = caller.OrganisationId,
            Role = caller.Role.TokenValue(),
            ClientAppId = caller.ClientAppId,
            UserObjectId = caller.UserObjectId,
            Action = action,
            Operation = operation,
            EntityType = entityType,
            EntityId = entityId,
            Change = change,
        };
    }
}

/// <summary>Saving a mutation's changes and its audit rows as one transaction.</summary>
/// <summary>Writes sent again with the caller's own id for the row (<c>externalId</c>): an update of the earlier row, or UNCHANGED.</summary>
public static class Replays
{
    /// <summary>
    /// The caller's earlier row with this key, for a replay: only a row the caller may edit (<paramref name="editable"/>),
    /// so a replay is bound by the same rule as every edit. An earlier row of the caller's organisation that the caller may
    /// not edit (above its confidentiality level, say) is neither overwritten nor described: FORBIDDEN on
    /// <c>externalId</c>, with <paramref name="refusal"/>; the unique key leaves no other answer, and the id is the
    /// organisation's own.
    /// </summary>
    public static async Task<(T? Row, MutationError? Refusal)> FindAsync<T>(IQueryable<T> editable, IQueryable<T> all,
        System.Linq.Expressions.Expression<Func<T, bool>> sameKey, string refusal, CancellationToken ct) where T : class
    {
        ArgumentNullException.ThrowIfNull(editable);
        ArgumentNullException.ThrowIfNull(all);
        var row = await editable.FirstOrDefaultAsync(sameKey, ct);
        return row is null && await all.AnyAsync(sameKey, ct)
            ? (null, new MutationError(MutationErrorCode.Forbidden, "externalId", refusal))
            : (row, null);
    }
}

public static class MutationSaving
{
    /// <summary>
    /// Saves the tracked changes, then the audit rows <paramref name="audit"/> adds (it runs once the new rows have
    /// their ids), in one transaction. A concurrent change of an edited row (its version moved since it was read)
    /// rolls everything back and answers CONFLICT with the version now stored.
    /// </summary>
    public static async Task<MutationError?> SaveAsync<T>(RequestContext hub, T edited, Action audit, CancellationToken ct) where T : class, IEditable
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(audit);
        var db = hub.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
            audit();
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return null;
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException)
        {
            await transaction.RollbackAsync(ct);
            var entry = db.Entry(edited);
            var current = await entry.GetDatabaseValuesAsync(ct);
            db.ChangeTracker.Clear();
            return new MutationError(MutationErrorCode.Conflict, "version", "Changed by someone else while this request was saved; read it again, then retry.",
                current?.GetValue<Guid>(nameof(IEditable.Version)));
        }
    }
}
