using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn.HelseId;
using Edi2.FakeNhn.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Edi2.FakeNhn.Edi;

/// <summary>The verified access token of an API call: who calls, and for which organisation.</summary>
internal sealed class ApiToken
{
    public required string ClientId { get; init; }

    /// <summary>helseid://claims/client/claims/orgnr_parent: the organisation that delegated access.</summary>
    public string? OrgNumberParent { get; init; }

    /// <summary>nhn:msh/client/claims/herid (v2): "0" = all of the organisation's HER-ids, or "a-b-c".</summary>
    public string? HeridClaim { get; init; }
}

/// <summary>Outcome of authenticating a request. On failure: the RFC 6750/9449 error for WWW-Authenticate.</summary>
internal sealed class ApiAuthenticationResult
{
    public ApiToken? Token { get; private init; }

    /// <summary>invalid_token, invalid_dpop_proof or use_dpop_nonce; null with no token at all (no error code then).</summary>
    public string? Error { get; private init; }

    public string? Description { get; private init; }

    public string? NewNonce { get; private init; }

    public static ApiAuthenticationResult Success(ApiToken token) => new() { Token = token };

    public static ApiAuthenticationResult NoCredentials(string description) => new() { Description = description };

    public static ApiAuthenticationResult Fail(string error, string description, string? nonce = null) =>
        new() { Error = error, Description = description, NewNonce = nonce };
}

/// <summary>
/// DPoP-bound access tokens on API calls (RFC 9449 §7): the token must be the fake HelseID's own (signature
/// with a key in its JWKS, iss, aud nhn:msh, exp/nbf, scope nhn:msh/api, cnf.jkt), and the proof must pass
/// the same validator as the token endpoint plus ath, the cnf.jkt binding and this request's htm/htu.
/// </summary>
internal sealed class ApiAuthentication
{
    public const string Audience = "nhn:msh";
    public const string Scope = "nhn:msh/api";
    public const string OrgNumberParentClaim = "helseid://claims/client/claims/orgnr_parent";
    public const string HeridClaim = "nhn:msh/client/claims/herid";
    public const string NonceRequiredDescription = "Resource server requires nonce in DPoP proof";

    private static readonly string Algs = "algs=\"" + string.Join(" ", JwsAlgorithms.Allowed) + "\"";

    private readonly object _gate = new();
    private readonly Func<string?> _issuer;
    private readonly Func<byte[]> _jwks;
    private readonly DPoPProofValidator _proofs;
    private readonly NonceService _nonces;
    private readonly FakeApiOptions _options;
    private readonly FakeClock _clock;
    private readonly string _audience;
    private readonly string _scope;
    private byte[] _cachedJwks = [];
    private IReadOnlyList<JwkPublicKey> _keys = [];

    /// <param name="audience">The API the tokens must be for: nhn:msh, or nhn:selvbetjening for the self-service endpoint.</param>
    /// <param name="scope">The scope the tokens must carry.</param>
    public ApiAuthentication(Func<string?> issuer, Func<byte[]> jwks, DPoPProofValidator proofs, NonceService nonces, FakeApiOptions options, FakeClock clock,
        string audience = Audience, string scope = Scope)
    {
        _audience = audience;
        _scope = scope;
        _issuer = issuer;
        _jwks = jwks;
        _proofs = proofs;
        _nonces = nonces;
        _options = options;
        _clock = clock;
    }

