using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Edi2.HelseId;

namespace Edi2.Benchmarks;

/// <summary>
/// What one API call costs in signing: a DPoP proof against a bare signature of an input of the same size with the same
/// key (the baseline of each category), for the default ephemeral ES256 key and an RSA-4096 PS256 client key
/// (-DPoPKey ClientKey); and the client assertion made once per token.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ProofBenchmarks
{
    private static readonly Uri Target = new("https://api.tjener.test.melding.nhn.no/messages/0d5c8d05-ab57-4b2b-b480-c46c69cdf789/business-document");
    private const string Token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEiLCJ0eXAiOiJhdCtqd3QifQ.eyJpc3MiOiJodHRwczovL2hlbHNlaWQtc3RzLnRlc3QubmhuLm5vIn0.c2lnbmF0dXJl";
    private ECDsa _ec = null!;
    private RSA _rsa = null!;
    private SigningKey _ephemeral = null!;
    private SigningKey _rsa4096 = null!;
    private byte[] _ecInput = null!;
    private byte[] _rsaInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The same key material behind the bare signature and the proof.
        _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _ephemeral = SigningKey.FromText(_ec.ExportPkcs8PrivateKeyPem(), algorithm: "ES256");
        _rsa = RSA.Create(4096);
        _rsa4096 = SigningKey.FromText(_rsa.ExportPkcs8PrivateKeyPem(), algorithm: "PS256");
        // The bytes a proof signs: header.payload, as long as a real one.
        _ecInput = SigningInput(_ephemeral);
        _rsaInput = SigningInput(_rsa4096);
    }

    private static byte[] SigningInput(SigningKey key)
    {
        string proof = DPoPProof.Create(key, "GET", Target, DateTimeOffset.UtcNow, accessToken: Token);
        return Encoding.ASCII.GetBytes(proof[..proof.LastIndexOf('.')]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ephemeral.Dispose();
        _rsa4096.Dispose();
        _ec.Dispose();
        _rsa.Dispose();
    }

    [BenchmarkCategory("ES256"), Benchmark(Baseline = true, Description = "bare ECDsa signature, ES256")]
    public byte[] BareEs256() => _ec.SignData(_ecInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [BenchmarkCategory("ES256"), Benchmark(Description = "DPoP proof, ephemeral ES256 (default)")]
    public string EphemeralProof() => DPoPProof.Create(_ephemeral, "GET", Target, DateTimeOffset.UtcNow, accessToken: Token);

    [BenchmarkCategory("PS256"), Benchmark(Baseline = true, Description = "bare RSA-4096 signature, PS256")]
    public byte[] BarePs256() => _rsa.SignData(_rsaInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    [BenchmarkCategory("PS256"), Benchmark(Description = "DPoP proof, RSA-4096 PS256 client key")]
    public string ClientKeyProof() => DPoPProof.Create(_rsa4096, "GET", Target, DateTimeOffset.UtcNow, accessToken: Token);

    [BenchmarkCategory("PS256"), Benchmark(Description = "client assertion, RSA-4096 PS256")]
    public string Assertion() => ClientAssertion.Create(_rsa4096, "client", "https://helseid-sts.test.nhn.no", null, DateTimeOffset.UtcNow);
}
