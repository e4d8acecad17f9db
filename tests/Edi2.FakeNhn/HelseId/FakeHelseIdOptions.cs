using System;
using System.Collections.Generic;
using System.Linq;

namespace Edi2.FakeNhn.HelseId;

/// <summary>
/// Knobs of the fake HelseID. Safe to change from a test while the server runs: every read and write
/// goes through one lock, and each request reads the values it needs when it needs them.
/// Defaults follow HelseID / Duende IdentityServer.
/// </summary>
public sealed class FakeHelseIdOptions : LockedOptions
{
    private readonly Queue<InjectedFault> _faults = new();

    private TimeSpan _accessTokenLifetime = TimeSpan.FromSeconds(600);
    private bool _requireNonce = true;
    private TimeSpan _nonceLifetime = TimeSpan.FromSeconds(60);
    private TimeSpan _clockSkew = TimeSpan.FromMinutes(5);
    private TimeSpan _proofIatWindow = TimeSpan.FromSeconds(60) + TimeSpan.FromMinutes(5);
    private TimeSpan _clockOffset = TimeSpan.Zero;
    private bool _issueNonceOnSuccess;
    private bool _alwaysDemandNonce;
    private string _accessTokenTyp = "at+jwt";
    private TimeSpan _maxAssertionLifetime = TimeSpan.FromSeconds(60);
    private bool _strictAssertionAudience;
    private bool _issuerTrailingSlash;
    private bool _exactAssertionAudience;
    private IReadOnlyList<string>? _dpopSigningAlgorithms;

    /// <summary>Lifetime of issued access tokens (exp - iat and expires_in). HelseID: 600 s.</summary>
    public TimeSpan AccessTokenLifetime { get => Get(ref _accessTokenLifetime); set => Set(ref _accessTokenLifetime, Positive(value)); }

    /// <summary>Nonce mode: token requests need a proof with a server nonce. HelseID always runs this way.</summary>
    public bool RequireNonce { get => Get(ref _requireNonce); set => Set(ref _requireNonce, value); }

    /// <summary>How long a DPoP-Nonce stays valid after it was made (Duende: proof validity 60 s, server skew 0).</summary>
    public TimeSpan NonceLifetime { get => Get(ref _nonceLifetime); set => Set(ref _nonceLifetime, NotNegative(value)); }

    /// <summary>
    /// Clock skew for client assertions (exp, nbf) and for how far a proof's iat may lie in the future.
    /// Duende's JwtValidationClockSkew and DPoPClockSkew: 5 min.
    /// </summary>
    public TimeSpan ClockSkew { get => Get(ref _clockSkew); set => Set(ref _clockSkew, NotNegative(value)); }

    /// <summary>How old a DPoP proof's iat may be. Duende: proof validity (60 s) + clock skew (5 min).</summary>
    public TimeSpan ProofIatWindow { get => Get(ref _proofIatWindow); set => Set(ref _proofIatWindow, NotNegative(value)); }

    /// <summary>Shifts the fake's clock (tokens, nonces, every time check). Positive: the fake lives in the future.</summary>
    public TimeSpan ClockOffset { get => Get(ref _clockOffset); set => Set(ref _clockOffset, value); }

    /// <summary>Also send a fresh DPoP-Nonce header on 200 (RFC 9449 §8.2). Duende does not; default false.</summary>
    public bool IssueNonceOnSuccess { get => Get(ref _issueNonceOnSuccess); set => Set(ref _issueNonceOnSuccess, value); }

    /// <summary>Answer every otherwise valid request with 400 use_dpop_nonce: catches clients that retry forever.</summary>
    public bool AlwaysDemandNonce { get => Get(ref _alwaysDemandNonce); set => Set(ref _alwaysDemandNonce, value); }

    /// <summary>The typ header of issued access tokens: "at+jwt" (current HelseID) or "JWT" (older tokens).</summary>
    public string AccessTokenTyp { get => Get(ref _accessTokenTyp); set => Set(ref _accessTokenTyp, value ?? throw new ArgumentNullException(nameof(value))); }

    /// <summary>Longest client assertion accepted: exp - iat must not exceed this. HelseID: 60 s.</summary>
    public TimeSpan MaxAssertionLifetime { get => Get(ref _maxAssertionLifetime); set => Set(ref _maxAssertionLifetime, Positive(value)); }

    /// <summary>
    /// Demand aud == issuer for every client assertion, not only those with typ client-authentication+jwt
    /// (Duende's StrictClientAssertionAudienceValidation). Default false, as in Duende.
    /// </summary>
    public bool StrictAssertionAudience { get => Get(ref _strictAssertionAudience); set => Set(ref _strictAssertionAudience, value); }

    /// <summary>
    /// Publish the issuer as http://127.0.0.1:{port}/ (with a trailing slash), in discovery and in tokens. Default false,
    /// as HelseID's has none. RFC 8414 §3.3: a client must use the issuer exactly as published.
    /// </summary>
    public bool IssuerTrailingSlash { get => Get(ref _issuerTrailingSlash); set => Set(ref _issuerTrailingSlash, value); }

    /// <summary>
    /// The assertion's aud must be the issuer character for character: no trailing slash of difference tolerated,
    /// as Duende does. Default false.
    /// </summary>
    public bool ExactAssertionAudience { get => Get(ref _exactAssertionAudience); set => Set(ref _exactAssertionAudience, value); }

    /// <summary>
    /// The proof algorithms the token endpoint accepts and discovery lists as dpop_signing_alg_values_supported.
    /// Null (the default): all nine of HelseID's. Empty: discovery lists none (and any allowed algorithm is accepted).
    /// </summary>
    public IReadOnlyList<string>? DPoPSigningAlgorithms { get => Get(ref _dpopSigningAlgorithms); set => Set(ref _dpopSigningAlgorithms, value?.ToArray()); }

    /// <summary>
    /// Make the next <paramref name="count"/> token requests fail the given way before any validation
    /// (as a proxy or a broken server would): the status, body and content type given, after an optional
    /// delay, with a fresh DPoP-Nonce header only when <paramref name="includeNonce"/> is true.
    /// Faults queue up: a second call adds to the end.
    /// </summary>
    public void FailNextTokenRequests(int count, int statusCode, string body, string contentType = "application/json", TimeSpan? delay = null, bool includeNonce = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(contentType);
        var fault = new InjectedFault(statusCode, body, contentType, delay ?? TimeSpan.Zero, includeNonce);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue(fault);
            }
        }
    }

    /// <summary>Drops any faults still queued.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>How many injected faults are still waiting.</summary>
    public int PendingFaults
    {
        get
        {
            lock (_gate)
            {
                return _faults.Count;
            }
        }
    }

    internal InjectedFault? TakeFault()
    {
        lock (_gate)
        {
            return _faults.TryDequeue(out var fault) ? fault : null;
        }
    }
}
