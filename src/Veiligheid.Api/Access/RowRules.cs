using System.Linq.Expressions;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Persons;
using static Veiligheid.Access.ExpressionComposition;

namespace Veiligheid.Access;

/// <summary>
/// The library of row rules the policy picks from. Rules that depend on another entity's visibility use that entity's
/// final predicate from the <see cref="CallerAccess"/> (already narrowed by confidentiality and the ondermijning rule), so
/// "a person in a visible case" can never see more than the case rule allows.
/// </summary>
public static class RowRules
{
    // ---- Cases -------------------------------------------------------------------------------------------------

    public static RowRule<Case> ParticipatingCases { get; } = new(
        "participating",
        "cases the caller's organisation coordinates or participates in (need-to-know)",
        scope => c => c.CoordinatingOrganisationId == scope.Caller.OrganisationId
                       || c.Participants.Any(p => p.OrganisationId == scope.Caller.OrganisationId));

    public static RowRule<Case> WoonoverlastAtOwnDwellings { get; } = new(
        "own-dwellings",
        "woonoverlast cases about a dwelling the caller's housing corporation owns",
        scope => c => c.Kind == CaseKind.Woonoverlast
                       && c.Locations.Any(l => l.Location.OwnerOrganisationId == scope.Caller.OrganisationId));

    // ---- Persons -----------------------------------------------------------------------------------------------

    public static RowRule<Person> SubjectsOfVisibleCases { get; } = new(
        "case-subject",
        "subjects of cases the caller may see",
        scope => ((Expression<Func<Person, bool>>)(p => p.CaseLinks.Any(s => Is(s.Case)))).Inline(scope.Cases));

    public static RowRule<Person> InvolvedInVisibleIncidents { get; } = new(
        "incident-person",
        "persons involved in incidents the caller may see",
        scope => ((Expression<Func<Person, bool>>)(p => p.IncidentLinks.Any(l => Is(l.Incident)))).Inline(scope.Incidents));

    public static RowRule<Person> TenantsOfOwnDwellings { get; } = new(
        "own-tenants",
        "current tenants of the caller's own dwellings",
        scope => p => p.Tenancies.Any(t => t.LandlordOrganisationId == scope.Caller.OrganisationId && t.EndDate == null));

    // ---- Incidents ---------------------------------------------------------------------------------------------

    public static RowRule<Incident> AllIncidents { get; } = new(
        "all",
        "every incident in the municipality",
        _ => i => true);

    public static RowRule<Incident> ReportedByCaller { get; } = new(
        "reported-by-caller",
        "incidents the caller's organisation reported",
        scope => i => i.ReportingOrganisationId == scope.Caller.OrganisationId);

    public static RowRule<Incident> InPublicSpace { get; } = new(
        "public-space",
        "incidents in public space",
        _ => i => i.InPublicSpace);

    public static RowRule<Incident> AtOwnDwellings { get; } = new(
        "own-dwellings",
        "incidents at dwellings the caller's housing corporation owns",
        scope => i => i.Location.OwnerOrganisationId == scope.Caller.OrganisationId);

    public static RowRule<Incident> AroundVisibleCases { get; } = new(
        "case-related",
        "incidents at the locations of, or involving the subjects of, cases the caller may see",
        scope => ((Expression<Func<Incident, bool>>)(i =>
                i.Location.CaseLinks.Any(l => Is(l.Case))
                || i.Persons.Any(ip => ip.Person.CaseLinks.Any(s => Is(s.Case))))).Inline(scope.Cases));

    // ---- Interventions -----------------------------------------------------------------------------------------

    public static RowRule<Intervention> OwnInterventions { get; } = new(
        "own",
        "interventions the caller's organisation executes",
        scope => i => i.ExecutingOrganisationId == scope.Caller.OrganisationId);

    public static RowRule<Intervention> OnVisibleCases { get; } = new(
        "case",
        "interventions on cases the caller may see",
        scope => ((Expression<Func<Intervention, bool>>)(i => i.Case != null && Is(i.Case))).Inline(scope.Cases));

    public static RowRule<Intervention> AreaInterventions { get; } = new(
        "area",
        "interventions about an area or location rather than a case or person (deployments, inspections, fines for dumping)",
        _ => i => i.CaseId == null && i.PersonId == null);

    // ---- Locations ---------------------------------------------------------------------------------------------

    public static RowRule<Location> AllLocations { get; } = new(
        "all",
        "every address in the municipality",
        _ => l => true);

    public static RowRule<Location> OwnDwellings { get; } = new(
        "own-dwellings",
        "dwellings the caller's housing corporation owns",
        scope => l => l.OwnerOrganisationId == scope.Caller.OrganisationId);

    public static RowRule<Location> LocationsOfVisibleCases { get; } = new(
        "case-location",
        "locations of cases the caller may see",
        scope => ((Expression<Func<Location, bool>>)(l => l.CaseLinks.Any(cl => Is(cl.Case)))).Inline(scope.Cases));

    // ---- Tenancies ---------------------------------------------------------------------------------------------

    public static RowRule<Tenancy> AllTenancies { get; } = new(
        "all",
        "every tenancy of a visible person",
        _ => t => true);

    public static RowRule<Tenancy> OwnTenancies { get; } = new(
        "own",
        "tenancies with the caller's own housing corporation",
        scope => t => t.LandlordOrganisationId == scope.Caller.OrganisationId);
}
