using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>One entry as a logger provider receives it: what the host's console would write.</summary>
public sealed record LogRecord(LogLevel Level, string Category, EventId EventId, string Message, string? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId.Id}]: {Message}{(Exception is null ? "" : "\n" + Exception)}";
}

/// <summary>
/// A logger provider that hands every entry at <paramref name="minimum"/> and above to <paramref name="keep"/> (add it with
/// <c>ConfigureLogging(l =&gt; l.AddProvider(...))</c>). The host's filter rules (appsettings' Logging:LogLevel) apply
/// before it, as for the console: it sees what the console would show.
/// </summary>
public class LogCollector(LogLevel minimum, Action<LogRecord> keep) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Named(minimum, keep, categoryName);

    public void Dispose() => GC.SuppressFinalize(this);

    private sealed class Named(LogLevel minimum, Action<LogRecord> keep, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) keep(new LogRecord(logLevel, category, eventId, formatter(state, exception), exception?.ToString()));
        }
    }
}

/// <summary>
/// Keeps every entry at Error and above as "category: message", for tests that assert what the hub's operations team
/// would see as an error.
/// </summary>
public sealed class ErrorLogCollector(ConcurrentQueue<string> errors)
    : LogCollector(LogLevel.Error, entry => errors.Enqueue($"{entry.Category}: {entry.Message}"));
