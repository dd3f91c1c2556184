using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Tests.Data;

public sealed class SyntheticDataTests
{
    private static readonly SyntheticDataSet Demo = SyntheticData.Generate(SeedOptions.Demo);
    private static readonly List<Incident> DemoIncidents = Demo.Incidents.ToList();

    [Fact]
    public void Same_options_give_identical_data_and_another_seed_does_not()
    {
        var again = SyntheticData.Generate(SeedOptions.Demo);
        var other = SyntheticData.Generate(SeedOptions.Demo with { Seed = 42 });

        var hash = Hash(Demo);
        Assert.Equal(hash, Hash(again));
        Assert.Equal(hash, Hash(Demo)); // the lazy incidents come out the same on a second read
        Assert.NotEqual(hash, Hash(other));
    }

    [Fact]
    public void Demo_preset_has_the_promised_size()
    {
        Assert.Equal(300, Demo.Persons.Count);
        Assert.Equal(3_000, DemoIncidents.Count);
        Assert.Equal(Demo.IncidentCount, DemoIncidents.Count);
        Assert.Equal(120, Demo.Cases.Count);
        Assert.Equal(Enumerable.Range(1, DemoIncidents.Count), DemoIncidents.Select(i => i.Id));
    }

    [Fact]
    public void Every_bsn_passes_the_11_proef_and_is_unique()
    {
        Assert.All(Demo.Persons, p => Assert.True(Bsn.IsValid(p.Bsn)));
        Assert.Equal(Demo.Persons.Count, Demo.Persons.Select(p => p.Bsn).Distinct().Count());
    }

    [Fact]
    public void Persons_are_adults_born_1940_to_2008_living_in_dwellings()
    {
        var dwellings = Demo.Locations.Where(l => !IsPublic(l)).Select(l => l.Id).ToHashSet();
        Assert.All(Demo.Persons, p =>
        {
            Assert.InRange(p.DateOfBirth.Year, 1940, 2008);
            Assert.False(string.IsNullOrWhiteSpace(p.GivenName));
            Assert.False(string.IsNullOrWhiteSpace(p.Surname));
            if (p.AddressId is { } address) Assert.Contains(address, dwellings);
        });
        Assert.True(Demo.Persons.Count(p => p.AddressId is null) < Demo.Persons.Count / 10);
    }

    [Fact]
    public void Bag_ids_postcodes_and_area_codes_are_valid()
    {
        Assert.All(Demo.Locations, l =>
        {
            Assert.True(AreaCodes.IsBagVerblijfsobjectId(l.BagId), l.BagId);
            Assert.StartsWith("999901", l.BagId, StringComparison.Ordinal);
            Assert.True(AreaCodes.IsPostcode(l.Postcode), l.Postcode);
            Assert.Equal(SyntheticData.MunicipalityName, l.City);
            Assert.InRange(l.Latitude, 51.9, 52.3);
            Assert.InRange(l.Longitude, 4.8, 5.4);
        });
        Assert.Equal(Demo.Locations.Count, Demo.Locations.Select(l => l.BagId).Distinct().Count());

        Assert.InRange(Demo.Districts.Count, 8, 12);
        Assert.InRange(Demo.Neighbourhoods.Count, 30, 50);
        Assert.All(Demo.Districts, d => Assert.True(AreaCodes.IsDistrictCode(d.Code) && d.Code.StartsWith("WK9999", StringComparison.Ordinal), d.Code));
        var districts = Demo.Districts.ToDictionary(d => d.Id);
        Assert.All(Demo.Neighbourhoods, n =>
        {
            Assert.True(AreaCodes.IsNeighbourhoodCode(n.Code), n.Code);
            Assert.StartsWith("BU" + districts[n.DistrictId].Code[2..], n.Code, StringComparison.Ordinal);
        });
        Assert.Equal(Demo.Neighbourhoods.Count, Demo.Neighbourhoods.Select(n => n.Code).Distinct().Count());
    }

