using System.Globalization;
using Veiligheid.Cases;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Data.Seeding;

/// <summary>
/// Builds one <see cref="SyntheticDataSet"/>. Every section draws from its own seeded <see cref="Random"/>, so the data
/// depends on the options only, and the lazily generated incidents come out the same however often they are read.
/// </summary>
internal sealed partial class SyntheticGenerator(SeedOptions options)
{
    private const int SectionOrganisations = 1;
    private const int SectionAreas = 2;
    private const int SectionPersons = 3;
    private const int SectionCases = 4;
    private const int SectionPersonData = 5;
    private const int SectionAreaInterventions = 6;
    private const int SectionIncidents = 7;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly DateTime PeriodStartUtc = DutchTime.ToUtc(SyntheticData.PeriodStartLocal);
    private static readonly DateTime PeriodEndUtc = DutchTime.ToUtc(SyntheticData.PeriodEndLocal);
    private static readonly DateOnly FirstDay = DateOnly.FromDateTime(SyntheticData.PeriodStartLocal);
    private static readonly DateOnly LastDay = DateOnly.FromDateTime(SyntheticData.PeriodEndLocal);

    // Organisation ids follow DemoOrganisations.All.
    private static readonly int GemeenteVeiligstad = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
    private static readonly int GemeenteBuurdorp = DemoOrganisations.IdOf(DemoOrganisations.GemeenteBuurdorp);
    private static readonly int PolitieNoord = DemoOrganisations.IdOf(DemoOrganisations.PolitieNoord);
    private static readonly int PolitieZuid = DemoOrganisations.IdOf(DemoOrganisations.PolitieZuid);
    private static readonly int Woonstede = DemoOrganisations.IdOf(DemoOrganisations.Woonstede);
    private static readonly int Thuisbaas = DemoOrganisations.IdOf(DemoOrganisations.Thuisbaas);
    private static readonly int GgzHorizon = DemoOrganisations.IdOf(DemoOrganisations.GgzHorizon);
    private static readonly int Verslavingszorg = DemoOrganisations.IdOf(DemoOrganisations.VerslavingszorgAnkerpunt);
    private static readonly int Schuldhulp = DemoOrganisations.IdOf(DemoOrganisations.SchuldhulpVeiligstad);
    private static readonly int ZvhNoord = DemoOrganisations.IdOf(DemoOrganisations.ZvhRegioNoord);
    private static readonly int ZvhZuid = DemoOrganisations.IdOf(DemoOrganisations.ZvhRegioZuid);

    private readonly SeedOptions _options = options;

    private Organisation[] _organisations = [];
    private District[] _districts = [];
    private Neighbourhood[] _neighbourhoods = [];
    private readonly List<Location> _locations = [];
    private double[] _neighbourhoodSize = [];
    private double[] _corporationShare = [];
    private double[] _hotFactor = [];
    private int[][] _dwellingsByNeighbourhood = [];
    private int[][] _publicByNeighbourhood = [];

    private readonly List<Person> _persons = [];
    // Residents per location, indexed by location id: persons of a household have consecutive ids.
    private int[] _firstResident = [];
    private int[] _residentCount = [];
    private readonly List<int> _adults = [];
    private readonly List<int> _youth = [];
    private List<int>[] _youthByNeighbourhood = [];
    private readonly List<int> _homeless = [];
    private readonly List<int> _occupiedCorporationDwellings = [];
    private readonly List<int> _occupiedPrivateDwellings = [];
    private List<int>[] _occupiedByNeighbourhood = [];

    public SyntheticDataSet Generate()
    {
        GenerateOrganisations(new Random(RandomExtensions.SectionSeed(_options.Seed, SectionOrganisations)));
        GenerateAreas(new Random(RandomExtensions.SectionSeed(_options.Seed, SectionAreas)));
        GeneratePersons(new Random(RandomExtensions.SectionSeed(_options.Seed, SectionPersons)));
        GenerateCases(new Random(RandomExtensions.SectionSeed(_options.Seed, SectionCases)));
        GeneratePersonData(new Random(RandomExtensions.SectionSeed(_options.Seed, SectionPersonData)));
        GenerateAreaInterventions(new Random(RandomExtensions.SectionSeed(_options.Seed, SectionAreaInterventions)));
        var incidents = new IncidentStream(this, RandomExtensions.SectionSeed(_options.Seed, SectionIncidents));

        return new SyntheticDataSet(_options, incidents.Generate)
        {
            Organisations = _organisations,
            Districts = _districts,
            Neighbourhoods = _neighbourhoods,
            Locations = _locations,
            Persons = _persons,
            LifeDomainScores = _lifeDomainScores,
            PoliceSignals = _policeSignals,
            Tenancies = _tenancies,
            Consents = _consents,
            Cases = _cases,
            CaseSubjects = _caseSubjects,
            CaseLocations = _caseLocations,
            CaseParticipants = _caseParticipants,
            CaseStatusChanges = _statusChanges,
            CaseContributions = _contributions,
            Interventions = _interventions,
        };
    }

