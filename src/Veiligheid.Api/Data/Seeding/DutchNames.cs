namespace Veiligheid.Data.Seeding;

/// <summary>Word lists for Dutch-looking synthetic names and places. Combined at random they name nobody in particular.</summary>
internal static class DutchNames
{
    public static readonly string[] GivenNames =
    [
        "Daan", "Sem", "Lucas", "Levi", "Finn", "Noah", "Milan", "Bram", "Thijs", "Ruben", "Jesse", "Tim", "Lars", "Stijn",
        "Jan", "Piet", "Kees", "Willem", "Henk", "Gerrit", "Johan", "Cor", "Ton", "Hans", "Peter", "Marco", "Dennis", "Kevin",
        "Mohammed", "Yusuf", "Ayoub", "Mehmet", "Emre", "Rachid", "Omar", "Samir", "Dylan", "Jayden", "Rayan", "Ravi",
        "Emma", "Julia", "Sophie", "Tess", "Anouk", "Sanne", "Lotte", "Fleur", "Lisa", "Eva", "Noor", "Isa", "Femke", "Iris",
        "Annie", "Ingrid", "Maria", "Johanna", "Wilma", "Petra", "Monique", "Sandra", "Linda", "Esther", "Marieke", "Anja",
        "Fatima", "Yasmina", "Sara", "Zeynep", "Elif", "Aisha", "Naima", "Priya", "Shanti", "Chantal", "Kimberley", "Demi",
    ];

    /// <summary>Surnames with the prefix they are usually written with (null: none).</summary>
    public static readonly (string? Prefix, string Surname)[] Surnames =
    [
        (null, "Jansen"), (null, "Bakker"), (null, "Visser"), (null, "Smit"), (null, "Meijer"), (null, "Mulder"),
        (null, "Bos"), (null, "Vos"), (null, "Peters"), (null, "Hendriks"), (null, "Dekker"), (null, "Brouwer"),
        (null, "Dijkstra"), (null, "Kok"), (null, "Verhoeven"), (null, "Janssen"), (null, "Willems"), (null, "Hoekstra"),
        (null, "Koster"), (null, "Prins"), (null, "Huisman"), (null, "Postma"), (null, "Kuipers"), (null, "Schouten"),
        (null, "Vermeulen"), (null, "Kramer"), (null, "Wouters"), (null, "Timmermans"), (null, "Maas"), (null, "Verbeek"),
        (null, "Yilmaz"), (null, "Kaya"), (null, "El Amrani"), (null, "Bouzid"), (null, "Ramdin"), (null, "Sardjoe"),
        (null, "Nguyen"), (null, "Kowalski"), (null, "Martens"), (null, "Sterk"),
        ("de", "Vries"), ("de", "Boer"), ("de", "Jong"), ("de", "Groot"), ("de", "Graaf"), ("de", "Wit"), ("de", "Bruijn"),
        ("de", "Haan"), ("de", "Lange"), ("de", "Koning"),
        ("van", "Dijk"), ("van", "Leeuwen"), ("van", "Beek"), ("van", "Vliet"), ("van", "Wijk"), ("van", "Dam"),
        ("van", "Rijn"), ("van", "Loon"),
        ("van der", "Berg"), ("van der", "Meer"), ("van der", "Linden"), ("van der", "Heijden"), ("van der", "Veen"),
        ("van der", "Wal"), ("van den", "Broek"), ("van den", "Bosch"), ("van den", "Heuvel"), ("van de", "Ven"),
        ("van de", "Pol"), ("van de", "Kamp"), ("ter", "Horst"), ("ten", "Have"), ("in 't", "Veld"), ("den", "Hartog"),
    ];

