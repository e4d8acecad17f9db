using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Edi2.FakeNhn.Security;

/// <summary>
/// JSON Web Key helpers: RFC 7638 thumbprints, the public-only check and turning a public JWK into a
/// key that can verify signatures. Only RSA and EC keys exist in HelseID's world.
/// </summary>
public static class Jwk
{
    /// <summary>Members that only a private (or symmetric) key has. Any of them in a public JWK is a leak.</summary>
    public static IReadOnlyList<string> PrivateMembers { get; } = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>True when the JWK carries any private or symmetric key material.</summary>
    public static bool HasPrivateMembers(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var name in PrivateMembers)
        {
            if (jwk.TryGetProperty(name, out _))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 7638 SHA-256 thumbprint, base64url without padding.</summary>
    public static string ComputeThumbprint(string jwkJson)
    {
        using var document = JsonDocument.Parse(jwkJson);
        return ComputeThumbprint(document.RootElement);
    }

    /// <summary>
    /// RFC 7638 SHA-256 thumbprint, base64url without padding. Only the required members take part,
    /// in lexicographic order, so extra members such as kid, use or alg do not change it.
    /// </summary>
    public static string ComputeThumbprint(JsonElement jwk)
    {
        var kty = GetString(jwk, "kty") ?? throw new ArgumentException("The JWK has no 'kty'.", nameof(jwk));
        string[] members = kty switch
        {
            "RSA" => ["e", "kty", "n"],
            "EC" => ["crv", "kty", "x", "y"],
            _ => throw new ArgumentException($"Unsupported JWK 'kty' '{kty}'.", nameof(jwk)),
        };

        using var buffer = new MemoryStream();
        // RFC 7638 wants no whitespace and no needless escaping; the values are base64url or short names.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var member in members)
            {
                var value = GetString(jwk, member) ?? throw new ArgumentException($"The JWK has no '{member}'.", nameof(jwk));
                writer.WriteString(member, value);
            }

            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(SHA256.HashData(buffer.ToArray()));
    }

    /// <summary>
    /// Reads a public RSA or EC JWK. Fails (with a reason) on private members, unknown key types,
    /// missing or badly encoded members, RSA keys under 2048 bits and EC points not on the curve.
    /// </summary>
    internal static bool TryReadPublicKey(JsonElement jwk, [NotNullWhen(true)] out JwkPublicKey? key, [NotNullWhen(false)] out string? problem)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            problem = "the JWK is not a JSON object";
            return false;
        }

        if (HasPrivateMembers(jwk))
        {
            problem = "the JWK contains private key members";
            return false;
        }

        try
        {
            var kty = GetString(jwk, "kty");
            switch (kty)
            {
                case "RSA":
                    return TryReadRsa(jwk, out key, out problem);
                case "EC":
                    return TryReadEc(jwk, out key, out problem);
                default:
                    problem = $"unsupported 'kty' '{kty}' (only RSA and EC)";
                    return false;
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or ArgumentException)
        {
            problem = "the JWK could not be read as a key: " + ex.Message;
            return false;
        }
    }

    private static bool TryReadRsa(JsonElement jwk, out JwkPublicKey? key, out string? problem)
    {
        key = null;
        var n = DecodeMember(jwk, "n");
        var e = DecodeMember(jwk, "e");
        if (n is null || e is null)
        {
            problem = "an RSA JWK needs 'n' and 'e'";
            return false;
        }

        var parameters = new RSAParameters { Modulus = TrimLeadingZeros(n), Exponent = e };
        using (var rsa = RSA.Create())
        {
            rsa.ImportParameters(parameters); // throws on nonsense, before we accept the key
            if (rsa.KeySize < 2048)
            {
                problem = $"RSA keys must be at least 2048 bits (this one has {rsa.KeySize})";
                return false;
            }
        }

        key = new JwkPublicKey("RSA", null, GetString(jwk, "kid"), ComputeThumbprint(jwk), parameters, null);
        problem = null;
        return true;
    }

    private static bool TryReadEc(JsonElement jwk, out JwkPublicKey? key, out string? problem)
    {
        key = null;
        var crv = GetString(jwk, "crv");
        (ECCurve curve, int size) = crv switch
        {
            "P-256" => (ECCurve.NamedCurves.nistP256, 32),
            "P-384" => (ECCurve.NamedCurves.nistP384, 48),
            "P-521" => (ECCurve.NamedCurves.nistP521, 66),
            _ => (default(ECCurve), 0),
        };
        if (size == 0)
        {
            problem = $"unsupported EC 'crv' '{crv}' (P-256, P-384 or P-521)";
            return false;
        }

        var x = DecodeMember(jwk, "x");
        var y = DecodeMember(jwk, "y");
        if (x is null || y is null || x.Length != size || y.Length != size)
        {
            problem = $"an EC {crv} JWK needs 'x' and 'y' of {size} bytes each";
            return false;
        }

        var parameters = new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } };
        using (var ecdsa = ECDsa.Create())
        {
            ecdsa.ImportParameters(parameters); // rejects points that are not on the curve
        }

        key = new JwkPublicKey("EC", crv, GetString(jwk, "kid"), ComputeThumbprint(jwk), null, parameters);
        problem = null;
        return true;
    }

    internal static string? GetString(JsonElement jwk, string name) =>
        jwk.ValueKind == JsonValueKind.Object && jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static byte[]? DecodeMember(JsonElement jwk, string name)
    {
        var text = GetString(jwk, name);
        return string.IsNullOrEmpty(text) ? null : Base64Url.DecodeFromChars(text);
    }

    private static byte[] TrimLeadingZeros(byte[] value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return start == 0 ? value : value[start..];
    }
}

/// <summary>
/// A public key read from a JWK. Holds parameters rather than a live RSA/ECDsa object, because those
/// are not documented as thread-safe; each verification makes its own short-lived instance.
/// </summary>
internal sealed class JwkPublicKey
{
    private readonly RSAParameters? _rsa;
    private readonly ECParameters? _ec;

    internal JwkPublicKey(string kty, string? crv, string? kid, string thumbprint, RSAParameters? rsa, ECParameters? ec)
    {
        Kty = kty;
        Crv = crv;
        Kid = kid;
        Thumbprint = thumbprint;
        _rsa = rsa;
        _ec = ec;
    }

    public string Kty { get; }

    public string? Crv { get; }

    public string? Kid { get; }

    /// <summary>RFC 7638 thumbprint (the DPoP "jkt").</summary>
    public string Thumbprint { get; }

    /// <summary>True when this key can make signatures of the given JWS algorithm (curve must match for ES*).</summary>
    public bool Supports(string alg) => alg switch
    {
        "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" => Kty == "RSA",
        "ES256" => Crv == "P-256",
        "ES384" => Crv == "P-384",
        "ES512" => Crv == "P-521",
        _ => false,
    };

    public bool Verify(string alg, byte[] signingInput, byte[] signature)
    {
        if (!Supports(alg))
        {
            return false;
        }

        try
        {
            var hash = JwsAlgorithms.HashFor(alg);
            if (_rsa is { } rsaParameters)
            {
                using var rsa = RSA.Create(rsaParameters);
                var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                return rsa.VerifyData(signingInput, signature, hash, padding);
            }

            if (_ec is { } ecParameters)
            {
                using var ecdsa = ECDsa.Create(ecParameters);
                // JWS uses the raw r||s form (IEEE P1363), which is .NET's default for VerifyData.
                return ecdsa.VerifyData(signingInput, signature, hash);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }

        return false;
    }
}