    private void GenerateOrganisations(Random rng)
    {
        var created = PeriodStartUtc.AddDays(-365);
        _organisations = DemoOrganisations.All.Select((o, i) => new Organisation
        {
            Id = i + 1,
            Key = o.Key,
            Name = o.Name,
            Kind = o.Kind,
            ClientAppId = o.ClientAppId,
            Version = rng.NextGuid(),
            CreatedAt = created,
            UpdatedAt = created,
        }).ToArray();
    }

    private OrganisationKind KindOf(int organisationId) => _organisations[organisationId - 1].Kind;

    // ----------------------------------------------------------------------------------------------------------------
    // Areas and locations
    // ----------------------------------------------------------------------------------------------------------------

    private void GenerateAreas(Random rng)
    {
        const double CentreLatitude = 52.1;
        const double CentreLongitude = 5.1;
        const double KmPerDegreeLatitude = 111.2;
        const double KmPerDegreeLongitude = 68.4; // at 52° north

        _districts = DutchNames.Districts.Select((d, i) => new District
        {
            Id = i + 1,
            Code = string.Create(Inv, $"WK9999{i + 1:D2}"),
            Name = d.Name,
        }).ToArray();

        var perDistrict = DutchNames.Neighbourhoods.Length / _districts.Length;
        _neighbourhoods = DutchNames.Neighbourhoods.Select((name, i) => new Neighbourhood
        {
            Id = i + 1,
            Code = string.Create(Inv, $"BU9999{i / perDistrict + 1:D2}{i % perDistrict + 1:D2}"),
            Name = name,
            DistrictId = i / perDistrict + 1,
        }).ToArray();

        var count = _neighbourhoods.Length;
        _neighbourhoodSize = new double[count];
        _corporationShare = new double[count];
        _hotFactor = new double[count];
        double[] corporationShares = [0.05, 0.15, 0.3, 0.45, 0.7];
        for (var i = 0; i < count; i++)
        {
            _neighbourhoodSize[i] = 0.5 + rng.NextDouble();
            _corporationShare[i] = rng.Pick(corporationShares);
            _hotFactor[i] = 1.0;
        }
        // A few hot spots: the wijkveiligheidsoverleg should have something to find.
        foreach (var hot in Shuffled(rng, count).Take(4)) _hotFactor[hot] = 3.5;

        // Dwellings: about 1 per 2 persons, with some vacancy; every neighbourhood has at least two.
        var dwellings = Math.Max(count * 2, _options.Persons * 11 / 20);
        var perNeighbourhood = Apportion(dwellings, _neighbourhoodSize, minimum: 2);
        var publicPerNeighbourhood = 3 + _options.Persons / 2_000;

        var streetPool = Combine(rng, DutchNames.StreetSuffixes);
        var publicPool = Combine(rng, DutchNames.PublicSuffixes);
        var maxStreets = Math.Max(1, streetPool.Count / count);
        var maxPublicStreets = Math.Max(1, publicPool.Count / count);
        var nextStreet = 0;
        var nextPublicStreet = 0;
        var postcodeLetters = PostcodeLetterPairs();
        var created = PeriodStartUtc.AddDays(-120);

        _dwellingsByNeighbourhood = new int[count][];
        _publicByNeighbourhood = new int[count][];
        for (var n = 0; n < count; n++)
        {
            var district = n / perDistrict;
            var (_, north, east) = DutchNames.Districts[district];
            var spread = district == 0 ? 0.35 : 0.6;
            var centreNorth = north + (n % 2 == 0 ? spread : -spread) + rng.Bell() * 0.1;
            var centreEast = east + (n % 4 < 2 ? spread : -spread) + rng.Bell() * 0.1;
            var postcodeDigits = 3500 + (district + 1) * 10 + n % perDistrict + 1;
            var letterIndex = rng.Next(postcodeLetters.Length);
            var ownerCorporation = district < _districts.Length / 2 ? Woonstede : Thuisbaas;

            Location NewLocation(string street, int number, string? addition, double kmNorth, double kmEast, int? owner)
            {
                var id = _locations.Count + 1;
                var location = new Location
                {
                    Id = id,
                    BagId = string.Create(Inv, $"999901{2_000_000 + id:D10}"),
                    Street = street,
                    HouseNumber = number,
                    HouseNumberAddition = addition,
                    Postcode = string.Create(Inv, $"{postcodeDigits}{postcodeLetters[letterIndex % postcodeLetters.Length]}"),
                    City = SyntheticData.MunicipalityName,
                    Latitude = Math.Round(CentreLatitude + kmNorth / KmPerDegreeLatitude, 6),
                    Longitude = Math.Round(CentreLongitude + kmEast / KmPerDegreeLongitude, 6),
                    NeighbourhoodId = n + 1,
                    OwnerOrganisationId = owner,
                    Version = rng.NextGuid(),
                    CreatedAt = created,
                    UpdatedAt = created,
                };
                _locations.Add(location);
                return location;
            }

            // Dwellings, street by street; a street is either mostly a corporation's flats or mostly private homes.
            var dwellingCount = perNeighbourhood[n];
            var streets = Math.Clamp(1 + dwellingCount / 90, 1, maxStreets);
            var dwellingIds = new List<int>(dwellingCount);
            for (var s = 0; s < streets; s++)
            {
                var street = streetPool[nextStreet++ % streetPool.Count];
                var onStreet = dwellingCount / streets + (s < dwellingCount % streets ? 1 : 0);
                var corporationStreet = rng.Chance(_corporationShare[n]);
                var corporation = rng.Chance(0.8) ? ownerCorporation : OtherCorporation(ownerCorporation);
                var flats = corporationStreet ? rng.Chance(0.7) : rng.Chance(0.1);
                var streetNorth = centreNorth + rng.Bell() * 0.25;
                var streetEast = centreEast + rng.Bell() * 0.25;
                letterIndex++;
                for (var k = 0; k < onStreet; k++)
                {
                    if (k > 0 && k % 20 == 0) letterIndex++; // a postcode covers a stretch of about twenty homes
                    var number = flats ? 2 * (k / 4) + 1 : k + 1;
                    var addition = flats ? ((k % 4) + 1).ToString(Inv) : null;
                    int? owner = corporationStreet
                        ? (rng.Chance(0.92) ? corporation : null)
                        : (rng.Chance(0.03) ? corporation : null);
                    var location = NewLocation(street, number, addition,
                        streetNorth + rng.Bell() * 0.06, streetEast + rng.Bell() * 0.06, owner);
                    dwellingIds.Add(location.Id);
                }
            }
            _dwellingsByNeighbourhood[n] = [.. dwellingIds];

            // Public space: squares, parks, shopping areas; the first ones of a neighbourhood are its hot spots.
            var publicStreets = Math.Clamp(1 + publicPerNeighbourhood / 15, 1, maxPublicStreets);
            var names = Enumerable.Range(0, publicStreets).Select(_ => publicPool[nextPublicStreet++ % publicPool.Count]).ToArray();
            var publicIds = new int[publicPerNeighbourhood];
            letterIndex++;
            for (var p = 0; p < publicPerNeighbourhood; p++)
            {
                var location = NewLocation(names[p % publicStreets], p / publicStreets + 1, null,
                    centreNorth + rng.Bell() * 0.2, centreEast + rng.Bell() * 0.2, owner: null);
                publicIds[p] = location.Id;
            }
            _publicByNeighbourhood[n] = publicIds;
        }
    }

