using System;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.FakeNhn.Tests;

/// <summary>
/// A key pair made at test time (never stored), with the views the tests need: a SecurityKey to sign
/// with, the public JWK to register or put in a proof header, and the JWS algorithm.
/// </summary>
internal sealed class TestKey
{
    private TestKey(SecurityKey signingKey, string alg, string publicJwkJson)
    {
        SigningKey = signingKey;
        Alg = alg;
        PublicJwkJson = publicJwkJson;
    }

    public SecurityKey SigningKey { get; }

    public string Alg { get; }

    /// <summary>Public members only (plus kid when the key has one).</summary>
    public string PublicJwkJson { get; }

    public JsonElement PublicJwk => JsonSerializer.Deserialize<JsonElement>(PublicJwkJson);

    public string? Kid => SigningKey.KeyId;

    /// <summary>RFC 7638 thumbprint computed by Microsoft.IdentityModel, independently of the fake.</summary>
    public string Thumbprint => Base64UrlEncoder.Encode(new JsonWebKey(PublicJwkJson).ComputeJwkThumbprint());

    public static TestKey Rsa(string alg = "PS256", string? kid = null, int bits = 2048)
    {
        var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(false);
        var key = new RsaSecurityKey(rsa) { KeyId = kid };
        var kidMember = kid is null ? "" : $",\"kid\":\"{kid}\"";
        return new TestKey(key, alg, $"{{\"kty\":\"RSA\",\"n\":\"{B64(p.Modulus!)}\",\"e\":\"{B64(p.Exponent!)}\"{kidMember}}}");
    }

    public static TestKey Ec(string alg = "ES256", string? kid = null)
    {
        var (curve, crv) = alg switch
        {
            "ES384" => (ECCurve.NamedCurves.nistP384, "P-384"),
            "ES512" => (ECCurve.NamedCurves.nistP521, "P-521"),
            _ => (ECCurve.NamedCurves.nistP256, "P-256"),
        };
        var ecdsa = ECDsa.Create(curve);
        var p = ecdsa.ExportParameters(false);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = kid };
        var kidMember = kid is null ? "" : $",\"kid\":\"{kid}\"";
        return new TestKey(key, alg, $"{{\"kty\":\"EC\",\"crv\":\"{crv}\",\"x\":\"{B64(p.Q.X!)}\",\"y\":\"{B64(p.Q.Y!)}\"{kidMember}}}");
    }

    /// <summary>The public JWK with the private members added: what a careless client might send.</summary>
    public string PrivateJwkJson()
    {
        if (SigningKey is RsaSecurityKey { Rsa: { } rsa })
        {
            var p = rsa.ExportParameters(true);
            return PublicJwkJson[..^1]
                + $",\"d\":\"{B64(p.D!)}\",\"p\":\"{B64(p.P!)}\",\"q\":\"{B64(p.Q!)}\",\"dp\":\"{B64(p.DP!)}\",\"dq\":\"{B64(p.DQ!)}\",\"qi\":\"{B64(p.InverseQ!)}\"}}";
        }

        var ec = ((ECDsaSecurityKey)SigningKey).ECDsa.ExportParameters(true);
        return PublicJwkJson[..^1] + $",\"d\":\"{B64(ec.D!)}\"}}";
    }

    private static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);
}

/// <summary>Keys shared by all tests in a run: RSA generation is slow and these are never registered twice per server.</summary>
internal static class TestKeys
{
    private static readonly Lazy<TestKey> LazyClientRsa = new(() => TestKey.Rsa("PS256", kid: "client-key-1"));
    private static readonly Lazy<TestKey> LazyOtherRsa = new(() => TestKey.Rsa("PS256", kid: "client-key-2"));
    private static readonly Lazy<TestKey> LazyProofEc = new(() => TestKey.Ec("ES256"));

    /// <summary>The registered client key (RSA, PS256, with kid).</summary>
    public static TestKey ClientRsa => LazyClientRsa.Value;

    /// <summary>A second RSA key: unregistered unless a test adds it.</summary>
    public static TestKey OtherRsa => LazyOtherRsa.Value;

    /// <summary>A separate DPoP key (ES256), as the module's default uses.</summary>
    public static TestKey ProofEc => LazyProofEc.Value;
}