    [Fact]
    public void Two_organisations_of_every_kind_with_stable_keys_and_app_ids()
    {
        foreach (var kind in Enum.GetValues<OrganisationKind>())
            Assert.True(Demo.Organisations.Count(o => o.Kind == kind) >= 2, $"fewer than two of {kind}");

        Assert.Equal(Demo.Organisations.Count, Demo.Organisations.Select(o => o.Key).Distinct().Count());
        Assert.Equal(Demo.Organisations.Count, Demo.Organisations.Select(o => o.ClientAppId).Distinct().Count());
        Assert.All(Demo.Organisations, o => Assert.True(Guid.TryParse(o.ClientAppId, out _)));

        var woonstede = Demo.Organisations.Single(o => o.Key == DemoOrganisations.Woonstede);
        Assert.Equal(DemoOrganisations.IdOf(DemoOrganisations.Woonstede), woonstede.Id);
        Assert.Equal(OrganisationKind.Woningcorporatie, woonstede.Kind);
        Assert.Equal(DemoOrganisations.ClientAppIdFor(DemoOrganisations.Woonstede), woonstede.ClientAppId);
        Assert.Equal(OrganisationKind.Gemeente, Demo.Organisations.Single(o => o.Key == DemoOrganisations.GemeenteVeiligstad).Kind);
    }

    [Fact]
    public void Every_case_kind_confidentiality_level_status_and_intervention_kind_is_present()
    {
        Assert.Equal(Enum.GetValues<CaseKind>().Order(), Demo.Cases.Select(c => c.Kind).Distinct().Order());
        Assert.Equal(Enum.GetValues<ConfidentialityLevel>().Order(), Demo.Cases.Select(c => c.Confidentiality).Distinct().Order());
        Assert.Equal(Enum.GetValues<CaseStatus>().Order(), Demo.Cases.Select(c => c.Status).Distinct().Order());
        Assert.Equal(Enum.GetValues<InterventionKind>().Order(), Demo.Interventions.Select(i => i.Kind).Distinct().Order());
        Assert.Equal(Enum.GetValues<IncidentCategory>().Order(), DemoIncidents.Select(i => i.Category).Distinct().Order());
        Assert.All(Demo.Cases.Where(c => c.Kind == CaseKind.Ondermijning),
            c => Assert.True(c.Confidentiality >= ConfidentialityLevel.Geheim));
    }

    [Fact]
    public void Cases_have_a_consistent_status_history_subjects_and_participants()
    {
        var changes = Demo.CaseStatusChanges.ToLookup(s => s.CaseId);
        var participants = Demo.CaseParticipants.ToLookup(p => p.CaseId);
        var subjects = Demo.CaseSubjects.ToLookup(s => s.CaseId);
        var locations = Demo.Locations.ToDictionary(l => l.Id);
        var caseLocations = Demo.CaseLocations.ToLookup(l => l.CaseId);
        var end = DutchTime.ToUtc(SyntheticData.PeriodEndLocal);

        foreach (var c in Demo.Cases)
        {
            var history = changes[c.Id].OrderBy(s => s.ChangedAt).ToList();
            Assert.Null(history[0].FromStatus);
            Assert.Equal(CaseStatus.Gemeld, history[0].ToStatus);
            Assert.Equal(c.OpenedAt, history[0].ChangedAt);
            for (var i = 1; i < history.Count; i++) Assert.Equal(history[i - 1].ToStatus, history[i].FromStatus);
            Assert.Equal(c.Status, history[^1].ToStatus);
            Assert.True(history[^1].ChangedAt <= end);
            Assert.Equal(c.Status == CaseStatus.Afgesloten, c.Outcome is not null);
            Assert.Equal(c.Status == CaseStatus.Afgesloten, c.ClosedAt is not null);
            Assert.Equal(history.Any(h => h.ToStatus == CaseStatus.OpgeschaaldNaarZvh), c.EscalatedAt is not null);

            Assert.InRange(subjects[c.Id].Count(), 1, 4);
            Assert.NotEmpty(caseLocations[c.Id]);
            var members = participants[c.Id].Select(p => p.OrganisationId).ToHashSet();
            Assert.Contains(c.CoordinatingOrganisationId, members);
            if (c.EscalatedAt is not null)
                Assert.Contains(members, m => KindOf(m) == OrganisationKind.ZorgEnVeiligheidshuis);
            if (c.Kind == CaseKind.Woonoverlast)
            {
                // The corporation owning the dwelling is on its woonoverlast case.
                foreach (var owner in caseLocations[c.Id].Select(l => locations[l.LocationId].OwnerOrganisationId).OfType<int>().Take(1))
                    Assert.Contains(owner, members);
            }
            if (c.Kind == CaseKind.ZorgEnVeiligheid)
                Assert.Contains(members, m => KindOf(m) == OrganisationKind.Zorgaanbieder);
        }
    }

