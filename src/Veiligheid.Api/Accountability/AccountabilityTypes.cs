using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Organisations;

namespace Veiligheid.Accountability;

[Category(DataCategory.Register)]
public sealed class ProcessingPurposeType : SlicedObjectGraphType<ProcessingPurpose>
{
    public ProcessingPurposeType()
    {
        Name = "ProcessingPurpose";
        Description = "A registered processing purpose (doel): its legal ground, the roles that may invoke it, the data categories it covers and its retention term. Name it in the X-Purpose request header.";
        Field<NonNullGraphType<StringGraphType>>("key").Description("The key to send in the X-Purpose header, e.g. 'aanpak-woonoverlast'.").Resolve(ctx => ctx.Source.Key);
        Field<NonNullGraphType<StringGraphType>>("name").Description("The purpose's name.").Resolve(ctx => ctx.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("description").Description("What the purpose is for.").Resolve(ctx => ctx.Source.Description);
        Field<NonNullGraphType<StringGraphType>>("legalGround").Description("The legal ground (grondslag).").Resolve(ctx => ctx.Source.LegalGround);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Description("The app roles that may invoke it.")
            .Resolve(ctx => ctx.Source.Roles.Order().Select(r => r.TokenValue()).ToList());
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories").Description("The data categories it covers; a request under it reads at most these (and what its role holds).")
            .Resolve(ctx => ctx.Source.Categories.Order().Select(c => c.ToString()).ToList());
        Field<NonNullGraphType<IntGraphType>>("retentionYears").Description("How long records made under it are kept, in years (cases: from closure).").Resolve(ctx => ctx.Source.RetentionYears);
    }
}

[Category(DataCategory.Verwerkingslog)]
public sealed class ProcessingRecordType : SlicedObjectGraphType<ProcessingRecord>
{
    public ProcessingRecordType()
    {
        Name = "ProcessingRecord";
        Description = "One entry of the processing log (verwerkingenlogging, VNG standard): one person processed by one request.";
        Field<NonNullGraphType<StringGraphType>>("sequence").Description("Position in the hash chain (a decimal number as a string).").Resolve(ctx => ctx.Source.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<StringGraphType>>("actionId").Description("The request (actie) it belongs to; shared by all records of one request.").Resolve(ctx => ctx.Source.ActionId.ToString("D"));
        Field<NonNullGraphType<StringGraphType>>("actionName").Description("The GraphQL operation name, or '(anonymous)'.").Resolve(ctx => ctx.Source.ActionName);
        Field<NonNullGraphType<DateTimeScalar>>("occurredAt").Description("When the processing happened.").Resolve(ctx => DateTime.SpecifyKind(ctx.Source.OccurredAt, DateTimeKind.Utc));
        Field<NonNullGraphType<OrganisationType>>("organisation").Description("The organisation that processed the data.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.OrganisationId));
        Field<NonNullGraphType<StringGraphType>>("role").Description("The app role the request was served under.").Resolve(ctx => ctx.Source.Role);
        Field<NonNullGraphType<StringGraphType>>("applicationId").Description("The client application (systeem).").Resolve(ctx => ctx.Source.ApplicationId);
        Field<StringGraphType>("userId").Description("The signed-in user's object id (gebruiker); null for a partner system.").Resolve(ctx => ctx.Source.UserId);
        Field<NonNullGraphType<StringGraphType>>("purpose").Description("The purpose key (verwerkingsactiviteit).").Resolve(ctx => ctx.Source.Purpose);
        Field<NonNullGraphType<StringGraphType>>("legalGround").Description("The purpose's legal ground at the time.").Resolve(ctx => ctx.Source.LegalGround);
        Field<IdGraphType>("personId").Description("The person's global id; null when the person is no longer held.").Resolve(ctx => ctx.Source.PersonId is { } id ? GlobalId.Encode("Person", id) : null);
        Field<StringGraphType>("protectedBsn").Description("The BSN in protected form (keyed HMAC-SHA256); never the BSN itself.").Resolve(ctx => ctx.Source.ProtectedBsn);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories").Description("The data categories touched.")
            .Resolve(ctx => ctx.Source.Categories.Split(',', StringSplitOptions.RemoveEmptyEntries));
        Field<NonNullGraphType<DomainEnumType<ProcessingConfidentiality>>>("confidentiality").Description("normaal, or vertrouwelijk for care and police data.").Resolve(ctx => ctx.Source.Confidentiality);
        Field<NonNullGraphType<IntGraphType>>("retentionYears").Description("The retention term (bewaartermijn) in years.").Resolve(ctx => ctx.Source.RetentionYears);
        Field<NonNullGraphType<StringGraphType>>("hash").Description("SHA-256 over the record and the previous record's hash; for a record written since 1 Dec 2026, its action's hash, over all the action's records and the hash before them (the same for each of them).").Resolve(ctx => ctx.Source.Hash);
    }
}

/// <summary>A data subject's access report (AVG art. 15): who processed their data, when and why.</summary>
public sealed record AccessReport(DateTime GeneratedAt, DateTime? From, DateTime? To, Page<ProcessingRecord> Entries);

[Category(DataCategory.Verwerkingslog)]
public sealed class AccessReportType : SlicedObjectGraphType<AccessReport>
{
    public AccessReportType()
    {
        Name = "AccessReport";
        Description = "A data subject's access report (inzage, AVG art. 15): which organisation processed their data, when, and why. Following the VNG standard it leaves out users and systems. Producing it is itself logged.";
        Field<NonNullGraphType<DateTimeScalar>>("generatedAt").Description("When the report was made.").Resolve(ctx => ctx.Source.GeneratedAt);
        Field<DateTimeScalar>("from").Description("Start of the period covered; null for everything held.").Resolve(ctx => ctx.Source.From);
        Field<DateTimeScalar>("to").Description("End of the period covered; null for up to now.").Resolve(ctx => ctx.Source.To);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AccessReportEntryType>>>>("entries").Description("This page's processings, oldest first (accessReport's first and after; pageInfo says whether more follow). The report covers the whole period asked (accessReport's from and to), so it takes no filter of its own.").Resolve(ctx => ctx.Source.Entries.Nodes);
        Field<NonNullGraphType<IntGraphType>>("totalCount").Description("How many processings the report holds for the period, over every page.")
            .ResolveAsync(async ctx => await ctx.Source.Entries.Count(ctx.CancellationToken));
        Field<NonNullGraphType<PageInfoGraphType>>("pageInfo").Description("Where this page lies in the report: pass endCursor as accessReport's after for the next.").Resolve(ctx => ctx.Source.Entries);
    }
}

[Category(DataCategory.Verwerkingslog)]
public sealed class AccessReportEntryType : SlicedObjectGraphType<ProcessingRecord>
{
    public AccessReportEntryType()
    {
        Name = "AccessReportEntry";
        Description = "One processing of the data subject's data: organisation, time, purpose and legal ground, categories. No user, no system.";
        Field<NonNullGraphType<OrganisationType>>("organisation").Description("Who: the organisation.").Category(DataCategory.Register).Resolve(ctx => ctx.LoadOrganisation(ctx.Source.OrganisationId));
        Field<NonNullGraphType<DateTimeScalar>>("occurredAt").Description("When.").Resolve(ctx => DateTime.SpecifyKind(ctx.Source.OccurredAt, DateTimeKind.Utc));
        Field<NonNullGraphType<StringGraphType>>("purpose").Description("Why: the purpose's name.").Resolve(ctx => Purposes.Find(ctx.Source.Purpose)?.Name ?? ctx.Source.Purpose);
        Field<NonNullGraphType<StringGraphType>>("legalGround").Description("The legal ground it was processed on.").Resolve(ctx => ctx.Source.LegalGround);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories").Description("Which kinds of data.")
            .Resolve(ctx => ctx.Source.Categories.Split(',', StringSplitOptions.RemoveEmptyEntries));
    }
}
