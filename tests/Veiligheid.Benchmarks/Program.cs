using BenchmarkDotNet.Running;

// Run one suite: dotnet run -c Release --project tests/Veiligheid.Benchmarks -- --filter '*Figures*'
// The dataset (100,000 persons, 1,000,000 incidents) is created once by BenchmarkDatabase; see BENCHMARKS.md.
BenchmarkSwitcher.FromAssembly(typeof(Veiligheid.Benchmarks.BenchmarkDatabase).Assembly).Run(args);
