using Veiligheid.Incidents;
using Veiligheid.Organisations;

namespace Veiligheid.Data.Seeding;

internal sealed partial class SyntheticGenerator
{
    /// <summary>
    /// The incidents, generated day by day in time order so that a million of them stream straight into the database.
    /// Each enumeration starts a fresh <see cref="Random"/> from the same seed, so it yields the same rows every time.
    /// </summary>
    private sealed class IncidentStream(SyntheticGenerator world, int seed)
    {
        public IEnumerable<Incident> Generate()
        {
            var rng = new Random(seed);
            var categories = IncidentPatterns.CategoryCount;
            var days = LastDay.DayNumber - FirstDay.DayNumber + 1;
            var total = world._options.Incidents;

            // Weight of every category on every day: share × season × trend × weekday, with day-to-day noise.
            var weights = new double[days][];
            var cumulativeDays = new double[days];
            var running = 0.0;
            for (var d = 0; d < days; d++)
            {
                var date = FirstDay.AddDays(d);
                var t = (double)d / (days - 1);
                var dayNoise = 0.85 + 0.3 * rng.NextDouble();
                weights[d] = new double[categories];
                for (var c = 0; c < categories; c++)
                {
                    weights[d][c] = IncidentPatterns.Share[c]
                        * IncidentPatterns.Season[c][date.Month - 1]
                        * (1 + IncidentPatterns.Trend[c] * (t - 0.5))
                        * IncidentPatterns.Weekday[c][(int)date.DayOfWeek]
                        * dayNoise * (0.9 + 0.2 * rng.NextDouble());
                    running += weights[d][c];
                }
                cumulativeDays[d] = running;
            }

            // Where: neighbourhood size × the shared hot spots × one extra hot spot per category.
            var neighbourhoods = world._neighbourhoods.Length;
            var whereByCategory = new double[categories][];
            for (var c = 0; c < categories; c++)
            {
                var extraHot = rng.Next(neighbourhoods);
                var where = new double[neighbourhoods];
                for (var n = 0; n < neighbourhoods; n++)
                {
                    var w = world._neighbourhoodSize[n] * world._hotFactor[n] * (n == extraHot ? 3 : 1);
                    // Nightlife and bicycles gather in the town centre; burglars prefer owner-occupied areas.
                    if (world.DistrictIndexOfNeighbourhood(n) == 0
                        && (IncidentCategory)c is IncidentCategory.Geweld or IncidentCategory.Fietsendiefstal or IncidentCategory.Drugsoverlast)
                        w *= 2;
                    if ((IncidentCategory)c == IncidentCategory.Woninginbraak) w *= 1.3 - world._corporationShare[n];
                    where[n] = w;
                }
                whereByCategory[c] = Cumulative(where);
            }
            var hours = IncidentPatterns.Hours.Select(h => Cumulative(h)).ToArray();

            var externalCounters = new Dictionary<int, int>();
            var id = 0;
            var previous = 0L;
            for (var d = 0; d < days; d++)
            {
                // Largest-remainder split of the total over the days, so the count is exact.
                var upTo = (long)Math.Floor(total * cumulativeDays[d] / running);
                if (d == days - 1) upTo = total;
                var count = (int)(upTo - previous);
                previous = upTo;
                if (count == 0) continue;

                var date = FirstDay.AddDays(d);
                var categoryPick = Cumulative(weights[d]);
                var batch = new (DateTime OccurredAt, int Sequence, Incident Incident)[count];
                for (var k = 0; k < count; k++)
                {
                    var category = (IncidentCategory)rng.PickWeighted(categoryPick);
                    var c = (int)category;
                    var local = date.ToDateTime(new TimeOnly(rng.PickWeighted(hours[c]), rng.Next(60), rng.Next(60)));
                    var incident = NewIncident(rng, category, DutchTime.ToUtc(local), rng.PickWeighted(whereByCategory[c]));
                    batch[k] = (incident.OccurredAt, k, incident);
                }
                Array.Sort(batch, (a, b) => a.OccurredAt != b.OccurredAt ? a.OccurredAt.CompareTo(b.OccurredAt) : a.Sequence.CompareTo(b.Sequence));

                foreach (var (_, _, incident) in batch)
                {
                    incident.Id = ++id;
                    foreach (var involved in incident.Persons) involved.IncidentId = id;
                    if (incident.SourceOrganisationId is { } source)
                    {
                        var next = externalCounters.GetValueOrDefault(source) + 1;
                        externalCounters[source] = next;
                        incident.ExternalId = string.Create(Inv, $"{SystemPrefix(source)}-{DutchTime.ToLocal(incident.OccurredAt).Year}-{next:D8}");
                    }
                    yield return incident;
                }
            }
        }

