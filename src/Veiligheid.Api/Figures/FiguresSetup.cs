using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;

namespace Veiligheid.Figures;

/// <summary>
/// The database figures read from: the request's own context, or, on SQL Server when
/// <c>ConnectionStrings:VeiligheidReadOnly</c> is set, a separate context on that connection with
/// <c>ApplicationIntent=ReadOnly</c> (forced here even if the string forgot it), so an availability group routes the
/// GROUP BY queries to a readable secondary and they never compete with the partners' writes.
/// </summary>
public sealed class FiguresDatabase : IAsyncDisposable
{
    private readonly VeiligheidDbContext? _owned;

    public FiguresDatabase(VeiligheidDbContext requestContext, IConfiguration configuration, IOptions<FiguresOptions> options, CellKeyRounding rounding)
    {
        ArgumentNullException.ThrowIfNull(rounding);
        Rounding = rounding;
        ArgumentNullException.ThrowIfNull(requestContext);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        var readOnly = configuration.GetConnectionString(FiguresOptions.ReadOnlyConnectionStringName);
        if (requestContext.OnSqlServer && !string.IsNullOrWhiteSpace(readOnly))
        {
            var builder = new DbContextOptionsBuilder<SqlServerVeiligheidDbContext>();
            DatabaseSetup.ConfigureSqlServer(builder, ReadOnlyConnectionString(readOnly));
            builder.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
            _owned = new SqlServerVeiligheidDbContext(builder.Options);
            UsesReadOnlyReplica = true;
        }
        Context = _owned ?? requestContext;
    }

    public VeiligheidDbContext Context { get; }

    public FiguresOptions Options { get; }

    public CellKeyRounding Rounding { get; }

    /// <summary>True when figures go to the read-only connection.</summary>
    public bool UsesReadOnlyReplica { get; }

    /// <summary>The figures of one caller's role, or a refusal when the role may not read figures.</summary>
    public FigureQueries For(RoleAccess role)
    {
        ArgumentNullException.ThrowIfNull(role);
        if (!role.Categories.Contains(DataCategory.Cijfers) || role.Figures is not { } scope)
            throw new FigureAccessException("The caller's role may not read figures.");
        return new FigureQueries(Context, scope, Options, Rounding);
    }

    public static string ReadOnlyConnectionString(string connectionString)
        => new SqlConnectionStringBuilder(connectionString) { ApplicationIntent = ApplicationIntent.ReadOnly }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null) await _owned.DisposeAsync();
    }
}

/// <summary>The caller's role holds no figures.</summary>
public sealed class FigureAccessException(string message) : Exception(message);

/// <summary>Registration of the figures part.</summary>
public static class FiguresSetup
{
    public static IServiceCollection AddVeiligheidFigures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FiguresOptions>()
            .Bind(configuration.GetSection(FiguresOptions.Section))
            .Validate(o => o.SuppressionThreshold >= 3, "Figures:SuppressionThreshold must be at least 3.")
            .Validate(o => o.MaxPeriodDays >= 1, "Figures:MaxPeriodDays must be at least 1.")
            .Validate(o => o.RoundingBase == 1 || (o.RoundingBase >= 2 && o.RoundingBase <= o.SuppressionThreshold), "Figures:RoundingBase must be 1 (off) or from 2 to Figures:SuppressionThreshold.")
            .ValidateOnStart();
        services.AddSingleton(sp => CellKeyRounding.Create(sp.GetRequiredService<IOptions<FiguresOptions>>().Value,
            sp.GetRequiredService<IOptions<ProcessingLogOptions>>().Value, sp.GetRequiredService<IHostEnvironment>()));
        services.AddScoped<FiguresDatabase>();
        return services;
    }
}
