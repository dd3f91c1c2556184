using System.Linq.Expressions;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Persons;

namespace Veiligheid.Access;

/// <summary>
/// One caller's access: the role's rules bound to the caller, plus the rules that hold for every role (confidentiality
/// ceiling, ondermijning only for the partners named on it, care interventions only with consent). Every query the API
/// runs filters through these predicates, so the filter is part of the SQL.
/// </summary>
public sealed class CallerAccess
{
    private Expression<Func<Case, bool>>? _cases;
    private Expression<Func<Incident, bool>>? _incidents;
    private Expression<Func<Person, bool>>? _persons;
    private Expression<Func<Intervention, bool>>? _interventions;
    private Expression<Func<Location, bool>>? _locations;
    private Expression<Func<Tenancy, bool>>? _tenancies;
    private Expression<Func<CaseSubject, bool>>? _caseSubjects;

    public CallerAccess(Caller caller, RoleAccess role)
    {
        Caller = caller;
        Role = role;
        Purpose = Purposes.Find(caller.Purpose);
        Categories = Purposes.Effective(caller.Role, Purpose);
    }

    public Caller Caller { get; }
    public RoleAccess Role { get; }

    /// <summary>The purpose the request states; null when it states none.</summary>
    public ProcessingPurpose? Purpose { get; }

    /// <summary>The categories this request may read: the role's, narrowed to the purpose's.</summary>
    public IReadOnlySet<DataCategory> Categories { get; }

    public bool Grants(DataCategory category) => Categories.Contains(category);

    /// <summary>
    /// Whether care interventions can be among the caller's rows at all: only where the role and the purpose cover care
    /// data (<see cref="Interventions"/>). Where they cannot, no answer about interventions says anything about care.
    /// </summary>
    public bool MayReceiveCare => Grants(DataCategory.Zorg);

    /// <summary>True when the role may perform this write at all; <see cref="WriteRules"/> narrows the rows.</summary>
    public bool May(WriteAction action) => Role.Writes.Contains(action);

    /// <summary>Visible cases the caller may add to (<see cref="WriteRules.AddToCase"/>).</summary>
    public Expression<Func<Case, bool>> CasesToAddTo => Cases.And(WriteRules.AddToCase.Predicate(this));

    /// <summary>Visible cases whose status the caller may change (<see cref="WriteRules.ChangeCaseStatus"/>).</summary>
    public Expression<Func<Case, bool>> CasesToMoveOn => Cases.And(WriteRules.ChangeCaseStatus.Predicate(this));

    /// <summary>Visible interventions the caller may edit (<see cref="WriteRules.EditIntervention"/>).</summary>
    public Expression<Func<Intervention, bool>> InterventionsToEdit => Interventions.And(WriteRules.EditIntervention.Predicate(this));

    /// <summary>Consents the caller may withdraw (<see cref="WriteRules.ManageConsent"/>).</summary>
    public Expression<Func<Consent, bool>> ConsentsToManage => WriteRules.ManageConsent.Predicate(this);

    public Expression<Func<Case, bool>> Cases => _cases ??= BuildCases();
    public Expression<Func<Incident, bool>> Incidents => _incidents ??= Bind(Role.Incidents);
    public Expression<Func<Person, bool>> Persons => _persons ??= Bind(Role.Persons);
    public Expression<Func<Intervention, bool>> Interventions => _interventions ??= BuildInterventions();
    public Expression<Func<Location, bool>> Locations => _locations ??= Bind(Role.Locations);
    public Expression<Func<Tenancy, bool>> Tenancies => _tenancies ??= Bind(Role.Tenancies);

    /// <summary>
    /// The links of a case to its subjects (<see cref="CaseSubject"/>) whose person the caller may see: the person rule
    /// through the link. Where that rule includes <see cref="RowRules.SubjectsOfVisibleCases"/> (the person rule is a
    /// union, see <see cref="CallerAccess.Persons"/>), a subject of a visible case is a visible person by that rule alone,
    /// so "the link's case is visible, or its person is" admits exactly the same links; the case test comes first because
    /// it is one look-up of the link's own case and holds for every subject of a case the caller has in hand (a listed
    /// case's subjects), where the person rule searches all of the person's cases and incidents. The same rows either way
    /// (CaseSubjectVisibilityTests compares them per role).
    /// </summary>
    public Expression<Func<CaseSubject, bool>> CaseSubjects => _caseSubjects ??=
        SubjectsOfVisibleCasesAreVisible
            ? Cases.Through<CaseSubject, Case>(s => s.Case).Or(Persons.Through<CaseSubject, Person>(s => s.Person))
            : Persons.Through<CaseSubject, Person>(s => s.Person);

    /// <summary>
    /// <see cref="CaseSubjects"/> for the links of a case the caller may see, where it reads less: when every subject of a
    /// visible case is a visible person (<see cref="SubjectsOfVisibleCasesAreVisible"/>) the rule holds for every such link
    /// and null is returned (nothing to test); otherwise the person rule through the link, as <see cref="CaseSubjects"/>.
    /// Only for a reader that knows the case is visible (the compiled read path, whose every case row is one).
    /// </summary>
    public Expression<Func<CaseSubject, bool>>? CaseSubjectsOfVisibleCase =>
        SubjectsOfVisibleCasesAreVisible ? null : Persons.Through<CaseSubject, Person>(s => s.Person);

    /// <summary>Whether the caller's person rule includes <see cref="RowRules.SubjectsOfVisibleCases"/>, so that every subject of a case the caller may see is a person the caller may see.</summary>
    public bool SubjectsOfVisibleCasesAreVisible => Role.Persons?.Includes(RowRules.SubjectsOfVisibleCases) == true;