    private static int OtherCorporation(int corporation) => corporation == Woonstede ? Thuisbaas : Woonstede;

    private static List<string> Combine(Random rng, string[] suffixes)
    {
        var names = new List<string>();
        foreach (var stem in DutchNames.StreetStems)
        {
            foreach (var suffix in suffixes)
            {
                // "Hofhof" and the like read wrong.
                if (stem.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
                names.Add(stem + suffix);
            }
        }
        var order = Shuffled(rng, names.Count);
        return order.Select(i => names[i]).ToList();
    }

    /// <summary>Postcode letter pairs as PostNL issues them: no F, I, O, Q, U, Y, and not SA, SD or SS.</summary>
    private static string[] PostcodeLetterPairs()
    {
        const string Letters = "ABCDEGHJKLMNPRSTVWXZ";
        var pairs = new List<string>();
        foreach (var a in Letters)
        {
            foreach (var b in Letters)
            {
                var pair = string.Concat(a, b);
                if (pair is "SA" or "SD" or "SS") continue;
                pairs.Add(pair);
            }
        }
        return [.. pairs];
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Persons
    // ----------------------------------------------------------------------------------------------------------------

    private void GeneratePersons(Random rng)
    {
        var locationCount = _locations.Count;
        _firstResident = new int[locationCount + 1];
        _residentCount = new int[locationCount + 1];
        _youthByNeighbourhood = new List<int>[_neighbourhoods.Length];
        _occupiedByNeighbourhood = new List<int>[_neighbourhoods.Length];
        for (var n = 0; n < _neighbourhoods.Length; n++)
        {
            _youthByNeighbourhood[n] = [];
            _occupiedByNeighbourhood[n] = [];
        }

        // BSNs: 8-digit prefixes walked with a step coprime to 10^7, so they never repeat, completed by the 11-proef.
        // All start with 9 (synthetic range).
        long bsnCursor = rng.Next(10_000_000);
        const long BsnStep = 7_919;
        string NextBsn()
        {
            while (true)
            {
                var prefix = 90_000_000 + bsnCursor % 10_000_000;
                bsnCursor += BsnStep;
                var bsn = Bsn.Complete(prefix.ToString("D8", Inv));
                if (bsn is not null) return bsn;
            }
        }

        var created = PeriodStartUtc.AddDays(-60);
        Person NewPerson(int birthYear, (string? Prefix, string Surname) surname, int? address)
        {
            var person = new Person
            {
                Id = _persons.Count + 1,
                Bsn = NextBsn(),
                GivenName = rng.Pick(DutchNames.GivenNames),
                SurnamePrefix = surname.Prefix,
                Surname = surname.Surname,
                DateOfBirth = new DateOnly(birthYear, 1, 1).AddDays(rng.Next(365)),
                AddressId = address,
                Version = rng.NextGuid(),
                CreatedAt = created,
                UpdatedAt = created,
            };
            _persons.Add(person);
            if (birthYear >= 1951) _adults.Add(person.Id); // 18 to 75 at the end of the period
            if (birthYear >= 2001)
            {
                _youth.Add(person.Id);
                if (address is { } a) _youthByNeighbourhood[_locations[a - 1].NeighbourhoodId - 1].Add(person.Id);
            }
            return person;
        }

        // A small share has no address: homelessness is one of the multi-problems the lokale kamer deals with.
        var homeless = Math.Max(2, _options.Persons / 50);
        var housed = _options.Persons - homeless;
        double[] householdSizes = Cumulative([0.35, 0.30, 0.15, 0.15, 0.05]);
        var dwellings = _dwellingsByNeighbourhood.SelectMany(d => d).ToArray();
        var order = Shuffled(rng, dwellings.Length);
        var placed = 0;
        for (var i = 0; i < order.Length && placed < housed; i++)
        {
            var dwelling = dwellings[order[i]];
            var size = Math.Min(rng.PickWeighted(householdSizes) + 1, housed - placed);
            var headYear = 1940 + rng.Next(67);
            var family = rng.Pick(DutchNames.Surnames);
            _firstResident[dwelling] = _persons.Count + 1;
            _residentCount[dwelling] = size;
            NewPerson(headYear, family, dwelling);
            for (var m = 1; m < size; m++)
            {
                if (m == 1)
                {
                    // Partners keep their own birth name in the BRP.
                    NewPerson(Math.Clamp(headYear + rng.Next(-5, 6), 1940, 2006), rng.Pick(DutchNames.Surnames), dwelling);
                }
                else
                {
                    var childYear = headYear + 22 + rng.Next(19);
                    NewPerson(childYear <= 2008 ? childYear : 1996 + rng.Next(13), family, dwelling);
                }
            }
            placed += size;
            var location = _locations[dwelling - 1];
            (location.OwnerOrganisationId is null ? _occupiedPrivateDwellings : _occupiedCorporationDwellings).Add(dwelling);
            _occupiedByNeighbourhood[location.NeighbourhoodId - 1].Add(dwelling);
        }
        while (_persons.Count < _options.Persons)
        {
            var person = NewPerson(1950 + rng.Next(57), rng.Pick(DutchNames.Surnames), address: null);
            _homeless.Add(person.Id);
        }
    }

    private static double[] Cumulative(ReadOnlySpan<double> weights) => RandomExtensions.Cumulative(weights);

    private int NeighbourhoodIndexOf(int locationId) => _locations[locationId - 1].NeighbourhoodId - 1;

    private int DistrictIndexOfNeighbourhood(int neighbourhoodIndex) => _neighbourhoods[neighbourhoodIndex].DistrictId - 1;

    /// <summary>The police unit of a neighbourhood: the northern districts are Noord's, the rest Zuid's.</summary>
    private int PoliceFor(int neighbourhoodIndex)
        => DistrictIndexOfNeighbourhood(neighbourhoodIndex) < _districts.Length / 2 ? PolitieNoord : PolitieZuid;

    private int PoliceForPerson(int personId)
        => _persons[personId - 1].AddressId is { } a ? PoliceFor(NeighbourhoodIndexOf(a)) : PolitieNoord;

    private IEnumerable<int> ResidentsOf(int locationId)
        => Enumerable.Range(_firstResident[locationId], _residentCount[locationId]);

    private int Age(int personId, DateOnly on)
    {
        var born = _persons[personId - 1].DateOfBirth;
        var age = on.Year - born.Year;
        return born.AddYears(age) > on ? age - 1 : age;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Shared helpers
    // ----------------------------------------------------------------------------------------------------------------

    /// <summary>0..count-1 in random order (Fisher–Yates).</summary>
    private static int[] Shuffled(Random rng, int count)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        for (var i = count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Splits <paramref name="total"/> in proportion to the weights (largest remainder), each at least the minimum.</summary>
    private static int[] Apportion(int total, double[] weights, int minimum)
    {
        var result = new int[weights.Length];
        var free = total - minimum * weights.Length;
        var sum = weights.Sum();
        var remainders = new (double Remainder, int Index)[weights.Length];
        var given = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var exact = free * weights[i] / sum;
            result[i] = minimum + (int)exact;
            given += (int)exact;
            remainders[i] = (exact - (int)exact, i);
        }
        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(free - given))
            result[index]++;
        return result;
    }

    /// <summary>A Dutch office-hours moment on <paramref name="day"/>, as UTC.</summary>
    private static DateTime OfficeTime(Random rng, DateOnly day)
        => DutchTime.ToUtc(day.ToDateTime(new TimeOnly(8, 30)).AddMinutes(rng.Next(8 * 60 + 30)).AddSeconds(rng.Next(60)));

    private static DateOnly LocalDay(DateTime utc) => DateOnly.FromDateTime(DutchTime.ToLocal(utc));

    private readonly Dictionary<(string Table, int Organisation), int> _externalCounters = [];

    /// <summary>An id as the partner's own system would have given it: unique per (table, source organisation).</summary>
    private string NextExternalId(string table, int organisation, string prefix, int year)
    {
        var key = (table, organisation);
        var next = _externalCounters.GetValueOrDefault(key) + 1;
        _externalCounters[key] = next;
        return string.Create(Inv, $"{prefix}-{year}-{next:D7}");
    }

    private static string SystemPrefix(int organisation) => DemoOrganisations.All[organisation - 1].Key switch
    {
        DemoOrganisations.GemeenteVeiligstad => "VST",
        DemoOrganisations.GemeenteBuurdorp => "BRD",
        DemoOrganisations.PolitieNoord => "BVH-N",
        DemoOrganisations.PolitieZuid => "BVH-Z",
        DemoOrganisations.Woonstede => "WST",
        DemoOrganisations.Thuisbaas => "THB",
        DemoOrganisations.GgzHorizon => "GGZH",
        DemoOrganisations.VerslavingszorgAnkerpunt => "VZA",
        DemoOrganisations.SchuldhulpVeiligstad => "SHV",
        DemoOrganisations.ZvhRegioNoord => "ZVHN",
        _ => "ZVHZ",
    };
}