    /// <summary>Districts (wijken) with their offset from the town centre in km (north, east).</summary>
    public static readonly (string Name, double North, double East)[] Districts =
    [
        ("Binnenstad", 0.0, 0.0), ("Noorderhaven", 2.6, 0.3), ("Oosterweide", 1.5, 2.3), ("Molenkwartier", -0.4, 2.8),
        ("Vogelwijk", 2.2, -1.9), ("Zuidrand", -2.7, 0.4), ("Bloemenwijk", -1.8, 2.1), ("Westerpark", 0.2, -2.8),
        ("Rivierenwijk", -1.9, -2.0), ("Heidebos", -3.6, -1.2),
    ];

    /// <summary>Four neighbourhoods (buurten) per district, in district order.</summary>
    public static readonly string[] Neighbourhoods =
    [
        "Stadshart", "Havenkwartier", "Kerkbuurt", "Vestingwal",
        "Noorderdokken", "Scheepjeshof", "Zeilmakerij", "Kadebuurt",
        "Weidebuurt", "Oosterakker", "Boerhaavehof", "Sluispolder",
        "Molenhoek", "Korenbuurt", "Malerij", "Zaagmolenveld",
        "Merelhof", "Lijsterbes", "Spreeuwenpark", "Reigersbos",
        "Zuiderhof", "Dijkzicht", "Polderpoort", "Nieuwe Akker",
        "Tulpenveld", "Rozenhof", "Narcissenbuurt", "Klaverveld",
        "Westerhaven", "Parkzicht", "Lindenhof", "Stadionbuurt",
        "Maasoever", "Rijnkade", "IJsselhof", "Waalbuurt",
        "Heidezoom", "Dennenrode", "Bosrand", "Vennenbuurt",
    ];

    /// <summary>Street name stems; combined with a suffix they give unique street names.</summary>
    public static readonly string[] StreetStems =
    [
        "Merel", "Lijster", "Spreeuwen", "Mussen", "Vinken", "Reiger", "Zwaluw", "Kievit", "Leeuweriken", "Roodborst",
        "Specht", "Uilen", "Valken", "Zwanen", "Meeuwen", "Eiken", "Beuken", "Linden", "Wilgen", "Berken", "Populieren",
        "Kastanje", "Esdoorn", "Iepen", "Platanen", "Elzen", "Hazelaar", "Vlier", "Meidoorn", "Hulst", "Tulpen", "Rozen",
        "Narcissen", "Lelie", "Klaver", "Seringen", "Anjer", "Dahlia", "Jasmijn", "Zonnebloem", "Rembrandt", "Vermeer",
        "Frans Hals", "Jan Steen", "Mondriaan", "Breitner", "Ruisdael", "Israëls", "Mesdag", "Toorop", "Vondel", "Bredero",
        "Hooft", "Huygens", "Cats", "Multatuli", "Bilderdijk", "Tollens", "Beets", "Potgieter", "Maas", "Rijn", "Waal",
        "IJssel", "Lek", "Vecht", "Amstel", "Eem", "Dommel", "Dinkel", "Smids", "Bakkers", "Kuipers", "Molenaars", "Vissers",
        "Wevers", "Touwslagers", "Zadelmakers", "Brouwers", "Timmer", "Koren", "Haver", "Tarwe", "Gersten", "Rogge",
        "Vlas", "Hennep", "Hop", "Boekweit", "Koolzaad", "Zuider", "Noorder", "Ooster", "Wester", "Hoog", "Laag", "Nieuwe",
        "Oude", "Lange", "Korte", "Brede", "Smalle", "Groene", "Stille", "Heren", "Kerk", "School", "Markt", "Haven",
        "Sluis", "Dijk", "Molen", "Brug", "Poort", "Wal", "Veld", "Akker", "Weide", "Hof", "Burcht", "Slot", "Kasteel",
    ];

    public static readonly string[] StreetSuffixes =
        ["straat", "laan", "weg", "hof", "kade", "singel", "dreef", "plantsoen", "gracht", "steeg", "erf", "pad"];

    /// <summary>Suffixes for public space (squares, parks, shopping areas): kept apart from the dwelling streets.</summary>
    public static readonly string[] PublicSuffixes = ["plein", "park", "passage", "markt", "veld", "promenade"];
}
