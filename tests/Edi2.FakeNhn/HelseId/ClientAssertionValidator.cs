using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Edi2.FakeNhn.Security;

namespace Edi2.FakeNhn.HelseId;

/// <summary>The outcome of client authentication. On failure the token endpoint answers invalid_client with Problem.</summary>
internal sealed class ClientAssertionResult
{
    public bool IsValid => Problem is null;

    public string? Problem { get; private init; }

    public CompactJws? Assertion { get; private init; }

    /// <summary>The registered key that verified the signature.</summary>
    public JwkPublicKey? Key { get; private init; }

    public static ClientAssertionResult Fail(string problem) => new() { Problem = problem };

    public static ClientAssertionResult Success(CompactJws assertion, JwkPublicKey key) => new() { Assertion = assertion, Key = key };
}

/// <summary>
/// Checks a private_key_jwt client assertion (RFC 7523) the way Duende's PrivateKeyJwtSecretValidator
/// does, plus HelseID's 60-second lifetime rule. Unlike Duende, each failure says which check failed,
/// because the point of the fake is to help the client's author.
/// </summary>
internal sealed class ClientAssertionValidator
{
    /// <summary>Duende's InputLengthRestrictions.Jwt.</summary>
    public const int MaxAssertionLength = 51200;

    public const string StrictTyp = "client-authentication+jwt";

    private const string ReplayPurpose = "client-assertion-jti";

    private readonly ReplayCache _replayCache;
    private readonly FakeClock _clock;
    private readonly FakeHelseIdOptions _options;

    public ClientAssertionValidator(ReplayCache replayCache, FakeClock clock, FakeHelseIdOptions options)
    {
        _replayCache = replayCache;
        _clock = clock;
        _options = options;
    }

    public ClientAssertionResult Validate(string assertion, RegisteredClient client, FakeHelseIdEndpoints endpoints)
    {
        if (assertion.Length > MaxAssertionLength)
        {
            return ClientAssertionResult.Fail($"client_assertion is longer than {MaxAssertionLength} characters.");
        }

        if (!CompactJws.TryParse(assertion, out var jws))
        {
            return ClientAssertionResult.Fail("client_assertion is not a well-formed JWS (three base64url parts: JSON header, JSON payload, signature).");
        }

        var alg = jws.Alg;
        if (!JwsAlgorithms.IsAllowed(alg))
        {
            return ClientAssertionResult.Fail(
                $"client_assertion 'alg' is '{alg}'; it must be one of {string.Join(", ", JwsAlgorithms.Allowed)} (no 'none', no HMAC).");
        }

        var keyCheck = VerifySignature(jws, alg!, client);
        if (keyCheck.Problem is not null)
        {
            return ClientAssertionResult.Fail(keyCheck.Problem);
        }

        var audienceProblem = CheckAudience(jws, endpoints);
        if (audienceProblem is not null)
        {
            return ClientAssertionResult.Fail(audienceProblem);
        }

        var iss = jws.PayloadString("iss");
        if (!string.Equals(iss, client.ClientId, StringComparison.Ordinal))
        {
            return ClientAssertionResult.Fail($"client_assertion 'iss' is '{iss}'; it must be the client_id '{client.ClientId}'.");
        }

        var sub = jws.PayloadString("sub");
        if (!string.Equals(sub, iss, StringComparison.Ordinal))
        {
            return ClientAssertionResult.Fail($"client_assertion 'sub' is '{sub}'; it must equal 'iss' (the client_id '{client.ClientId}').");
        }

        var lifetimeProblem = CheckLifetime(jws, out var exp);
        if (lifetimeProblem is not null)
        {
            return ClientAssertionResult.Fail(lifetimeProblem);
        }

        var jti = jws.PayloadString("jti");
        if (string.IsNullOrEmpty(jti))
        {
            return ClientAssertionResult.Fail("client_assertion has no 'jti'.");
        }

        // Duende keeps the jti until exp + 5 min. This runs before the DPoP proof is looked at, so an
        // assertion sent with a proof that only earns use_dpop_nonce is spent all the same.
        if (!_replayCache.TryAdd(ReplayPurpose, jti, DateTimeOffset.FromUnixTimeSeconds(exp) + TimeSpan.FromMinutes(5)))
        {
            return ClientAssertionResult.Fail(
                $"client_assertion 'jti' '{jti}' has been used before (replay). Make a new assertion for every token request, including the DPoP nonce retry.");
        }

        return ClientAssertionResult.Success(jws, keyCheck.Key!);
    }

