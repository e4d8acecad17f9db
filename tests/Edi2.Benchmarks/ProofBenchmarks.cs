using BenchmarkDotNet.Attributes;
using Edi2.HelseId;

namespace Edi2.Benchmarks;

/// <summary>
/// What one API call costs in signing: a DPoP proof with the default ephemeral ES256 key (the baseline) against one
/// signed with an RSA-4096 client key (-DPoPKey ClientKey), and the client assertion made once per token.
/// </summary>
[MemoryDiagnoser]
public class ProofBenchmarks
{
    private static readonly Uri Target = new("https://api.tjener.test.melding.nhn.no/messages/0d5c8d05-ab57-4b2b-b480-c46c69cdf789/business-document");
    private const string Token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEiLCJ0eXAiOiJhdCtqd3QifQ.eyJpc3MiOiJodHRwczovL2hlbHNlaWQtc3RzLnRlc3QubmhuLm5vIn0.c2lnbmF0dXJl";
    private SigningKey _ephemeral = null!;
    private SigningKey _rsa4096 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ephemeral = SigningKey.CreateEphemeral();
        _rsa4096 = SigningKey.Generate("PS256");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ephemeral.Dispose();
        _rsa4096.Dispose();
    }

    [Benchmark(Baseline = true, Description = "DPoP proof, ephemeral ES256 (default)")]
    public string EphemeralProof() => DPoPProof.Create(_ephemeral, "GET", Target, DateTimeOffset.UtcNow, accessToken: Token);

    [Benchmark(Description = "DPoP proof, RSA-4096 PS256 client key")]
    public string ClientKeyProof() => DPoPProof.Create(_rsa4096, "GET", Target, DateTimeOffset.UtcNow, accessToken: Token);

    [Benchmark(Description = "Client assertion, RSA-4096 PS256")]
    public string Assertion() => ClientAssertion.Create(_rsa4096, "client", "https://helseid-sts.test.nhn.no", null, DateTimeOffset.UtcNow);
}
