using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Edi2.Workflows;

namespace Edi2.Benchmarks;

/// <summary>
/// Receive of <see cref="Count"/> messages of 100 KB from the fake with <see cref="LatencyMilliseconds"/> injected per
/// request (FakeApiOptions.Latency, modelling the network to NHN): Receive-Edi2Message's engine at ThrottleLimit 4 and 1,
/// against the baseline, an unsafe loop doing the same downloads at the same concurrency (4) straight into the final
/// files, with no mark, no temporary file, no flush and no offset. Each iteration receives everything into a new folder
/// with a new state file. One operation is a whole receive, so few iterations (RunStrategy.Monitoring).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ReceiveBenchmarks
{
    private BenchmarkNhn _nhn = null!;
    private List<Guid> _ids = null!;
    private string _root = "";
    private string _folder = "";

    [Params(1000)]
    public int Count { get; set; }

    [Params(30, 0)]
    public int LatencyMilliseconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _nhn = BenchmarkNhn.StartAsync().GetAwaiter().GetResult();
        _ids = _nhn.AddMessages(Count, 100 * 1024);
        _nhn.Fake.Api.Latency = TimeSpan.FromMilliseconds(LatencyMilliseconds);
        _root = Path.Combine(Path.GetTempPath(), "edi2-bench-" + Guid.NewGuid().ToString("N")[..8]);
    }

    [IterationSetup]
    public void NewFolder()
    {
        _folder = Path.Combine(_root, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
    }

    [IterationCleanup]
    public void CheckAndRemove()
    {
        int files = Directory.GetFiles(_folder, "*.xml").Length;
        if (files != Count) throw new InvalidOperationException($"{files} files in {_folder}, expected {Count}.");
        Directory.Delete(_folder, recursive: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _nhn.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "unsafe loop: 4 downloads at once, no mark, no offset")]
    public Task UnsafeDownloads() =>
        Parallel.ForEachAsync(_ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, token) =>
        {
            await using var file = File.Create(Path.Combine(_folder, MessageFiles.FileName(id)));
            await _nhn.Api.DownloadBusinessDocumentAsync(id, file, token);
        });

    [Benchmark(Description = "unsafe loop: 4 at once, download and mark, no offset")]
    public Task UnsafeDownloadsAndMarks() =>
        Parallel.ForEachAsync(_ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, token) =>
        {
            await using (var file = File.Create(Path.Combine(_folder, MessageFiles.FileName(id))))
            {
                await _nhn.Api.DownloadBusinessDocumentAsync(id, file, token);
            }
            await _nhn.Api.MarkDownloadedAsync(id, BenchmarkNhn.HerId, token);
        });

    [Benchmark(Description = "Receive, ThrottleLimit 4")]
    public Task<int> Receive4() => ReceiveAsync(4);

    [Benchmark(Description = "Receive, ThrottleLimit 1")]
    public Task<int> Receive1() => ReceiveAsync(1);

    private async Task<int> ReceiveAsync(int throttleLimit)
    {
        var workflow = new ReceiveWorkflow(_nhn.Session, new ReceiveOptions([BenchmarkNhn.HerId], _folder) { ThrottleLimit = throttleLimit });
        int saved = 0;
        await foreach (var e in workflow.RunAsync())
        {
            if (e.Kind == ReceiveEventKind.Saved) saved++;
        }
        return saved;
    }
}
