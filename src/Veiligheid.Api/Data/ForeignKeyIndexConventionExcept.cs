using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Veiligheid.Accountability;

namespace Veiligheid.Data;

/// <summary>
/// EF Core's convention that gives every foreign key an index, but for the foreign keys named in <see cref="Unindexed"/>.
/// EF Core has no API to take a convention's index away (a removed one is added again), so this is where it is decided.
/// </summary>
internal sealed class ForeignKeyIndexConventionExcept(ProviderConventionSetBuilderDependencies dependencies) : ForeignKeyIndexConvention(dependencies)
{
    /// <summary>
    /// The foreign keys, by their entity and property, that get no index: the processing log's person rows name their
    /// action (<see cref="ProcessingLogEntry.ActionKey"/>), and are read by their own key, never by action (see
    /// <see cref="ProcessingLogEntryConfiguration"/>).
    /// </summary>
    internal static readonly IReadOnlySet<(Type Entity, string Property)> Unindexed = new HashSet<(Type, string)>
    {
        (typeof(ProcessingLogEntry), nameof(ProcessingLogEntry.ActionKey)),
    };

    protected override IConventionIndex? CreateIndex(IReadOnlyList<IConventionProperty> properties, bool unique, IConventionEntityTypeBuilder entityTypeBuilder)
        => properties is [var property] && Unindexed.Contains((entityTypeBuilder.Metadata.ClrType, property.Name))
            ? null
            : base.CreateIndex(properties, unique, entityTypeBuilder);
}
