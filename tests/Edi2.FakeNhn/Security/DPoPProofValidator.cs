using System;
using System.Collections.Generic;
using System.Linq;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edi2.FakeNhn.HelseId;

namespace Edi2.FakeNhn.Security;

/// <summary>What a DPoP proof must match. Built per request by the token endpoint (and later by the fake API).</summary>
internal sealed class DPoPProofExpectations
{
    /// <summary>The HTTP method of the request, e.g. POST. Compared exactly (case-sensitive), as Duende does.</summary>
    public required string Method { get; init; }

    /// <summary>The request URI without query or fragment. The proof's htu must be this same resource.</summary>
    public required Uri Uri { get; init; }

    /// <summary>When set, the proof must carry a nonce this service made (nonce mode). Null: nonces are ignored.</summary>
    public NonceService? Nonces { get; init; }

    /// <summary>When set, the proof's alg must be one of these (Duende's SupportedDPoPSigningAlgorithms); else any allowed one.</summary>
    public IReadOnlyList<string>? Algorithms { get; init; }

    /// <summary>Test hook: refuse every nonce, so the client is told use_dpop_nonce over and over.</summary>
    public bool AlwaysDemandNonce { get; init; }

    /// <summary>The access token the request carries; when set, the proof's ath must be its SHA-256 (API calls).</summary>
    public string? AccessToken { get; init; }

    /// <summary>When set, the proof key's RFC 7638 thumbprint must equal this (the token's cnf.jkt).</summary>
    public string? ExpectedJkt { get; init; }

    /// <summary>How old the proof's iat may be.</summary>
    public required TimeSpan IatMaxAge { get; init; }

    /// <summary>How far in the future the proof's iat may be (clock skew).</summary>
    public required TimeSpan IatMaxFuture { get; init; }
}

/// <summary>The outcome of checking a proof. On failure, Error is invalid_dpop_proof or use_dpop_nonce.</summary>
internal sealed class DPoPProofResult
{
    public bool IsValid => Error is null;

    public string? Error { get; private init; }

    public string? ErrorDescription { get; private init; }

    /// <summary>A fresh nonce to send back in the DPoP-Nonce header (with use_dpop_nonce).</summary>
    public string? NewNonce { get; private init; }

    /// <summary>RFC 7638 thumbprint of the proof key; becomes cnf.jkt of the token.</summary>
    public string? Jkt { get; init; }

    public string? Jti { get; init; }

    public static DPoPProofResult Invalid(string description) =>
        new() { Error = "invalid_dpop_proof", ErrorDescription = description };

    public static DPoPProofResult UseNonce(string description, string newNonce) =>
        new() { Error = "use_dpop_nonce", ErrorDescription = description, NewNonce = newNonce };
}

/// <summary>
/// Checks a DPoP proof (RFC 9449 §4.3) in the order and with the error texts of Duende IdentityServer's
/// DefaultDPoPProofValidator: header, signature, payload (ath, jti, htm, htu, iat), freshness (iat window,
/// then nonce), and the jti replay check last, so a proof that fails anything else does not burn its jti.
/// </summary>
internal sealed class DPoPProofValidator
{
    /// <summary>Duende's InputLengthRestrictions.DPoPProofToken.</summary>
    public const int MaxProofLength = 4000;

    private const string ReplayPurpose = "dpop-proof-jti";

    private readonly ReplayCache _replayCache;
    private readonly FakeClock _clock;

    public DPoPProofValidator(ReplayCache replayCache, FakeClock clock)
    {
        _replayCache = replayCache;
        _clock = clock;
    }