    [Fact]
    public void Interventions_are_executed_by_a_fitting_partner_on_the_case()
    {
        var participants = Demo.CaseParticipants.ToLookup(p => p.CaseId, p => p.OrganisationId);
        foreach (var i in Demo.Interventions)
        {
            var executor = KindOf(i.ExecutingOrganisationId);
            if (i.CaseId is { } caseId) Assert.Contains(i.ExecutingOrganisationId, participants[caseId]);
            switch (i.Kind)
            {
                case InterventionKind.BestuurlijkeBoete:
                    Assert.Equal(OrganisationKind.Gemeente, executor);
                    Assert.True(i.FineAmountCents > 0);
                    Assert.NotNull(i.FineObjection);
                    break;
                case InterventionKind.Zorgtraject:
                case InterventionKind.Schuldhulpverlening:
                    Assert.Equal(OrganisationKind.Zorgaanbieder, executor);
                    Assert.NotNull(i.PersonId);
                    break;
                case InterventionKind.Huurprocedure:
                    Assert.Equal(OrganisationKind.Woningcorporatie, executor);
                    break;
                case InterventionKind.InzetPolitieBoa:
                    Assert.True(executor is OrganisationKind.Politie or OrganisationKind.Gemeente);
                    Assert.NotNull(i.NeighbourhoodId);
                    break;
                case InterventionKind.SluitingPand:
                case InterventionKind.IntegraleControle:
                    Assert.Equal(OrganisationKind.Gemeente, executor);
                    Assert.NotNull(i.LocationId);
                    break;
            }
            if (i.Kind != InterventionKind.BestuurlijkeBoete) Assert.Null(i.FineAmountCents);
        }
        Assert.Contains(Demo.Interventions, i => i.CaseId is null && i.NeighbourhoodId is not null);
        Assert.Contains(Demo.Interventions, i => i.CaseId is null && i.Kind == InterventionKind.BestuurlijkeBoete && i.LocationId is not null);
        Assert.Contains(Demo.Interventions, i => i.FineObjection is ObjectionStatus.Ingediend or ObjectionStatus.Toegewezen or ObjectionStatus.Afgewezen);
        Assert.Contains(Demo.Interventions, i => i.FineCollection == CollectionStatus.Betaald);
    }

    [Fact]
    public void Person_data_is_there_and_consistent()
    {
        Assert.NotEmpty(Demo.LifeDomainScores);
        Assert.All(Demo.LifeDomainScores, s => Assert.InRange(s.Score, 1, 5));
        // Assessments cover all 13 domains.
        Assert.All(Demo.LifeDomainScores.GroupBy(s => (s.PersonId, s.AssessedOn)), g => Assert.Equal(13, g.Select(s => s.Domain).Distinct().Count()));
        Assert.NotEmpty(Demo.PoliceSignals);
        Assert.All(Demo.PoliceSignals, s => Assert.Equal(OrganisationKind.Politie, KindOf(s.OrganisationId)));

        var locations = Demo.Locations.ToDictionary(l => l.Id);
        Assert.NotEmpty(Demo.Tenancies);
        Assert.All(Demo.Tenancies, t => Assert.Equal(locations[t.LocationId].OwnerOrganisationId, t.LandlordOrganisationId));

        Assert.NotEmpty(Demo.Consents);
        Assert.Contains(Demo.Consents, c => c.WithdrawnOn is not null);
        Assert.All(Demo.Consents, c =>
        {
            Assert.Equal(OrganisationKind.Zorgaanbieder, KindOf(c.CareProviderOrganisationId));
            Assert.NotEqual(c.CareProviderOrganisationId, c.RecipientOrganisationId);
            if (c.WithdrawnOn is { } withdrawn) Assert.True(withdrawn > c.GivenOn);
        });
    }