    /// <summary>Finds the registered key: by kid when the header has one, else every key in turn.</summary>
    private static (JwkPublicKey? Key, string? Problem) VerifySignature(CompactJws jws, string alg, RegisteredClient client)
    {
        if (client.Keys.Count == 0)
        {
            return (null, $"Client '{client.ClientId}' has no registered keys.");
        }

        IEnumerable<JwkPublicKey> candidates = client.Keys.Select(k => k.Key);
        var kid = jws.Kid;
        if (kid is not null)
        {
            var byKid = candidates.Where(k => k.Kid == kid).ToArray();
            // A registered key without a kid cannot be picked by kid; those are still tried.
            candidates = byKid.Length > 0 ? byKid : candidates.Where(k => k.Kid is null).ToArray();
            if (!candidates.Any())
            {
                return (null, $"client_assertion 'kid' '{kid}' matches none of the keys registered for client '{client.ClientId}'.");
            }
        }

        var usable = candidates.Where(k => k.Supports(alg)).ToArray();
        if (usable.Length == 0)
        {
            return (null, $"No key registered for client '{client.ClientId}' can make '{alg}' signatures (key type or curve does not match).");
        }

        var input = jws.SigningInput;
        var match = usable.FirstOrDefault(k => k.Verify(alg, input, jws.Signature));
        return match is null
            ? (null, $"client_assertion signature does not verify with any key registered for client '{client.ClientId}'.")
            : (match, null);
    }

    /// <summary>
    /// typ client-authentication+jwt (draft-ietf-oauth-rfc7523bis) makes Duende demand aud == issuer and
    /// nothing else; without it, the token endpoint (and PAR endpoint) are accepted as audience too.
    /// </summary>
    private string? CheckAudience(CompactJws jws, FakeHelseIdEndpoints endpoints)
    {
        var audiences = new List<string>();
        var isArray = false;
        if (jws.Payload.TryGetProperty("aud", out var aud))
        {
            if (aud.ValueKind == JsonValueKind.String)
            {
                audiences.Add(aud.GetString()!);
            }
            else if (aud.ValueKind == JsonValueKind.Array)
            {
                isArray = true;
                audiences.AddRange(aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
            }
        }

        var shown = aud.ValueKind == JsonValueKind.Undefined ? "missing" : aud.GetRawText();
        var strict = string.Equals(jws.Typ, StrictTyp, StringComparison.OrdinalIgnoreCase) || _options.StrictAssertionAudience;
        if (strict)
        {
            var exact = _options.ExactAssertionAudience;
            var ok = audiences.Count == 1 && (!isArray || aud.GetArrayLength() == 1)
                && (exact ? string.Equals(audiences[0], endpoints.Issuer, StringComparison.Ordinal) : SameUrl(audiences[0], endpoints.Issuer));
            return ok
                ? null
                : $"client_assertion 'aud' is {shown}; with typ '{StrictTyp}' it must be exactly the issuer '{endpoints.Issuer}'{(exact ? ", character for character" : "")}.";
        }

        string[] accepted = [endpoints.Issuer, endpoints.TokenEndpoint, endpoints.PushedAuthorizationEndpoint];
        return audiences.Any(a => accepted.Any(x => SameUrl(a, x)))
            ? null
            : $"client_assertion 'aud' is {shown}; it must be the issuer '{endpoints.Issuer}' (or, without typ '{StrictTyp}', the token endpoint).";
    }

    private string? CheckLifetime(CompactJws jws, out long exp)
    {
        var now = _clock.UnixSeconds;
        var skew = (long)_options.ClockSkew.TotalSeconds;
        if (!jws.TryGetNumericDate("exp", out exp))
        {
            return "client_assertion has no 'exp' (a NumericDate).";
        }

        if (exp < now - skew)
        {
            return $"client_assertion has expired ('exp' {exp} is {now - exp} s before the server's time {now}, clock skew {skew} s).";
        }

        var hasIat = jws.TryGetNumericDate("iat", out var iat);
        var hasNbf = jws.TryGetNumericDate("nbf", out var nbf);
        if (jws.HasPayload("iat") && !hasIat)
        {
            return "client_assertion 'iat' is not a NumericDate.";
        }

        if (jws.HasPayload("nbf") && !hasNbf)
        {
            return "client_assertion 'nbf' is not a NumericDate.";
        }

        var start = hasIat ? iat : hasNbf ? nbf : now;
        var maxLifetime = (long)_options.MaxAssertionLifetime.TotalSeconds;
        if (exp - start > maxLifetime)
        {
            return $"client_assertion lives too long: 'exp' - 'iat' is {exp - start} s; HelseID allows at most {maxLifetime} s.";
        }

        if (hasNbf && nbf > now + skew)
        {
            return $"client_assertion is not valid yet ('nbf' {nbf} is {nbf - now} s after the server's time {now}, clock skew {skew} s).";
        }

        return null;
    }

    /// <summary>Exact match, except that Duende tolerates one trailing slash of difference.</summary>
    private static bool SameUrl(string candidate, string expected) =>
        string.Equals(TrimOneSlash(candidate), TrimOneSlash(expected), StringComparison.Ordinal);

    private static string TrimOneSlash(string value) => value.EndsWith('/') ? value[..^1] : value;
}
