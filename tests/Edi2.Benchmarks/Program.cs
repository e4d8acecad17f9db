using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Edi2.Benchmarks.ProofBenchmarks).Assembly).Run(args);