    [Fact]
    public void Incidents_lie_in_their_locations_neighbourhood_within_the_period()
    {
        var locations = Demo.Locations.ToDictionary(l => l.Id);
        var start = DutchTime.ToUtc(SyntheticData.PeriodStartLocal);
        var end = DutchTime.ToUtc(SyntheticData.PeriodEndLocal);
        Assert.All(DemoIncidents, i =>
        {
            Assert.Equal(locations[i.LocationId].NeighbourhoodId, i.NeighbourhoodId);
            Assert.InRange(i.OccurredAt, start, end);
            Assert.True(i.ReportedAt >= i.OccurredAt);
            Assert.True(i.UpdatedAt >= i.CreatedAt);
            Assert.Equal(i.Persons.Count, i.Persons.Select(p => p.PersonId).Distinct().Count());
            Assert.All(i.Persons, p => Assert.Equal(i.Id, p.IncidentId));
        });
        Assert.All(DemoIncidents.Where(i => i.Category is IncidentCategory.Jeugdoverlast or IncidentCategory.IllegaalAfvalDumpen),
            i => Assert.True(i.InPublicSpace));
        Assert.All(DemoIncidents.Where(i => i.Category is IncidentCategory.Woninginbraak or IncidentCategory.Burenruzie),
            i => Assert.False(i.InPublicSpace));
        Assert.Contains(DemoIncidents, i => i.Persons.Count > 0);
        Assert.True(DemoIncidents.Count(i => KindOf(i.ReportingOrganisationId) == OrganisationKind.Politie) > DemoIncidents.Count / 2);
    }