    public ApiAuthenticationResult Authenticate(HttpRequest request, LoggedRequest? log)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1)
        {
            return ApiAuthenticationResult.NoCredentials(authorization.Count == 0 ? "No Authorization header." : "More than one Authorization header.");
        }

        // "DPoP" 1*SP token68 (RFC 9449 §7.1). Bearer and other schemes are not this API's.
        var value = authorization.ToString();
        var space = value.IndexOf(' ');
        if (space <= 0 || !value[..space].Equals("DPoP", StringComparison.OrdinalIgnoreCase))
        {
            return ApiAuthenticationResult.NoCredentials("The Authorization scheme must be DPoP.");
        }

        var accessToken = value[space..].TrimStart(' ');
        var dpop = request.Headers["DPoP"];
        if (dpop.Count > 1 || dpop.ToString().Contains(','))
        {
            return ApiAuthenticationResult.Fail("invalid_dpop_proof", "Too many DPoP headers provided.");
        }

        if (dpop.Count == 0 || string.IsNullOrEmpty(dpop.ToString()))
        {
            return ApiAuthenticationResult.Fail("invalid_dpop_proof", "Missing DPoP proof value.");
        }

        var proof = dpop.ToString();
        if (log is not null && CompactJws.TryPeekPayload(proof) is { } peek)
        {
            log.ProofJti = CompactJws.GetString(peek, "jti");
            log.ProofNonce = CompactJws.GetString(peek, "nonce");
            log.ProofHtu = CompactJws.GetString(peek, "htu");
            log.ProofHtm = CompactJws.GetString(peek, "htm");
        }

        var (token, jkt, problem) = ValidateAccessToken(accessToken);
        if (problem is not null)
        {
            return ApiAuthenticationResult.Fail("invalid_token", problem);
        }

        if (log is not null)
        {
            log.ClientId = token!.ClientId;
        }

        var result = _proofs.Validate(proof, new DPoPProofExpectations
        {
            Method = request.Method,
            Uri = new Uri(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path)),
            Nonces = _options.RequireNonce || _options.IssueNonceOnSuccess ? _nonces : null,
            AccessToken = accessToken,
            ExpectedJkt = jkt,
            IatMaxAge = _options.ProofIatWindow,
            IatMaxFuture = _options.ClockSkew,
        });
        if (!result.IsValid)
        {
            return result.Error == "use_dpop_nonce"
                ? ApiAuthenticationResult.Fail("use_dpop_nonce", NonceRequiredDescription, result.NewNonce)
                : ApiAuthenticationResult.Fail(result.Error!, result.ErrorDescription!);
        }

        return ApiAuthenticationResult.Success(token!);
    }

    /// <summary>With <see cref="FakeApiOptions.IssueNonceOnSuccess"/>: a fresh DPoP-Nonce on the answer, if it is a 2xx.</summary>
    public void IssueNonceOnSuccess(HttpResponse response)
    {
        if (!_options.IssueNonceOnSuccess)
        {
            return;
        }

        response.OnStarting(() =>
        {
            if (response.StatusCode is >= 200 and < 300)
            {
                response.Headers["DPoP-Nonce"] = _nonces.Create();
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>401 with the DPoP challenge. v3 gets problem details; v2 an empty body, as ASP.NET's JwtBearer handler gives.</summary>
    public static Task WriteChallengeAsync(HttpContext context, int version, ApiAuthenticationResult result)
    {
        var response = context.Response;
        if (result.Error == "use_dpop_nonce")
        {
            // RFC 9449 §9, worded as the spec asks.
            response.Headers.WWWAuthenticate = $"DPoP error=\"use_dpop_nonce\", error_description=\"{NonceRequiredDescription}\"";
            response.Headers["DPoP-Nonce"] = result.NewNonce;
        }
        else if (result.Error is not null)
        {
            response.Headers.WWWAuthenticate = $"DPoP error=\"{result.Error}\", error_description=\"{Quote(result.Description)}\", {Algs}";
        }
        else
        {
            response.Headers.WWWAuthenticate = "DPoP " + Algs; // no credentials: no error code (RFC 6750 §3.1)
        }

        if (RequestLog.Current(context) is { } log)
        {
            log.Error = result.Error ?? "unauthorized";
            log.ErrorDescription = result.Description;
        }

        if (version == 3)
        {
            return Problems.WriteV3Async(context, StatusCodes.Status401Unauthorized, result.Description, 0);
        }

        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private (ApiToken? Token, string? Jkt, string? Problem) ValidateAccessToken(string accessToken)
    {
        if (!CompactJws.TryParse(accessToken, out var jws))
        {
            return (null, null, "The access token is not a well-formed JWT.");
        }

        if (jws.Alg != "RS256")
        {
            return (null, null, $"The access token must be signed with RS256 (alg is '{jws.Alg}').");
        }

        if (!string.Equals(jws.Typ, "at+jwt", StringComparison.OrdinalIgnoreCase) && !string.Equals(jws.Typ, "JWT", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null, $"The access token has typ '{jws.Typ}'; expected at+jwt.");
        }

        var keys = SigningKeys();
        var candidates = jws.Kid is { } kid ? keys.Where(k => k.Kid == kid).ToArray() : keys.ToArray();
        if (candidates.Length == 0)
        {
            return (null, null, $"The signing key '{jws.Kid}' is not in the issuer's JWKS.");
        }

        if (!candidates.Any(k => k.Verify("RS256", jws.SigningInput, jws.Signature)))
        {
            return (null, null, "The access token signature is invalid.");
        }

        var issuer = _issuer();
        if (!string.Equals(jws.PayloadString("iss"), issuer, StringComparison.Ordinal))
        {
            return (null, null, $"The issuer '{jws.PayloadString("iss")}' is invalid.");
        }

        if (!Contains(jws.Payload, "aud", _audience))
        {
            return (null, null, $"The audience is invalid; expected '{_audience}'.");
        }

        var now = _clock.UnixSeconds;
        var skew = (long)_options.ClockSkew.TotalSeconds;
        if (!jws.TryGetNumericDate("exp", out var exp))
        {
            return (null, null, "The access token has no exp.");
        }

        if (now > exp + skew)
        {
            return (null, null, $"The access token expired at {DateTimeOffset.FromUnixTimeSeconds(exp):u}.");
        }

        if (jws.TryGetNumericDate("nbf", out var nbf) && nbf > now + skew)
        {
            return (null, null, $"The access token is not valid before {DateTimeOffset.FromUnixTimeSeconds(nbf):u}.");
        }

        if (!Contains(jws.Payload, "scope", _scope))
        {
            return (null, null, $"The access token does not carry the scope '{_scope}'.");
        }

        var jkt = jws.Payload.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object ? CompactJws.GetString(cnf, "jkt") : null;
        if (string.IsNullOrEmpty(jkt))
        {
            return (null, null, "The access token is not DPoP-bound (no cnf.jkt).");
        }

        var clientId = jws.PayloadString("client_id");
        if (string.IsNullOrEmpty(clientId))
        {
            return (null, null, "The access token has no client_id.");
        }

        return (new ApiToken
        {
            ClientId = clientId,
            OrgNumberParent = jws.PayloadString(OrgNumberParentClaim),
            HeridClaim = jws.PayloadString(HeridClaim),
        }, jkt, null);
    }

    /// <summary>The fake HelseID's published keys (current and kept rotated ones), re-read when the JWKS changes.</summary>
    private IReadOnlyList<JwkPublicKey> SigningKeys()
    {
        var jwks = _jwks();
        lock (_gate)
        {
            if (jwks.AsSpan().SequenceEqual(_cachedJwks))
            {
                return _keys;
            }

            var keys = new List<JwkPublicKey>();
            using var document = JsonDocument.Parse(jwks);
            foreach (var jwk in document.RootElement.GetProperty("keys").EnumerateArray())
            {
                if (Jwk.TryReadPublicKey(jwk, out var key, out _))
                {
                    keys.Add(key);
                }
            }

            (_cachedJwks, _keys) = (jwks, keys);
            return keys;
        }
    }

    /// <summary>A string claim equal to the value, or an array claim containing it.</summary>
    private static bool Contains(JsonElement payload, string claim, string value)
    {
        if (!payload.TryGetProperty(claim, out var element))
        {
            return false;
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString() == value,
            JsonValueKind.Array => element.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == value),
            _ => false,
        };
    }

    private static string Quote(string? text) => (text ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal);
}
