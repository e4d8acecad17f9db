using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.Client.Tests;

/// <summary>JWK text for keys made at test time (never committed), written by the test's own code, not the engine's. (The fake's tests use key objects instead: Edi2.FakeNhn.Tests.TestKey.)</summary>
internal static class TestJwks
{
    private static readonly Dictionary<int, RSAParameters> RsaByBits = new();

    /// <summary>RSA keys are slow to make, so each size is made once per test run.</summary>
    public static RSAParameters Rsa(int bits)
    {
        lock (RsaByBits)
        {
            if (!RsaByBits.TryGetValue(bits, out var p))
            {
                using var rsa = RSA.Create(bits);
                p = rsa.ExportParameters(true);
                RsaByBits[bits] = p;
            }
            return p;
        }
    }

    public static string RsaJwk(int bits = 2048, string? alg = null, string? kid = null, bool includePrivate = true) =>
        RsaJwk(Rsa(bits), alg, kid, includePrivate);

    public static string RsaJwk(RSAParameters p, string? alg = null, string? kid = null, bool includePrivate = true)
    {
        var jwk = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        if (includePrivate)
        {
            jwk["d"] = B64(p.D!); jwk["p"] = B64(p.P!); jwk["q"] = B64(p.Q!);
            jwk["dp"] = B64(p.DP!); jwk["dq"] = B64(p.DQ!); jwk["qi"] = B64(p.InverseQ!);
        }
        if (alg != null) jwk["alg"] = alg;
        if (kid != null) jwk["kid"] = kid;
        return JsonSerializer.Serialize(jwk);
    }

    public static string EcJwk(string crv = "P-256", string? alg = null, string? kid = null, bool includePrivate = true) =>
        EcJwk(NewEc(crv), crv, alg, kid, includePrivate);

    public static ECParameters NewEc(string crv)
    {
        using var ec = ECDsa.Create(crv switch
        {
            "P-384" => ECCurve.NamedCurves.nistP384,
            "P-521" => ECCurve.NamedCurves.nistP521,
            _ => ECCurve.NamedCurves.nistP256,
        });
        return ec.ExportParameters(true);
    }

    public static string EcJwk(ECParameters p, string crv, string? alg = null, string? kid = null, bool includePrivate = true)
    {
        var jwk = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = crv, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
        if (includePrivate) jwk["d"] = B64(p.D!);
        if (alg != null) jwk["alg"] = alg;
        if (kid != null) jwk["kid"] = kid;
        return JsonSerializer.Serialize(jwk);
    }

    /// <summary>The public half of a private JWK (drops the private members).</summary>
    public static string PublicOf(string privateJwk)
    {
        var all = JsonSerializer.Deserialize<Dictionary<string, string>>(privateJwk)!;
        foreach (var member in new[] { "d", "p", "q", "dp", "dq", "qi" }) all.Remove(member);
        return JsonSerializer.Serialize(all);
    }

    public static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>Header and payload of a compact JWS.</summary>
    public static (JsonElement Header, JsonElement Payload) Decode(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        return (Json(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[0]))),
                Json(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]))));
    }
}