    private Expression<Func<Case, bool>> BuildCases()
    {
        if (Role.Cases is null) return Nothing<Case>();
        var max = Role.MaxConfidentiality;
        Expression<Func<Case, bool>> ceiling = c => c.Confidentiality <= max;
        // Ondermijning only for the partners named on it: the participation rule itself, not a copy of it.
        var participating = RowRules.ParticipatingCases.Predicate(this);
        Expression<Func<Case, bool>> notOndermijning = c => c.Kind != CaseKind.Ondermijning;
        var role = Role.Cases.Predicate(this);
        // A role whose case rule is participation already has what the ondermijning rule asks (P and (not O or P) is P);
        // left out, the SQL tests one correlated EXISTS less wherever a case's visibility is tested.
        return ReferenceEquals(Role.Cases, RowRules.ParticipatingCases)
            ? ceiling.And(role)
            : ceiling.And(notOndermijning.Or(participating)).And(role);
    }

    private Expression<Func<Intervention, bool>> BuildInterventions()
    {
        if (Role.Interventions is null) return Nothing<Intervention>();
        var max = Role.MaxConfidentiality;
        var organisationId = Caller.OrganisationId;
        var mayReceiveCare = MayReceiveCare;
        // A care intervention is care data even for the organisation that executes it: under a purpose that does not
        // cover care (mayReceiveCare is the role's categories narrowed by the purpose) it is not there at all.
        Expression<Func<Intervention, bool>> universal = i =>
            i.Confidentiality <= max
            && (!ExpressionComposition.Is(i)
                || (mayReceiveCare
                    && (i.ExecutingOrganisationId == organisationId
                        || (i.Person != null && i.Person.Consents.Any(c =>
                            c.CareProviderOrganisationId == i.ExecutingOrganisationId
                            && ExpressionComposition.Is(c))))));
        return universal.Inline(AccessPolicy.IsCareIntervention).Inline(ActiveConsentToCaller()).And(Role.Interventions.Predicate(this));
    }

    /// <summary>
    /// A consent that lets the caller's organisation receive care data now: given to it and not withdrawn. The care row
    /// rule (<see cref="Interventions"/>) asks for one from the intervention's executor; <see cref="CareMayBeAmongRowsOf"/>
    /// for one from any care provider.
    /// </summary>
    private Expression<Func<Consent, bool>> ActiveConsentToCaller()
    {
        var organisationId = Caller.OrganisationId;
        return c => c.RecipientOrganisationId == organisationId && c.WithdrawnOn == null;
    }

    /// <summary>
    /// The persons some care intervention of whom could be among the caller's rows (<see cref="Interventions"/>): one with
    /// an active consent toward the caller's organisation, or with a care intervention that organisation executes. A
    /// person without either has no care intervention the caller may see, so an answer about their interventions (a count,
    /// an empty list) says nothing about their care. The row rule's consent must come from the intervention's executor and
    /// its rows pass the confidentiality ceiling and the role's rule too; this asks neither, so it holds for every person
    /// the rule could show a care intervention of, and for some more: the record errs on the data subject's side. No one
    /// where the caller may receive no care at all (<see cref="MayReceiveCare"/>).
    /// </summary>
    /// <param name="interventions">All interventions (the context's table), for the second half; its root goes into the tree.</param>
    public Expression<Func<Person, bool>> CareMayBeAmongRowsOf(IQueryable<Intervention> interventions)
    {
        if (!MayReceiveCare) return Nothing<Person>();
        var organisationId = Caller.OrganisationId;
        Expression<Func<IQueryable<Intervention>, Person, bool>> template = (all, p) =>
            p.Consents.Any(c => ExpressionComposition.Is(c))
            || all.Any(i => i.PersonId == p.Id && i.ExecutingOrganisationId == organisationId && ExpressionComposition.Is(i));
        return template.With<IQueryable<Intervention>, Person>(interventions.Expression).Inline(ActiveConsentToCaller()).Inline(AccessPolicy.IsCareIntervention);
    }

    /// <summary>
    /// The subjects of a case whose list of interventions may hold some care intervention that is theirs: those of
    /// <see cref="CareMayBeAmongRowsOf"/>, and those of a case on which the caller's organisation executes a care
    /// intervention aimed at no one. That one is among its rows (its executor sees it) and on each subject's timeline as
    /// their care data (PersonOverview), so a list of the case's interventions, or its count, says as much about them.
    /// Asked of the person's cases, not of the one case listed: the record errs on the data subject's side.
    /// </summary>
    /// <param name="interventions">All interventions (the context's table); its root goes into the tree.</param>
    public Expression<Func<Person, bool>> CareMayBeAmongCaseRowsOf(IQueryable<Intervention> interventions)
    {
        ArgumentNullException.ThrowIfNull(interventions);
        if (!MayReceiveCare) return Nothing<Person>();
        var organisationId = Caller.OrganisationId;
        Expression<Func<IQueryable<Intervention>, Person, bool>> onTheirCases = (all, p) =>
            p.CaseLinks.Any(s => all.Any(i => i.CaseId == s.CaseId && i.PersonId == null && i.ExecutingOrganisationId == organisationId && ExpressionComposition.Is(i)));
        return CareMayBeAmongRowsOf(interventions)
            .Or(onTheirCases.With<IQueryable<Intervention>, Person>(interventions.Expression).Inline(AccessPolicy.IsCareIntervention));
    }

    private Expression<Func<T, bool>> Bind<T>(RowRule<T>? rule) => rule is null ? Nothing<T>() : rule.Predicate(this);

    private static Expression<Func<T, bool>> Nothing<T>() => _ => false;
}
