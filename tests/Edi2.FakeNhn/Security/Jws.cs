using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Edi2.FakeNhn.Security;

/// <summary>The JWS algorithms HelseID accepts for client assertions and DPoP proofs: asymmetric only.</summary>
internal static class JwsAlgorithms
{
    public static IReadOnlyList<string> Allowed { get; } =
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    public static bool IsAllowed(string? alg) => alg is not null && ((IList<string>)Allowed).Contains(alg);

    public static HashAlgorithmName HashFor(string alg) => alg[^3..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        "512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"Unknown algorithm '{alg}'.", nameof(alg)),
    };
}

/// <summary>
/// A JWS in compact serialization, parsed but not yet trusted. Parsing is done by hand (three
/// base64url parts, JSON objects) so every later check can give its own precise error.
/// </summary>
internal sealed class CompactJws
{
    private CompactJws(string encodedHeader, string encodedPayload, JsonElement header, JsonElement payload, byte[] signature)
    {
        EncodedHeader = encodedHeader;
        EncodedPayload = encodedPayload;
        Header = header;
        Payload = payload;
        Signature = signature;
    }

    public string EncodedHeader { get; }

    public string EncodedPayload { get; }

    public JsonElement Header { get; }

    public JsonElement Payload { get; }

    public byte[] Signature { get; }

    public byte[] SigningInput => Encoding.ASCII.GetBytes(EncodedHeader + "." + EncodedPayload);

    public string? Alg => HeaderString("alg");

    public string? Typ => HeaderString("typ");

    public string? Kid => HeaderString("kid");

    public static bool TryParse(string? compact, [NotNullWhen(true)] out CompactJws? jws)
    {
        jws = null;
        if (string.IsNullOrEmpty(compact))
        {
            return false;
        }

        var parts = compact.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false; // a JWE has five parts; an unsecured JWT ("alg":"none") often has an empty third one, caught by the alg check
        }

        try
        {
            var header = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[0]));
            var payload = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[1]));
            var signature = Base64Url.DecodeFromChars(parts[2]);
            if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            jws = new CompactJws(parts[0], parts[1], header, payload, signature);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads the payload without any check; for logging what a client sent.</summary>
    public static JsonElement? TryPeekPayload(string? compact) => TryParse(compact, out var jws) ? jws.Payload : null;

    public string? HeaderString(string name) => GetString(Header, name);

    public string? PayloadString(string name) => GetString(Payload, name);

    public bool HasPayload(string name) => Payload.TryGetProperty(name, out _);

    /// <summary>A NumericDate claim (whole seconds). False when absent or not a number.</summary>
    public bool TryGetNumericDate(string name, out long value)
    {
        value = 0;
        if (!Payload.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        if (element.TryGetInt64(out value))
        {
            return true;
        }

        if (element.TryGetDouble(out var seconds) && double.IsFinite(seconds))
        {
            value = (long)Math.Floor(seconds); // RFC 7519 allows fractions
            return true;
        }

        return false;
    }

    public static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Signs header and payload (already JSON bytes) with RS256. Used for the fake's own access tokens.</summary>
    public static string SignRs256(byte[] headerJson, byte[] payloadJson, RSA key)
    {
        var signingInput = Base64Url.EncodeToString(headerJson) + "." + Base64Url.EncodeToString(payloadJson);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
