using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Veiligheid.Benchmarks;

/// <summary>
/// What a process allocated, from an EventPipe trace of the runtime's allocation ticks (one event about every 100 KB a
/// thread allocates, with the type that crossed the mark and the managed stack): the bytes a second, and the shares by
/// type, by the hub's own methods (inclusive) and by stack. Shares are sampled: a small, rare allocation may be missed.
/// Made by <c>load/profile-load.sh</c> with <c>PROFILE_ALLOC=1</c>; run alone:
/// <c>dotnet run -c Release --project tests/Veiligheid.Benchmarks -- alloc-report trace.nettrace [requests a second]</c>.
/// </summary>
public static class AllocationReport
{
    public static void Run(string tracePath, double? requestsPerSecond, TextWriter output)
    {
        var etlx = TraceLog.CreateFromEventPipeDataFile(tracePath);
        try
        {
            using var log = new TraceLog(etlx);
            Report(log, requestsPerSecond, output);
        }
        finally
        {
            File.Delete(etlx);
        }
    }

    private static void Report(TraceLog log, double? requestsPerSecond, TextWriter output)
    {
        var byType = new Dictionary<string, double>(StringComparer.Ordinal);
        var byMethod = new Dictionary<string, double>(StringComparer.Ordinal);
        var byStack = new Dictionary<string, double>(StringComparer.Ordinal);
        double total = 0, first = double.MaxValue, last = 0;
        foreach (var data in log.Events)
        {
            if (data is not GCAllocationTickTraceData tick) continue;
            double amount = tick.AllocationAmount64;
            total += amount;
            first = Math.Min(first, data.TimeStampRelativeMSec);
            last = Math.Max(last, data.TimeStampRelativeMSec);
            Add(byType, tick.TypeName, amount);
            var frames = new List<string>();
            var counted = new HashSet<string>(StringComparer.Ordinal);
            for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
            {
                var method = frame.CodeAddress.FullMethodName;
                if (string.IsNullOrEmpty(method)) continue;
                if (frames.Count < 4) frames.Add(Short(method));
                if (method.StartsWith("Veiligheid.", StringComparison.Ordinal) && counted.Add(method)) Add(byMethod, Short(method), amount);
            }
            Add(byStack, tick.TypeName + " <= " + string.Join(" <= ", frames), amount);
        }
        if (total == 0)
        {
            output.WriteLine("No allocation ticks in the trace (collect with Microsoft-Windows-DotNETRuntime:0x1:5).");
            return;
        }
        var seconds = (last - first) / 1000;
        var perSecond = total / Math.Max(seconds, 1e-3);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocated: {total / 1e6:F1} MB in {seconds:F1} s = {perSecond / 1e6:F1} MB/s"));
        if (requestsPerSecond is > 0)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per request at {requestsPerSecond:F1} requests/s: {perSecond / requestsPerSecond / 1e3:F1} KB"));
        Top("by type", byType, 20);
        Top("by the hub's methods (inclusive)", byMethod, 30);
        Top("by stack (type <= innermost frames)", byStack, 25);

        void Top(string title, Dictionary<string, double> shares, int count)
        {
            output.WriteLine("== " + title);
            foreach (var (name, amount) in shares.OrderByDescending(p => p.Value).Take(count))
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{amount / total * 100,6:F2} %  {name}"));
        }
    }

    private static void Add(Dictionary<string, double> shares, string key, double amount)
        => shares[key] = shares.GetValueOrDefault(key) + amount;

    // A method without its parameter list: the lines stay readable.
    private static string Short(string method) => method.IndexOf('(', StringComparison.Ordinal) is var open and > 0 ? method[..open] : method;
}
