using System.Net.Http;
using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

/// <summary>The exact claims HelseID's profile asks for (spec sections 2.2, 2.4, 3.1).</summary>
public class AssertionAndProofTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1735648620);

    [Fact]
    public void Client_assertion_has_the_helseid_header_and_claims()
    {
        using var key = SigningKey.FromJwk(TestJwks.RsaJwk(2048, "PS256", "kid-7"));
        var (header, payload) = TestJwks.Decode(ClientAssertion.Create(key, "client-1", "https://helseid-sts.test.nhn.no", null, Now));

        Assert.Equal("client-authentication+jwt", header.GetProperty("typ").GetString());
        Assert.Equal("PS256", header.GetProperty("alg").GetString());
        Assert.Equal("kid-7", header.GetProperty("kid").GetString());
        Assert.Equal("client-1", payload.GetProperty("iss").GetString());
        Assert.Equal("client-1", payload.GetProperty("sub").GetString());
        Assert.Equal("https://helseid-sts.test.nhn.no", payload.GetProperty("aud").GetString());
        Assert.Equal(32, payload.GetProperty("jti").GetString()!.Length);
        Assert.Equal(1735648620, payload.GetProperty("iat").GetInt64());
        Assert.Equal(1735648620, payload.GetProperty("nbf").GetInt64());
        long exp = payload.GetProperty("exp").GetInt64();
        Assert.InRange(exp - 1735648620, 1, 60);
        Assert.False(payload.TryGetProperty("assertion_details", out _));
    }

    [Fact]
    public void Every_assertion_has_its_own_jti()
    {
        using var key = SigningKey.FromJwk(TestJwks.EcJwk());
        var jtis = Enumerable.Range(0, 50)
            .Select(_ => TestJwks.Decode(ClientAssertion.Create(key, "c", "https://i", null, Now)).Payload.GetProperty("jti").GetString())
            .ToHashSet();
        Assert.Equal(50, jtis.Count);
    }

    [Theory]
    [InlineData("999977774", "999977776", "urn:oid:1.0.6523", "NO:ORGNR:999977774:999977776")]
    [InlineData("999977774", null, "urn:oid:1.0.6523", "NO:ORGNR:999977774:")]
    [InlineData(null, "999977776", "urn:oid:2.16.578.1.12.4.1.4.101", "999977776")]
    public void Organisation_numbers_go_in_assertion_details(string? parent, string? child, string system, string value)
    {
        using var key = SigningKey.FromJwk(TestJwks.EcJwk());
        var payload = TestJwks.Decode(ClientAssertion.Create(key, "c", "https://i", new OrganizationNumbers(parent, child), Now)).Payload;
        var details = payload.GetProperty("assertion_details");
        Assert.Equal("helseid_authorization", details.GetProperty("type").GetString());
        var identifier = details.GetProperty("practitioner_role").GetProperty("organization").GetProperty("identifier");
        Assert.Equal(system, identifier.GetProperty("system").GetString());
        Assert.Equal("ENH", identifier.GetProperty("type").GetString());
        Assert.Equal(value, identifier.GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("12345678", null)]
    [InlineData(null, "9999777761")]
    [InlineData("99997777a", null)]
    public void Organisation_numbers_must_be_nine_digits(string? parent, string? child)
    {
        var e = Assert.Throws<ArgumentException>(() => new OrganizationNumbers(parent, child));
        Assert.Contains("not nine digits", e.Message);
    }

    [Fact]
    public void Api_proof_has_method_htu_without_query_iat_jti_ath_and_only_the_public_jwk()
    {
        using var key = SigningKey.CreateEphemeral();
        var target = new Uri("https://api.tjener.test.melding.nhn.no/Messages?ReceiverHerIds=8142519");
        string proof = DPoPProof.Create(key, "get", target, Now, accessToken: "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
        var (header, payload) = TestJwks.Decode(proof);

        Assert.Equal("dpop+jwt", header.GetProperty("typ").GetString());
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        var jwk = header.GetProperty("jwk");
        Assert.Equal(new[] { "kty", "crv", "x", "y" }, jwk.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("GET", payload.GetProperty("htm").GetString());
        Assert.Equal("https://api.tjener.test.melding.nhn.no/Messages", payload.GetProperty("htu").GetString());
        Assert.Equal(1735648620, payload.GetProperty("iat").GetInt64());
        Assert.Equal("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", payload.GetProperty("ath").GetString());
        Assert.False(payload.TryGetProperty("nonce", out _));
        Assert.NotEqual(
            payload.GetProperty("jti").GetString(),
            TestJwks.Decode(DPoPProof.Create(key, "GET", target, Now)).Payload.GetProperty("jti").GetString());
    }

    [Fact]
    public void Proof_signed_with_an_rsa_client_key_carries_n_and_e_only()
    {
        using var key = SigningKey.FromJwk(TestJwks.RsaJwk(2048, "RS256", "k"));
        var (header, payload) = TestJwks.Decode(DPoPProof.Create(key, "POST", new Uri("https://h/connect/token"), Now, nonce: "n-1"));
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal(new[] { "kty", "n", "e" }, header.GetProperty("jwk").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("n-1", payload.GetProperty("nonce").GetString());
        Assert.False(payload.TryGetProperty("ath", out _));
        SigningKeyTests.AssertSignsVerifiably(key, TestJwks.PublicOf(TestJwks.RsaJwk(2048)));
    }

    [Fact]
    public void Environments_map_to_nhns_addresses()
    {
        Assert.Equal("https://helseid-sts.test.nhn.no/", Edi2Endpoints.Authority(Edi2Environment.Test).ToString());
        Assert.Equal("https://helseid-sts.nhn.no/", Edi2Endpoints.Authority(Edi2Environment.Production).ToString());
        Assert.Equal("https://api.tjener.test.melding.nhn.no/", Edi2Endpoints.ApiBase(Edi2Environment.Test, Edi2Network.Internet).ToString());
        Assert.Equal("https://api.hn-tjener.test.melding.nhn.no/", Edi2Endpoints.ApiBase(Edi2Environment.Test, Edi2Network.Helsenett).ToString());
        Assert.Equal("https://api.hn-tjener.prod.melding.nhn.no/", Edi2Endpoints.ApiBase(Edi2Environment.Production, Edi2Network.Helsenett).ToString());
        Assert.Equal(Edi2Network.Helsenett, Edi2Endpoints.DefaultNetwork(Edi2Environment.Production));
        Assert.Equal(Edi2Network.Internet, Edi2Endpoints.DefaultNetwork(Edi2Environment.Test));
        var e = Assert.Throws<ArgumentException>(() => Edi2Endpoints.ApiBase(Edi2Environment.Production, Edi2Network.Internet));
        Assert.Contains("Helsenett", e.Message);
    }

    [Theory]
    [InlineData("http://helseid.example.no")]
    [InlineData("ftp://127.0.0.1")]
    public void Secrets_never_go_over_plain_http_except_to_loopback(string authority)
    {
        var e = Assert.Throws<ArgumentException>(() => new HelseIdClientSettings(new Uri(authority), "c"));
        Assert.Contains("https", e.Message);
        Assert.NotNull(new HelseIdClientSettings(new Uri("http://127.0.0.1:5080"), "c"));
        Assert.NotNull(new HelseIdClientSettings(new Uri("http://localhost:5080"), "c"));
    }
}