    public DPoPProofResult Validate(string proof, DPoPProofExpectations expect)
    {
        if (string.IsNullOrEmpty(proof))
        {
            return DPoPProofResult.Invalid("Missing DPoP proof value.");
        }

        if (proof.Length > MaxProofLength)
        {
            return DPoPProofResult.Invalid("DPoP proof token is too long.");
        }

        // Header
        if (!CompactJws.TryParse(proof, out var jws))
        {
            return DPoPProofResult.Invalid("Malformed DPoP token.");
        }

        if (jws.Typ != "dpop+jwt")
        {
            return DPoPProofResult.Invalid("Invalid 'typ' value.");
        }

        var alg = jws.Alg;
        if (!JwsAlgorithms.IsAllowed(alg) || (expect.Algorithms is { Count: > 0 } algorithms && !algorithms.Contains(alg!)))
        {
            return DPoPProofResult.Invalid("Invalid 'alg' value.");
        }

        if (!jws.Header.TryGetProperty("jwk", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
        {
            return DPoPProofResult.Invalid("Invalid 'jwk' value.");
        }

        if (Jwk.HasPrivateMembers(jwk))
        {
            return DPoPProofResult.Invalid("'jwk' value contains a private key.");
        }

        if (!Jwk.TryReadPublicKey(jwk, out var key, out _))
        {
            return DPoPProofResult.Invalid("Invalid 'jwk' value.");
        }

        if (expect.ExpectedJkt is not null && !string.Equals(expect.ExpectedJkt, key.Thumbprint, StringComparison.Ordinal))
        {
            return DPoPProofResult.Invalid("Invalid 'cnf' value.");
        }

        // Signature, with the key the proof itself carries
        if (!key.Verify(alg!, jws.SigningInput, jws.Signature))
        {
            return DPoPProofResult.Invalid("Invalid signature on DPoP token.");
        }

        // Payload
        if (expect.AccessToken is not null)
        {
            var expectedAth = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(expect.AccessToken)));
            if (!string.Equals(jws.PayloadString("ath"), expectedAth, StringComparison.Ordinal))
            {
                return DPoPProofResult.Invalid("Invalid 'ath' value.");
            }
        }

        var jti = jws.PayloadString("jti");
        if (string.IsNullOrEmpty(jti))
        {
            return DPoPProofResult.Invalid("Invalid 'jti' value.");
        }

        if (!string.Equals(jws.PayloadString("htm"), expect.Method, StringComparison.Ordinal))
        {
            return DPoPProofResult.Invalid("Invalid 'htm' value.");
        }

        if (!HtuMatches(jws.PayloadString("htu"), expect.Uri))
        {
            return DPoPProofResult.Invalid("Invalid 'htu' value.");
        }

        if (!jws.Payload.TryGetProperty("iat", out var iatElement) || iatElement.ValueKind != JsonValueKind.Number)
        {
            return DPoPProofResult.Invalid("Missing 'iat' value.");
        }

        if (!iatElement.TryGetInt64(out var iat))
        {
            return DPoPProofResult.Invalid("Missing 'iat' value."); // Duende only reads whole seconds, so a fraction counts as missing
        }

        // Freshness: the iat window first, then the server nonce
        var now = _clock.UnixSeconds;
        if (iat > now + (long)expect.IatMaxFuture.TotalSeconds || iat < now - (long)expect.IatMaxAge.TotalSeconds)
        {
            return DPoPProofResult.Invalid("Invalid 'iat' value.");
        }

        if (expect.Nonces is { } nonces)
        {
            var nonce = jws.PayloadString("nonce");
            if (string.IsNullOrEmpty(nonce))
            {
                return DPoPProofResult.UseNonce("Missing 'nonce' value.", nonces.Create());
            }

            if (expect.AlwaysDemandNonce || !nonces.IsValid(nonce))
            {
                return DPoPProofResult.UseNonce("Invalid 'nonce' value.", nonces.Create());
            }
        }

        // Replay last: only a proof that passed everything else spends its jti. Keep it for as long as
        // any proof with this iat could still be accepted, plus the same again for clock differences.
        var keepUntil = _clock.UtcNow + expect.IatMaxAge + expect.IatMaxFuture + expect.IatMaxFuture;
        if (!_replayCache.TryAdd(ReplayPurpose, jti, keepUntil))
        {
            return DPoPProofResult.Invalid("Detected replay of DPoP proof token.");
        }

        return new DPoPProofResult { Jkt = key.Thumbprint, Jti = jti };
    }

    /// <summary>
    /// htu must name the same resource: scheme and host compared case-insensitively, same port, same
    /// path. A query or fragment in htu means it is not the bare resource URI and is refused
    /// (RFC 9449 §4.2 says htu carries neither; clients must strip them).
    /// </summary>
    private static bool HtuMatches(string? htu, Uri expected)
    {
        if (string.IsNullOrEmpty(htu) || htu.Contains('?') || htu.Contains('#'))
        {
            return false;
        }

        if (!Uri.TryCreate(htu, UriKind.Absolute, out var actual) || actual.UserInfo.Length > 0)
        {
            return false;
        }

        return string.Equals(actual.Scheme, expected.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(actual.Host, expected.Host, StringComparison.OrdinalIgnoreCase)
            && actual.Port == expected.Port
            && string.Equals(actual.AbsolutePath, expected.AbsolutePath, StringComparison.Ordinal);
    }
}
