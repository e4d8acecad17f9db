using BenchmarkDotNet.Running;
using Edi2.Benchmarks;

// dotnet run -c Release -- --filter '*'          the BenchmarkDotNet benchmarks (see docs/performance.md)
// dotnet run -c Release -- token-requests         requests per token (a count, not a time)
if (args is ["token-requests"])
{
    await TokenRequestCount.RunAsync();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(ProofBenchmarks).Assembly).Run(args);
