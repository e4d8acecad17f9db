using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Edi2.Workflows;

namespace Edi2.Benchmarks;

/// <summary>
/// A 35 MB business document from the fake to a file: Save-Edi2Message's engine (MessageFiles.SaveAsync: streaming base64
/// decode into a temporary file, hashed, flushed, renamed) against the baseline, the naive way (the JSON read whole,
/// the base64 member decoded, the bytes written). Allocated bytes are the figure that matters (target: at most 0.05 x
/// the document). Global setup saves once each way and checks both files byte for byte against the document.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class LargeDocumentBenchmarks
{
    public const int Size = 35 * 1024 * 1024;
    private BenchmarkNhn _nhn = null!;
    private Guid _id;
    private string _folder = "";
    private byte[] _hash = [];

    [GlobalSetup]
    public void Setup()
    {
        _nhn = BenchmarkNhn.StartAsync().GetAwaiter().GetResult();
        _nhn.Fake.Api.MaxDocumentBytes = Size;
        _id = _nhn.AddMessages(1, Size)[0];
        _hash = SHA256.HashData(_nhn.Fake.Edi.GetMessage(_id)!.Document.ToArray());
        _folder = Path.Combine(Path.GetTempPath(), "edi2-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
        Check(Engine().GetAwaiter().GetResult(), "engine");
        Check(Naive().GetAwaiter().GetResult(), "naive");
    }

    private void Check(string path, string how)
    {
        using var file = File.OpenRead(path);
        if (file.Length != Size || !SHA256.HashData(file).AsSpan().SequenceEqual(_hash)) throw new InvalidOperationException($"The {how} file differs from the document.");
        Console.WriteLine($"// {how}: {path} is byte-identical to the {Size}-byte document");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _nhn.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "35 MB to a file, naive (JSON read whole, base64 decoded)")]
    public async Task<string> Naive()
    {
        // The engine's session sends the request (auth, proof); the body is then read the naive way.
        var raw = await _nhn.Api.InvokeAsync(HttpMethod.Get, $"messages/{_id}/business-document", null);
        using var json = JsonDocument.Parse(raw.Body);
        byte[] bytes = Convert.FromBase64String(json.RootElement.GetProperty("businessDocument").GetString()!);
        string path = Path.Combine(_folder, "naive.xml");
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    [Benchmark(Description = "35 MB to a file, engine (MessageFiles.SaveAsync)")]
    public async Task<string> Engine() => (await MessageFiles.SaveAsync(_nhn.Api, _id, _folder, overwrite: true)).Path;
}
