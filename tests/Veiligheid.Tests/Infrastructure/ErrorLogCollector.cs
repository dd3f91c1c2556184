using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>
/// A logger provider that keeps every entry at Error and above as "category: message", for tests that assert what the
/// hub's operations team would see as an error (add it with <c>ConfigureLogging(l =&gt; l.AddProvider(...))</c>).
/// </summary>
public sealed class ErrorLogCollector(ConcurrentQueue<string> errors) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Named(errors, categoryName);

    public void Dispose() { }

    private sealed class Named(ConcurrentQueue<string> errors, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) errors.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}
