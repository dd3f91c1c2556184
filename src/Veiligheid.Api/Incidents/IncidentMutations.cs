using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Incidents;

/// <summary>Reporting incidents, one at a time or in bulk, from a partner's own systems.</summary>
public static class IncidentMutations
{
    public static void AddTo(MutationType mutation)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        mutation.Field<NonNullGraphType<ReportIncidentPayloadType>>("reportIncident").Category(DataCategory.Melding).Writes(WriteAction.ReportIncident)
            .Description("Reports one incident as the caller's organisation. Reporting the same externalId again updates it (idempotent).")
            .Argument<NonNullGraphType<ReportIncidentInputType>>("input", "The incident.")
            .ResolveAsync(async ctx =>
            {
                var hub = ctx.Hub();
                var input = ctx.GetArgument<ReportIncidentInput>("input");
                var result = (await IncidentIngestion.IngestAsync(hub, [input], bulk: false, "reportIncident", ctx.CancellationToken))[0];
                var incident = result.IncidentId is { } id
                    ? await hub.Incidents().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ctx.CancellationToken)
                    : null;
                return new ReportIncidentResult(result, incident);
            });

        mutation.Field<NonNullGraphType<ReportIncidentsPayloadType>>("reportIncidents").Category(DataCategory.Melding).Writes(WriteAction.ReportIncident)
            .Description("Bulk ingestion: reports a batch of incidents as the caller's organisation. The batch is written as a whole or not at all (one transaction), and the result says per item what happened. At most Ingestion:MaxBatchItems items (5,000 by default) per request; replaying a batch changes nothing.")
            .Argument<NonNullGraphType<ReportIncidentsInputType>>("input", "The batch.")
            .ResolveAsync(async ctx =>
            {
                var input = ctx.GetArgument<ReportIncidentsInput>("input");
                var max = MaxBatchItems(ctx.RequestServices);
                if (input.Items.Count > max)
                    return new ReportIncidentsResult([], [new MutationError(MutationErrorCode.Invalid, "items", $"At most {max} items per request; split the batch.")]);
                if (input.Items.Count == 0)
                    return new ReportIncidentsResult([], [new MutationError(MutationErrorCode.Invalid, "items", "The batch is empty.")]);
                var results = await IncidentIngestion.IngestAsync(ctx.Hub(), input.Items, bulk: true, "reportIncidents", ctx.CancellationToken);
                return new ReportIncidentsResult(results, []);
            });
    }

    /// <summary>The configured maximum batch size (Ingestion:MaxBatchItems).</summary>
    public static int MaxBatchItems(IServiceProvider? services)
        => services?.GetService<IConfiguration>()?.GetValue("Ingestion:MaxBatchItems", IncidentIngestion.DefaultMaxBatchItems)
           ?? IncidentIngestion.DefaultMaxBatchItems;
}

public sealed record ReportIncidentResult(IngestItemResult Item, Incident? Incident);

public sealed record ReportIncidentsResult(IReadOnlyList<IngestItemResult> Items, IReadOnlyList<MutationError> Errors);

[Category(DataCategory.Melding)]
public sealed class ReportIncidentPayloadType : SlicedObjectGraphType<ReportIncidentResult>
{
    public ReportIncidentPayloadType()
    {
        Name = "ReportIncidentPayload";
        Description = "The result of reporting one incident.";
        Field<IncidentType>("incident").Description("The incident as stored; null when nothing was written because of errors.").Resolve(ctx => ctx.Source.Incident);
        Field<NonNullGraphType<DomainEnumType<IngestStatus>>>("status").Description("What happened.").Resolve(ctx => ctx.Source.Item.Status);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MutationErrorType>>>>("errors").Description("Why nothing was written; empty on success.").Resolve(ctx => ctx.Source.Item.Errors);
    }
}

[Category(DataCategory.Melding)]
public sealed class ReportIncidentsPayloadType : SlicedObjectGraphType<ReportIncidentsResult>
{
    public ReportIncidentsPayloadType()
    {
        Name = "ReportIncidentsPayload";
        Description = "The result of a batch: per item what happened, and counts. When any item failed, nothing of the batch was written.";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ReportedIncidentType>>>>("items").Description("One entry per input item, in input order.").Resolve(ctx => ctx.Source.Items);
        Field<NonNullGraphType<BooleanGraphType>>("committed").Description("True when the batch was written (no item failed).").Resolve(ctx => ctx.Source.Errors.Count == 0 && ctx.Source.Items.All(i => i.Errors.Count == 0));
        Field<NonNullGraphType<IntGraphType>>("created").Description("Items added.").Resolve(ctx => Count(ctx.Source, IngestStatus.Created));
        Field<NonNullGraphType<IntGraphType>>("updated").Description("Items that changed an earlier report.").Resolve(ctx => Count(ctx.Source, IngestStatus.Updated));
        Field<NonNullGraphType<IntGraphType>>("unchanged").Description("Items identical to an earlier report.").Resolve(ctx => Count(ctx.Source, IngestStatus.Unchanged));
        Field<NonNullGraphType<IntGraphType>>("failed").Description("Items with errors.").Resolve(ctx => Count(ctx.Source, IngestStatus.Failed));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MutationErrorType>>>>("errors").Description("Errors about the batch as a whole (size); item errors are on the items.").Resolve(ctx => ctx.Source.Errors);
    }

    private static int Count(ReportIncidentsResult result, IngestStatus status) => result.Items.Count(i => i.Status == status);
}

[Category(DataCategory.Melding)]
public sealed class ReportedIncidentType : SlicedObjectGraphType<IngestItemResult>
{
    public ReportedIncidentType()
    {
        Name = "ReportedIncident";
        Description = "What happened to one item of a batch.";
        Field<NonNullGraphType<IntGraphType>>("index").Description("The item's position in the input, from 0.").Resolve(ctx => ctx.Source.Index);
        Field<NonNullGraphType<StringGraphType>>("externalId").Description("The item's externalId.").Resolve(ctx => ctx.Source.ExternalId);
        Field<NonNullGraphType<DomainEnumType<IngestStatus>>>("status").Description("What happened to it.").Resolve(ctx => ctx.Source.Status);
        Field<IdGraphType>("id").Description("The incident's global id; null when it was not written.").Resolve(ctx => ctx.Source.IncidentId is { } id ? GlobalId.Encode("Incident", id) : null);
        Field<StringGraphType>("version").Description("The incident's version after this request; null when it was not written.").Resolve(ctx => ctx.Source.Version?.ToString());
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MutationErrorType>>>>("errors").Description("The item's errors; empty when it is valid.").Resolve(ctx => ctx.Source.Errors);
    }
}
