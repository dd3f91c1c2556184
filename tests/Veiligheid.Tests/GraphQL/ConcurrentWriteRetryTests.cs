using GraphQL;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.GraphQL;

namespace Veiligheid.Tests.GraphQL;

/// <summary>A write that lost a race on a unique key runs once more; one that collides again is refused clearly, never an internal error.</summary>
public sealed class ConcurrentWriteRetryTests
{
    private static DbUpdateException Duplicate() => new("duplicate", new SqliteException("UNIQUE constraint failed: Incidents.ExternalId", 19, 2067));

    [Fact]
    public async Task A_write_that_lost_a_race_runs_once_more_from_a_clean_state()
    {
        var (runs, clears) = (0, 0);

        var answer = await ConcurrentWriteRetry.RunAsync(() => ++runs == 1 ? throw Duplicate() : ValueTask.FromResult<object?>("UNCHANGED"), () => clears++);

        Assert.Equal("UNCHANGED", answer);
        Assert.Equal((2, 1), (runs, clears));
    }

    [Fact]
    public async Task A_write_that_collides_again_is_refused_with_a_code_and_without_the_key()
    {
        var runs = 0;

        var refused = await Assert.ThrowsAsync<ExecutionError>(async () =>
            await ConcurrentWriteRetry.RunAsync(() => { runs++; throw Duplicate(); }, () => { }));

        Assert.Equal(ConcurrentWriteRetry.DuplicateKeyCode, refused.Code);
        Assert.DoesNotContain("UNIQUE", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task Any_other_failure_is_not_retried()
    {
        var runs = 0;

        await Assert.ThrowsAsync<DbUpdateException>(async () =>
            await ConcurrentWriteRetry.RunAsync(() => { runs++; throw new DbUpdateException("other", new SqliteException("FOREIGN KEY constraint failed", 19, 787)); }, () => { }));

        Assert.Equal(1, runs);
    }
}