    [Fact]
    public void Youth_nuisance_happens_mostly_in_evenings_and_weekends()
    {
        var youth = DemoIncidents.Where(i => i.Category == IncidentCategory.Jeugdoverlast).Select(i => DutchTime.ToLocal(i.OccurredAt)).ToList();
        var eveningOrWeekend = youth.Count(t => t.Hour >= 19 || t.Hour < 1 || t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        Assert.True(eveningOrWeekend > youth.Count * 0.6, $"{eveningOrWeekend} of {youth.Count}");

        var burglaries = DemoIncidents.Where(i => i.Category == IncidentCategory.Woninginbraak).Select(i => DutchTime.ToLocal(i.OccurredAt)).ToList();
        Assert.True(burglaries.Count(t => t.Hour is >= 8 and < 21) > burglaries.Count * 0.6);
    }

    [Fact]
    public void Some_neighbourhoods_are_hot_spots()
    {
        var perNeighbourhood = DemoIncidents.GroupBy(i => i.NeighbourhoodId).Select(g => g.Count()).Order().ToList();
        var average = DemoIncidents.Count / (double)Demo.Neighbourhoods.Count;
        Assert.True(perNeighbourhood[^1] > 2.5 * average, $"hottest {perNeighbourhood[^1]}, average {average}");
    }

    [Fact]
    public void External_ids_are_unique_per_source_organisation()
    {
        static void Unique<T>(IEnumerable<T> rows) where T : ISourced
        {
            var sourced = rows.Where(r => r.SourceOrganisationId is not null).ToList();
            Assert.NotEmpty(sourced);
            Assert.All(sourced, r => Assert.False(string.IsNullOrEmpty(r.ExternalId)));
            Assert.Equal(sourced.Count, sourced.Select(r => (r.SourceOrganisationId, r.ExternalId)).Distinct().Count());
            Assert.Contains(rows, r => r.SourceOrganisationId is null);
        }
        Unique(DemoIncidents);
        Unique(Demo.Cases);
        Unique(Demo.Interventions);
    }

    [Fact]
    public async Task Demo_seed_writes_every_row_into_a_sqlite_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"veiligheid-seed-{Guid.NewGuid():N}.db");
        try
        {
            await using (var db = SeedDatabase.CreateSqliteContext(path))
            {
                await SeedDatabase.CreateSchemaAsync(db, CancellationToken.None);
                await SeedCommand.SeedAsync(db, SeedOptions.Demo, CancellationToken.None);
            }

            await using (var db = SeedDatabase.CreateSqliteContext(path))
            {
                Assert.Equal(Demo.Organisations.Count, await db.Organisations.CountAsync());
                Assert.Equal(Demo.Districts.Count, await db.Districts.CountAsync());
                Assert.Equal(Demo.Neighbourhoods.Count, await db.Neighbourhoods.CountAsync());
                Assert.Equal(Demo.Locations.Count, await db.Locations.CountAsync());
                Assert.Equal(Demo.Persons.Count, await db.Persons.CountAsync());
                Assert.Equal(Demo.LifeDomainScores.Count, await db.LifeDomainScores.CountAsync());
                Assert.Equal(Demo.PoliceSignals.Count, await db.PoliceSignals.CountAsync());
                Assert.Equal(Demo.Tenancies.Count, await db.Tenancies.CountAsync());
                Assert.Equal(Demo.Consents.Count, await db.Consents.CountAsync());
                Assert.Equal(DemoIncidents.Count, await db.Incidents.CountAsync());
                Assert.Equal(DemoIncidents.Sum(i => i.Persons.Count), await db.IncidentPersons.CountAsync());
                Assert.Equal(Demo.Cases.Count, await db.Cases.CountAsync());
                Assert.Equal(Demo.CaseSubjects.Count, await db.CaseSubjects.CountAsync());
                Assert.Equal(Demo.CaseLocations.Count, await db.CaseLocations.CountAsync());
                Assert.Equal(Demo.CaseParticipants.Count, await db.CaseParticipants.CountAsync());
                Assert.Equal(Demo.CaseStatusChanges.Count, await db.CaseStatusChanges.CountAsync());
                Assert.Equal(Demo.CaseContributions.Count, await db.CaseContributions.CountAsync());
                Assert.Equal(Demo.Interventions.Count, await db.Interventions.CountAsync());

                // Values round-trip through EF's own mapping (enums as names, GUIDs, dates).
                var expected = DemoIncidents[1234];
                var incident = await db.Incidents.AsNoTracking().SingleAsync(i => i.Id == expected.Id);
                Assert.Equal(expected.Category, incident.Category);
                Assert.Equal(expected.OccurredAt.Ticks, incident.OccurredAt.Ticks);
                Assert.Equal(expected.Version, incident.Version);
                Assert.Equal(expected.ExternalId, incident.ExternalId);
                var expectedFine = Demo.Interventions.First(i => i.FineObjection is not null);
                var fine = await db.Interventions.AsNoTracking().SingleAsync(i => i.Id == expectedFine.Id);
                Assert.Equal(expectedFine.FineObjection, fine.FineObjection);
                Assert.Equal(expectedFine.FineCollection, fine.FineCollection);
                Assert.Equal(expectedFine.StartDate, fine.StartDate);
                Assert.Equal(Demo.Persons[7].Bsn, (await db.Persons.AsNoTracking().SingleAsync(p => p.Id == 8)).Bsn);
                // EF's queries see the enum names the writer stored.
                Assert.Equal(Demo.Cases.Count(c => c.Kind == CaseKind.Ondermijning),
                    await db.Cases.CountAsync(c => c.Kind == CaseKind.Ondermijning));

                var connection = db.Database.GetDbConnection();
                await connection.OpenAsync();
                await using var check = connection.CreateCommand();
                check.CommandText = "PRAGMA foreign_key_check;";
                await using var reader = await check.ExecuteReaderAsync();
                Assert.False(await reader.ReadAsync(), "foreign key violations");
            }

            // A second seed into the same database is refused rather than mixed in.
            await using (var db = SeedDatabase.CreateSqliteContext(path))
            {
                await Assert.ThrowsAsync<InvalidOperationException>(
                    () => SeedCommand.SeedAsync(db, SeedOptions.Demo, CancellationToken.None));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            // The log's and its index's files too (they were left behind in the temp folder).
            foreach (var file in DatabaseSetup.SqliteFiles(path))
                if (File.Exists(file)) File.Delete(file);
        }
    }

