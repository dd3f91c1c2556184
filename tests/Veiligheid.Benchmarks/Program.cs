using BenchmarkDotNet.Running;

// Run one suite: dotnet run -c Release --project tests/Veiligheid.Benchmarks -- --filter '*Figures*'
// The dataset (100,000 persons, 1,000,000 incidents) is created once by BenchmarkDatabase; see BENCHMARKS.md.
// Where the processing log's time goes, step by step: dotnet run -c Release --project tests/Veiligheid.Benchmarks -- profile-log
if (args is ["profile-log"])
{
    await Veiligheid.Benchmarks.ProcessingLogProfile.RunAsync(Console.Out);
    return;
}
// What one commit of the log's writer costs its thread in CPU (1 and 80 records; Linux): … -- profile-commit
if (args is ["profile-commit"])
{
    await Veiligheid.Benchmarks.ProcessingLogProfile.RunCommitAsync(Console.Out);
    return;
}
// How fast the background indexer copies the log into its index: … -- profile-index [records, default 300,000] [persons, default all]
if (args is ["profile-index", .. var count])
{
    await Veiligheid.Benchmarks.ProcessingLogProfile.RunIndexAsync(count is [var n, ..] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 300_000, Console.Out,
        count is [_, var p] ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : null);
    return;
}
// Where a plan-cache hit's time goes (cases 1–3, interleaved medians): … -- profile-read [rounds] [person|cases|incidents …]
if (args is ["profile-read", .. var rest])
{
    await Veiligheid.Benchmarks.ReadProfile.RunAsync(rest, Console.Out);
    return;
}
// Recorded statements replayed interleaved (before/after of the compiled SQL): … -- replay-compare rounds file1 file2 …
if (args is ["replay-compare", .. var files])
{
    Veiligheid.Benchmarks.ReplayCompare.Run(files, Console.Out);
    return;
}
// What the hub allocated under load, from a trace of profile-load.sh (PROFILE_ALLOC=1): … -- alloc-report trace.nettrace [requests a second]
if (args is ["alloc-report", var trace, .. var perSecond])
{
    Veiligheid.Benchmarks.AllocationReport.Run(trace, perSecond is [var r] ? double.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : null, Console.Out);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Veiligheid.Benchmarks.BenchmarkDatabase).Assembly).Run(args);
