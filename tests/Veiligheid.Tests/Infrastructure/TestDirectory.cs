using Microsoft.Data.Sqlite;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>A temporary directory of a test class's own, for database files it makes itself; deleted on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "veiligheid-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A file name in the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a file still held open by a pool elsewhere; the temp directory is swept later
    }
}
