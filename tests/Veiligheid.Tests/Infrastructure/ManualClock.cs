namespace Veiligheid.Tests.Infrastructure;

/// <summary>A <see cref="TimeProvider"/> that stands still until a test moves it (a host's clock: <c>AddSingleton&lt;TimeProvider&gt;</c>).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
