using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Edi2.Benchmarks;

/// <summary>
/// One <c>GET /messages/{id}</c> against the fake on 127.0.0.1: through the engine (token cache, a new proof, the
/// pipeline's headers, retries, the JSON read into an Edi2Message) against the baseline, a minimal HttpClient loop that
/// sends the same headers with a proof built by hand (precomputed header, one ECDsa signature) and parses the JSON.
/// </summary>
[MemoryDiagnoser]
public class ApiCallBenchmarks
{
    private BenchmarkNhn _nhn = null!;
    private HttpClient _http = null!;
    private Guid _id;
    private Uri _target = null!;
    private string _token = "";
    private string _proofHeader = "";
    private string _ath = "";

    [GlobalSetup]
    public void Setup()
    {
        _nhn = BenchmarkNhn.StartAsync().GetAwaiter().GetResult();
        _id = _nhn.AddMessages(1, 2048)[0];
        _target = new Uri(_nhn.Fake.BaseUri, $"messages/{_id}");
        _token = _nhn.Session.GetAccessTokenAsync().GetAwaiter().GetResult();
        _ath = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(_token)));
        var p = _nhn.Key.ExportParameters(false);
        string header = JsonSerializer.Serialize(new
        {
            typ = "dpop+jwt", alg = "ES256",
            jwk = new { kty = "EC", crv = "P-256", x = Base64Url.EncodeToString(p.Q.X), y = Base64Url.EncodeToString(p.Q.Y) },
        });
        _proofHeader = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header));
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _nhn.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private string HandBuiltProof()
    {
        string payload = $$"""{"jti":"{{Guid.NewGuid():N}}","htm":"GET","htu":"{{_target.GetLeftPart(UriPartial.Path)}}","iat":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"ath":"{{_ath}}"}""";
        string input = _proofHeader + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        byte[] signature = _nhn.Key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    [Benchmark(Baseline = true, Description = "GET /messages/{id}, minimal HttpClient loop")]
    public async Task<int> Minimal()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _target);
        request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", _token);
        request.Headers.Add("DPoP", HandBuiltProof());
        request.Headers.Add("api-version", "3");
        request.Headers.Add("nhn-source-system", "Edi2 benchmarks, v1");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return json.RootElement.GetProperty("id").GetString()!.Length;
    }

    [Benchmark(Description = "GET /messages/{id}, engine (Edi2ApiClient.GetMessageAsync)")]
    public async Task<Guid> Engine() => (await _nhn.Api.GetMessageAsync(_id)).Id;
}
