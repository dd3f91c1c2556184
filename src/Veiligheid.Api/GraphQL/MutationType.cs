using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Persons;

namespace Veiligheid.GraphQL;

/// <summary>
/// The entry points for writing. Each field carries its write action (<see cref="MutationFields.Writes"/>), so a role's
/// schema has only the mutations the access policy grants it; the fields are declared in their feature folders.
/// </summary>
[Category(DataCategory.Register)]
public sealed class MutationType : SlicedObjectGraphType<object>
{
    public MutationType()
    {
        Name = "Mutation";
        Description = "Write access for the partners. Every mutation validates its whole input first and writes nothing when any part is invalid; errors are typed and name the input field. Writes from partner systems are idempotent by (the caller's organisation, externalId); edits take the version the client read and answer CONFLICT when it is outdated. Every write is recorded with who did it.";
        IncidentMutations.AddTo(this);
        CaseMutations.AddTo(this);
        InterventionMutations.AddTo(this);
        ConsentMutations.AddTo(this);
    }
}
