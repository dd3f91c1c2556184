using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Interventions;
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>Dynamic rules: consent given and withdrawn changes what a care provider sees, at once, per domain.</summary>
public sealed class ConsentTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Giving_and_withdrawing_consent_shares_and_withholds_a_life_domain_while_siblings_still_resolve()
    {
        var ggz = OrganisationId(DemoOrganisations.GgzHorizon);
        var (personId, domain, assessor) = await FindScoreOnlyConsentCouldShareAsync(ggz);
        var field = JsonNamingPolicy.CamelCase.ConvertName(domain.ToString());
        var client = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);
        var query = $"query($id: ID!) {{ person(id: $id) {{ surname lifeDomains {{ {field} {{ score }} }} }} }}";
        var variables = new { id = GlobalId.Encode("Person", personId) };

        var before = await client.PostGraphQLAsync(query, variables);
        Assert.Null(before.Required("person.lifeDomains")[field]);
        Assert.Equal(["CARE_DATA_WITHHELD"], before.ErrorCodes);
        Assert.Equal($"person.lifeDomains.{field}", string.Join('.', before.Errors[0]!["path"]!.AsArray().Select(p => p!.ToString())));
        Assert.NotNull(before.Required("person.surname").GetValue<string>());

        var consentId = await ChangeAsync(db =>
        {
            var consent = new Consent { PersonId = personId, CareProviderOrganisationId = assessor, RecipientOrganisationId = ggz, GivenOn = new DateOnly(2026, 11, 1) };
            db.Consents.Add(consent);
            return consent;
        });
        var given = await client.QueryOkAsync(query, variables);
        Assert.NotNull(given.Required($"person.lifeDomains.{field}.score"));

        await ChangeAsync(db =>
        {
            var consent = db.Consents.Single(c => c.Id == consentId.Id);
            consent.WithdrawnOn = new DateOnly(2026, 11, 20);
            return consent;
        });
        var withdrawn = await client.PostGraphQLAsync(query, variables);
        Assert.Null(withdrawn.Required("person.lifeDomains")[field]);
        Assert.Equal(["CARE_DATA_WITHHELD"], withdrawn.ErrorCodes);
    }

    [Fact]
    public async Task Another_providers_care_trajectory_is_visible_only_with_active_consent()
    {
        var ggz = OrganisationId(DemoOrganisations.GgzHorizon);
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var careKinds = AccessPolicy.CareInterventionKinds.ToList();
        var candidates = await db.Interventions.AsNoTracking()
            .Where(i => i.PersonId != null && i.CaseId != null && i.ExecutingOrganisationId != ggz && i.Confidentiality <= ConfidentialityLevel.Confidentieel)
            .Where(i => i.Case!.Kind != CaseKind.Ondermijning && i.Case.Confidentiality <= ConfidentialityLevel.Confidentieel
                        && (i.Case.CoordinatingOrganisationId == ggz || i.Case.Participants.Any(p => p.OrganisationId == ggz)))
            .ToListAsync();
        var care = candidates.Where(i => careKinds.Contains(i.Kind)).ToList();
        var consents = await db.Consents.AsNoTracking().Where(c => c.RecipientOrganisationId == ggz && c.WithdrawnOn == null).ToListAsync();
        var withoutConsent = care.Where(i => !consents.Any(c => c.PersonId == i.PersonId && c.CareProviderOrganisationId == i.ExecutingOrganisationId)).ToList();
        Assert.NotEmpty(withoutConsent);
        var target = withoutConsent[0];

        var client = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);
        const string query = "query($id: ID!) { intervention(id: $id) { kind } }";
        var variables = new { id = GlobalId.Encode("Intervention", target.Id) };
        Assert.Null((await client.QueryOkAsync(query, variables)).Data!["intervention"]);

        db.Consents.Add(new Consent { PersonId = target.PersonId!.Value, CareProviderOrganisationId = target.ExecutingOrganisationId, RecipientOrganisationId = ggz, GivenOn = new DateOnly(2026, 11, 1) });
        await db.SaveChangesAsync();
        Assert.Equal(target.Kind.ToString().ToUpperInvariant(), (await client.QueryOkAsync(query, variables)).Required("intervention.kind").GetValue<string>());
    }

    [Fact]
    public async Task A_purpose_without_care_hides_even_the_callers_own_care_interventions()
    {
        // A care provider's own care trajectories are care data too: under a purpose that does not cover care, they are gone.
        var ggz = OrganisationId(DemoOrganisations.GgzHorizon);
        var own = await ChangeAsync(db => db.Interventions.AsNoTracking()
            .Where(i => i.ExecutingOrganisationId == ggz && AccessPolicy.CareInterventionKinds.Contains(i.Kind))
            .Select(i => i.Id).First());
        const string query = "query($id: ID!) { intervention(id: $id) { kind } }";
        var variables = new { id = GlobalId.Encode("Intervention", own) };
        var covering = hub.CreateClientWithPurpose(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "casusoverleg-zorg-en-veiligheid");
        var coordinatorWithoutCare = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast");
        var coordinatorWithCare = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");
        var gemeente = OrganisationId(DemoOrganisations.GemeenteVeiligstad);
        var gemeenteOwn = await ChangeAsync(db =>
        {
            var row = new Intervention { Kind = InterventionKind.Schuldhulpverlening, Status = InterventionStatus.Gepland, ExecutingOrganisationId = gemeente,
                StartDate = new DateOnly(2026, 11, 1), Confidentiality = ConfidentialityLevel.Zaakvertrouwelijk, PersonId = db.CaseSubjects.Select(s => s.PersonId).First() };
            db.Interventions.Add(row);
            db.SaveChanges();
            return row.Id;
        });
        var gemeenteVariables = new { id = GlobalId.Encode("Intervention", gemeenteOwn) };

        Assert.NotNull((await covering.QueryOkAsync(query, variables)).Data!["intervention"]);
        Assert.NotNull((await coordinatorWithCare.QueryOkAsync(query, gemeenteVariables)).Data!["intervention"]);
        Assert.Null((await coordinatorWithoutCare.QueryOkAsync(query, gemeenteVariables)).Data!["intervention"]);
        var listed = await coordinatorWithoutCare.QueryOkAsync("{ interventions(first: 100, filter: { kind: { in: [ZORGTRAJECT, SCHULDHULPVERLENING] } }) { totalCount } }");
        Assert.Equal(0, listed.Required("interventions.totalCount").GetValue<int>());
    }

    [Fact]
    public async Task A_consent_registered_several_times_at_once_is_one_consent_and_withdrawing_it_ends_the_sharing()
    {
        // Retries racing the first request: one active consent, the same one in every answer, so its withdrawal holds.
        // Whether they race is the scheduler's to decide; the unique index that makes this hold is tested on its own in
        // ActiveConsentMigrationTests, and the retry in ConcurrentWriteRetryTests.
        var ggz = OrganisationId(DemoOrganisations.GgzHorizon);
        var gemeente = OrganisationId(DemoOrganisations.GemeenteVeiligstad);
        var person = await ChangeAsync(db => db.CaseSubjects
            .Where(s => s.Case.Participants.Any(p => p.OrganisationId == ggz) || s.Case.CoordinatingOrganisationId == ggz)
            .Where(s => !db.Consents.Any(c => c.PersonId == s.PersonId && c.CareProviderOrganisationId == ggz && c.RecipientOrganisationId == gemeente))
            .OrderBy(s => s.PersonId).Select(s => s.PersonId).First());
        const string register = "mutation($input: RegisterConsentInput!) { registerConsent(input: $input) { consent { id version } errors { code } } }";
        var input = new { personId = GlobalId.Encode("Person", person), recipientOrganisationId = GlobalId.Encode("Organisation", gemeente), givenOn = "2026-01-10" };
        var clients = Enumerable.Range(0, 6).Select(_ => hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon)).ToList();
        using var start = new SemaphoreSlim(0);
        var sends = clients.Select(async client =>
        {
            await start.WaitAsync();
            return await client.QueryOkAsync(register, new { input });
        }).ToList();
        start.Release(clients.Count);
        var answers = await Task.WhenAll(sends);
        foreach (var client in clients) client.Dispose();

        var ids = answers.Select(a => a.Required("registerConsent.consent.id").GetValue<string>()).Distinct().ToList();
        var id = Assert.Single(ids);
        Assert.Equal(1, await ChangeAsync(db => db.Consents.Count(c => c.PersonId == person && c.CareProviderOrganisationId == ggz && c.RecipientOrganisationId == gemeente && c.WithdrawnOn == null)));
        var version = answers[0].Required("registerConsent.consent.version").GetValue<string>();
        using var careProvider = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);
        var withdrawn = await careProvider.QueryOkAsync("mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) { errors { code } } }",
            new { input = new { consentId = id, version, withdrawnOn = "2026-02-01" } });
        Assert.Empty(withdrawn.Required("withdrawConsent.errors").AsArray());
        Assert.Equal(0, await ChangeAsync(db => db.Consents.Count(c => c.PersonId == person && c.CareProviderOrganisationId == ggz && c.RecipientOrganisationId == gemeente && c.WithdrawnOn == null)));
    }

    [Theory]
    [InlineData("2026-06-14T22:30:00Z", "2026-06-15")] // 00:30 summer time
    [InlineData("2026-01-14T23:30:00Z", "2026-01-15")] // 00:30 winter time
    public async Task A_consent_given_and_withdrawn_today_just_after_midnight_in_the_Netherlands_is_not_in_the_future(string now, string today)
    {
        // The UTC day is still yesterday's; the care provider's "today" is the Dutch day. The day after it is refused.
        var ggz = OrganisationId(DemoOrganisations.GgzHorizon);
        var zvh = OrganisationId(DemoOrganisations.ZvhRegioZuid);
        var person = await ChangeAsync(db => db.CaseSubjects
            .Where(s => s.Case.Participants.Any(p => p.OrganisationId == ggz) || s.Case.CoordinatingOrganisationId == ggz)
            .Where(s => !db.Consents.Any(c => c.PersonId == s.PersonId && c.CareProviderOrganisationId == ggz && c.RecipientOrganisationId == zvh && c.WithdrawnOn == null))
            .OrderByDescending(s => s.PersonId).Select(s => s.PersonId).First());
        var clock = new ManualClock(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        await using var host = hub.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", hub.CreateToken([HubRole.Zorgaanbieder], DemoOrganisations.GgzHorizon));
        client.DefaultRequestHeaders.Add(Purposes.Header, "casusoverleg-zorg-en-veiligheid");
        const string register = "mutation($input: RegisterConsentInput!) { registerConsent(input: $input) { consent { id version } errors { code field } } }";
        const string withdraw = "mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) { consent { withdrawnOn } errors { code field } } }";
        var tomorrow = DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        object Consent(string givenOn) => new { input = new { personId = GlobalId.Encode("Person", person), recipientOrganisationId = GlobalId.Encode("Organisation", zvh), givenOn } };

        var early = await client.QueryOkAsync(register, Consent(tomorrow));
        Assert.Equal("givenOn", early.Required("registerConsent.errors.0.field").GetValue<string>());
        var given = await client.QueryOkAsync(register, Consent(today));
        Assert.Empty(given.Required("registerConsent.errors").AsArray());
        var id = given.Required("registerConsent.consent.id").GetValue<string>();
        var version = given.Required("registerConsent.consent.version").GetValue<string>();
        var late = await client.QueryOkAsync(withdraw, new { input = new { consentId = id, version, withdrawnOn = tomorrow } });
        Assert.Equal("withdrawnOn", late.Required("withdrawConsent.errors.0.field").GetValue<string>());
        var withdrawn = await client.QueryOkAsync(withdraw, new { input = new { consentId = id, version, withdrawnOn = today } });
        Assert.Empty(withdrawn.Required("withdrawConsent.errors").AsArray());
        Assert.Equal(today, withdrawn.Required("withdrawConsent.consent.withdrawnOn").GetValue<string>());
    }

    [Theory]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast")]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast")]
    public async Task A_care_intervention_is_recorded_only_by_a_caller_that_may_read_care_data(HubRole role, string organisation, string purpose)
    {
        var client = hub.CreateClientWithPurpose(role, organisation, purpose);
        var person = await ChangeAsync(db => db.CaseSubjects.OrderBy(s => s.PersonId).Select(s => s.PersonId).First());

        var response = await client.QueryOkAsync(
            "mutation($input: RecordInterventionInput!) { recordIntervention(input: $input) { intervention { id } errors { code field } } }",
            new { input = new { kind = "ZORGTRAJECT", startDate = "2026-11-01", personId = GlobalId.Encode("Person", person), externalId = $"CARE-{role}" } });

        Assert.Equal("INVALID", response.Required("recordIntervention.errors.0.code").GetValue<string>());
        Assert.Equal("kind", response.Required("recordIntervention.errors.0.field").GetValue<string>());
        Assert.Equal(0, await ChangeAsync(db => db.Interventions.Count(i => i.ExternalId == $"CARE-{role}")));
    }

    /// <summary>A score on a person the provider sees, assessed by another organisation, in a domain no shared case's legal ground covers, without consent.</summary>
    private async Task<(int PersonId, LifeDomain Domain, int Assessor)> FindScoreOnlyConsentCouldShareAsync(int ggz)
    {
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var sharedCases = await db.Cases.AsNoTracking().Include(c => c.Subjects)
            .Where(c => c.Kind != CaseKind.Ondermijning && c.Confidentiality <= ConfidentialityLevel.Confidentieel
                        && (c.CoordinatingOrganisationId == ggz || c.Participants.Any(p => p.OrganisationId == ggz)))
            .ToListAsync();
        var visiblePersons = sharedCases.SelectMany(c => c.Subjects.Select(s => s.PersonId)).ToHashSet();
        var consents = await db.Consents.AsNoTracking().Where(c => c.RecipientOrganisationId == ggz && c.WithdrawnOn == null).ToListAsync();
        var scores = await db.LifeDomainScores.AsNoTracking().ToListAsync();
        var latest = scores.GroupBy(s => (s.PersonId, s.Domain)).Select(g => g.OrderByDescending(s => s.AssessedOn).ThenByDescending(s => s.Id).First());
        var found = latest.First(s => visiblePersons.Contains(s.PersonId)
            && s.AssessedByOrganisationId != ggz
            && !consents.Any(c => c.PersonId == s.PersonId && c.CareProviderOrganisationId == s.AssessedByOrganisationId)
            && !sharedCases.Any(c => c.Subjects.Any(x => x.PersonId == s.PersonId) && AccessPolicy.LegalGroundCoverage[c.LegalGround].Contains(s.Domain))
            // No earlier score on the domain the provider may see either: that one would be answered in the later one's place.
            && !scores.Any(o => o.PersonId == s.PersonId && o.Domain == s.Domain
                                && (o.AssessedByOrganisationId == ggz || consents.Any(c => c.PersonId == o.PersonId && c.CareProviderOrganisationId == o.AssessedByOrganisationId))));
        return (found.PersonId, found.Domain, found.AssessedByOrganisationId);
    }

    private async Task<T> ChangeAsync<T>(Func<VeiligheidDbContext, T> change)
    {
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var entity = change(db);
        await db.SaveChangesAsync();
        return entity;
    }

    private int OrganisationId(string key)
    {
        using var scope = hub.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>().Organisations.Single(o => o.Key == key).Id;
    }
}