    [Fact]
    public async Task Seed_command_creates_a_database_and_rejects_bad_arguments()
    {
        var path = Path.Combine(Path.GetTempPath(), $"veiligheid-seed-{Guid.NewGuid():N}.db");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            Assert.Equal(SeedCommand.ExitUsage, await SeedCommand.RunAsync(["--persons", "many"], output, error));
            Assert.Equal(SeedCommand.ExitUsage, await SeedCommand.RunAsync(["--persons", "3"], output, error));
            Assert.Equal(SeedCommand.ExitUsage, await SeedCommand.RunAsync(["--bogus"], output, error));
            Assert.Equal(SeedCommand.ExitUsage, await SeedCommand.RunAsync(["--database"], output, error));

            Assert.Equal(SeedCommand.ExitOk,
                await SeedCommand.RunAsync(["--persons", "80", "--incidents", "500", "--database", path, "--seed", "7"], output, error));
            Assert.True(File.Exists(path));
            // Seeding the same file again fails cleanly; --replace starts over.
            Assert.Equal(SeedCommand.ExitFailed,
                await SeedCommand.RunAsync(["--persons", "80", "--incidents", "500", "--database", path], output, error));
            Assert.Equal(SeedCommand.ExitOk,
                await SeedCommand.RunAsync(["--persons", "80", "--incidents", "500", "--database", path, "--replace"], output, error));

            await using var db = SeedDatabase.CreateSqliteContext(path);
            Assert.Equal(500, await db.Incidents.CountAsync());
            Assert.Equal(80, await db.Persons.CountAsync());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            // The log's and its index's files too (they were left behind in the temp folder).
            foreach (var file in DatabaseSetup.SqliteFiles(path))
                if (File.Exists(file)) File.Delete(file);
        }
    }

    [Fact]
    public void Dutch_time_follows_summer_and_winter_time()
    {
        Assert.Equal(new DateTime(2026, 7, 1, 10, 0, 0), DutchTime.ToUtc(new DateTime(2026, 7, 1, 12, 0, 0)));
        Assert.Equal(new DateTime(2026, 1, 15, 11, 0, 0), DutchTime.ToUtc(new DateTime(2026, 1, 15, 12, 0, 0)));
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        Assert.Equal(3, DutchTime.ToLocal(new DateTime(2026, 3, 29, 1, 0, 0, DateTimeKind.Utc)).Hour);
        Assert.Equal(2, DutchTime.ToLocal(new DateTime(2026, 10, 25, 1, 0, 0, DateTimeKind.Utc)).Hour);
        var local = new DateTime(2025, 11, 27, 21, 30, 0);
        Assert.Equal(local, DutchTime.ToLocal(DutchTime.ToUtc(local)));
    }

    private static OrganisationKind KindOf(int organisationId) => DemoOrganisations.All[organisationId - 1].Kind;

    private static bool IsPublic(Location location) => location.HouseNumberAddition is null && location.OwnerOrganisationId is null
        && DemoPublicStreets.Contains(location.Street);

    private static readonly HashSet<string> DemoPublicStreets = Demo.Locations
        .Where(l => DutchNames.PublicSuffixes.Any(s => l.Street.EndsWith(s, StringComparison.Ordinal))).Select(l => l.Street).ToHashSet();

    private static string Hash(SyntheticDataSet data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add<T>(IEnumerable<T> rows)
        {
            foreach (var row in rows) sha.AppendData(JsonSerializer.SerializeToUtf8Bytes(row));
        }
        Add(data.Organisations);
        Add(data.Districts);
        Add(data.Neighbourhoods);
        Add(data.Locations);
        Add(data.Persons);
        Add(data.LifeDomainScores);
        Add(data.PoliceSignals);
        Add(data.Tenancies);
        Add(data.Consents);
        Add(data.Incidents);
        Add(data.Cases);
        Add(data.CaseSubjects);
        Add(data.CaseLocations);
        Add(data.CaseParticipants);
        Add(data.CaseStatusChanges);
        Add(data.CaseContributions);
        Add(data.Interventions);
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