        private Incident NewIncident(Random rng, IncidentCategory category, DateTime occurred, int neighbourhood)
        {
            var c = (int)category;
            var inPublicSpace = rng.Chance(IncidentPatterns.PublicShare[c]);
            var dwellings = world._dwellingsByNeighbourhood[neighbourhood];
            var location = inPublicSpace && rng.Chance(0.6)
                ? world.PickPublic(rng, neighbourhood)
                : dwellings[rng.Skewed(dwellings.Length)];
            var owner = world._locations[location - 1].OwnerOrganisationId;
            var police = world.PoliceFor(neighbourhood);

            // Mostly the police; BOA's report dumped waste and some nuisance, corporations their tenants' quarrels.
            var reporter = category switch
            {
                IncidentCategory.IllegaalAfvalDumpen => rng.Chance(0.7) ? GemeenteVeiligstad : police,
                IncidentCategory.Geluidsoverlast or IncidentCategory.Burenruzie when !inPublicSpace && owner is not null && rng.Chance(0.35)
                    => owner.Value,
                IncidentCategory.Hennepteelt when owner is not null && rng.Chance(0.3) => owner.Value,
                IncidentCategory.Vandalisme or IncidentCategory.Jeugdoverlast when rng.Chance(0.15) => GemeenteVeiligstad,
                _ => rng.Chance(0.92) ? police : GemeenteVeiligstad,
            };

            var (minDelay, maxDelay) = IncidentPatterns.ReportDelayMinutes(category);
            var reported = occurred.AddMinutes(minDelay + rng.Next(maxDelay - minDelay + 1));
            if (reported > PeriodEndUtc) reported = PeriodEndUtc;
            var created = reported.AddSeconds(rng.Next(300));
            if (created > PeriodEndUtc) created = PeriodEndUtc;
            var updated = rng.Chance(0.1) ? created.AddDays(1 + rng.Next(20)) : created;
            if (updated > PeriodEndUtc) updated = PeriodEndUtc;

            var incident = new Incident
            {
                Category = category,
                OccurredAt = occurred,
                ReportedAt = reported,
                LocationId = location,
                NeighbourhoodId = neighbourhood + 1,
                ReportingOrganisationId = reporter,
                InPublicSpace = inPublicSpace,
                Version = rng.NextGuid(),
                CreatedAt = created,
                UpdatedAt = updated,
            };
            // Partners' own registrations arrive through the push interface.
            var sourced = world.KindOf(reporter) switch
            {
                OrganisationKind.Politie => rng.Chance(0.6),
                OrganisationKind.Gemeente => rng.Chance(0.5),
                _ => rng.Chance(0.3),
            };
            if (sourced) incident.SourceOrganisationId = reporter;

            if (rng.Chance(IncidentPatterns.PersonShare[c])) AddPersons(rng, incident, category, location, neighbourhood);
            return incident;
        }

        private void AddPersons(Random rng, Incident incident, IncidentCategory category, int location, int neighbourhood)
        {
            void Add(int? person, IncidentPersonRole role)
            {
                if (person is not { } p || incident.Persons.Exists(x => x.PersonId == p)) return;
                incident.Persons.Add(new IncidentPerson { PersonId = p, Role = role });
            }

            int? Resident(int at) => world._residentCount[at] > 0 ? world.PickResident(rng, at) : null;
            int? NeighbourOf(int at) => world.Neighbour(rng, at) is { } n ? world.PickResident(rng, n) : null;
            int Known(List<int> pool, double chance, Func<int> otherwise) => pool.Count > 0 && rng.Chance(chance) ? rng.Pick(pool) : otherwise();
            int Adult() => world.PickAdult(rng, maxAge: 75);
            int Young()
            {
                var local = world._youthByNeighbourhood[neighbourhood];
                return local.Count > 0 ? rng.Pick(local) : world._youth.Count > 0 ? rng.Pick(world._youth) : Adult();
            }

            switch (category)
            {
                case IncidentCategory.Jeugdoverlast:
                    for (var i = 1 + rng.Next(3); i > 0; i--) Add(Known(world._youthCausers, 0.4, Young), IncidentPersonRole.Verdachte);
                    break;
                case IncidentCategory.Geluidsoverlast:
                    Add(Resident(location) ?? Adult(), IncidentPersonRole.Verdachte);
                    if (rng.Chance(0.5)) Add(NeighbourOf(location), IncidentPersonRole.Melder);
                    break;
                case IncidentCategory.Burenruzie:
                    Add(Known(world._nuisanceCausers, 0.2, () => Resident(location) ?? Adult()), IncidentPersonRole.Betrokkene);
                    Add(NeighbourOf(location), IncidentPersonRole.Melder);
                    break;
                case IncidentCategory.Woninginbraak:
                    Add(Resident(location), IncidentPersonRole.Slachtoffer);
                    if (rng.Chance(0.1)) Add(Young(), IncidentPersonRole.Verdachte);
                    break;
                case IncidentCategory.Geweld:
                    Add(Adult(), IncidentPersonRole.Slachtoffer);
                    Add(Known(world._careCausers, 0.2, () => Known(world._youthCausers, 0.25, Adult)), IncidentPersonRole.Verdachte);
                    break;
                case IncidentCategory.VerwardGedrag:
                    Add(Known(world._careCausers, 0.5, Adult), IncidentPersonRole.Betrokkene);
                    break;
                case IncidentCategory.Drugsoverlast:
                    Add(Known(world._underminingCausers, 0.15, () => Known(world._careCausers, 0.2, Adult)), IncidentPersonRole.Verdachte);
                    break;
                case IncidentCategory.Hennepteelt:
                case IncidentCategory.SignaalMensenhandel:
                    Add(Known(world._underminingCausers, 0.5, () => Resident(location) ?? Adult()), IncidentPersonRole.Verdachte);
                    if (category == IncidentCategory.SignaalMensenhandel && rng.Chance(0.5)) Add(Adult(), IncidentPersonRole.Slachtoffer);
                    break;
                default:
                    Add(rng.Chance(0.5) ? Young() : Adult(), IncidentPersonRole.Verdachte);
                    break;
            }
        }
    }
}
