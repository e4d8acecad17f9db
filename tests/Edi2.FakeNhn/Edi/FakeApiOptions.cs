using System;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// Knobs of the fake EDI 2.0 API. Safe to change from a test while the server runs (one lock for all).
/// Defaults follow what the real API is believed to do: no resource-server nonces, a short proof window.
/// </summary>
public sealed class FakeApiOptions : LockedOptions
{
    private bool _requireNonce;
    private bool _issueNonceOnSuccess;
    private int? _streamDropAfterEvents;
    private bool _streamAnswer204;
    private TimeSpan _proofIatWindow = TimeSpan.FromSeconds(60);
    private TimeSpan _clockSkew = TimeSpan.FromSeconds(10);
    private TimeSpan _nonceLifetime = TimeSpan.FromSeconds(60);
    private TimeSpan _streamKeepAliveInterval = TimeSpan.FromSeconds(1);
    private long _maxDocumentBytes = 35L * 1024 * 1024;
    private string? _pathBase;
    private TimeSpan _latency;

    /// <summary>
    /// RFC 9449 §9 resource-server nonces: a proof without this API's own nonce gets 401 use_dpop_nonce
    /// and a DPoP-Nonce header. Off by default (no public client handles it, so NHN is believed not to).
    /// </summary>
    public bool RequireNonce { get => Get(ref _requireNonce); set => Set(ref _requireNonce, value); }

    /// <summary>
    /// Nonce mode that rotates (RFC 9449 §8.2, §9): every 2xx answer carries a fresh DPoP-Nonce, and only the newest
    /// nonce handed out is accepted; an older one gets 401 use_dpop_nonce. Implies <see cref="RequireNonce"/>.
    /// </summary>
    public bool IssueNonceOnSuccess { get => Get(ref _issueNonceOnSuccess); set => Set(ref _issueNonceOnSuccess, value); }

    /// <summary>
    /// Arms one abrupt drop of a notification stream: after this many notification events (counted over
    /// all streams) the connection is aborted, and the knob goes back to null. 0 drops right after
    /// "connected". Set it again to drop again.
    /// </summary>
    public int? StreamDropAfterEvents
    {
        get => Get(ref _streamDropAfterEvents);
        set => Set(ref _streamDropAfterEvents, value is < 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.") : value);
    }

    /// <summary>Answer GET /notifications/stream with 204 (after the auth checks) instead of streaming. NAV reads 204 as "stream finished".</summary>
    public bool StreamAnswer204 { get => Get(ref _streamAnswer204); set => Set(ref _streamAnswer204, value); }

    /// <summary>How old an API proof's iat may be. Short, since a proof is made per request.</summary>
    public TimeSpan ProofIatWindow { get => Get(ref _proofIatWindow); set => Set(ref _proofIatWindow, NotNegative(value)); }

    /// <summary>Tolerance for the token's exp/nbf and for a proof iat in the future.</summary>
    public TimeSpan ClockSkew { get => Get(ref _clockSkew); set => Set(ref _clockSkew, NotNegative(value)); }

    /// <summary>How long an API DPoP-Nonce stays valid.</summary>
    public TimeSpan NonceLifetime { get => Get(ref _nonceLifetime); set => Set(ref _nonceLifetime, NotNegative(value)); }

    /// <summary>Quiet time on a notification stream before a ": keep-alive" comment is sent.</summary>
    public TimeSpan StreamKeepAliveInterval
    {
        get => Get(ref _streamKeepAliveInterval);
        set => Set(ref _streamKeepAliveInterval, value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive."));
    }

    /// <summary>Largest business document (decoded bytes) a POST may carry; larger gives 400. NHN: 35 MB.</summary>
    public long MaxDocumentBytes
    {
        get => Get(ref _maxDocumentBytes);
        set => Set(ref _maxDocumentBytes, value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive."));
    }

    /// <summary>
    /// Also serve the API under this path (say "/api"), as a gateway in front of NHN would: tests of an API base
    /// with a path. Requests at the root are served as before.
    /// </summary>
    public string? PathBase
    {
        get => Get(ref _pathBase);
        set => Set(ref _pathBase, value is null || value.StartsWith('/') ? value?.TrimEnd('/') : throw new ArgumentException("Must start with '/'.", nameof(value)));
    }

    /// <summary>
    /// Models the network: every request (API and HelseID) waits this long before it is handled. Zero (the default) adds
    /// nothing. For benchmarks and tests of concurrency, where a loopback call would otherwise cost next to nothing.
    /// </summary>
    public TimeSpan Latency { get => Get(ref _latency); set => Set(ref _latency, NotNegative(value)); }

    /// <summary>
    /// Counts one notification event written to a stream. True when this event used up the armed
    /// countdown: the caller then drops its connection (and the knob is disarmed).
    /// </summary>
    internal bool CountStreamEvent()
    {
        lock (_gate)
        {
            if (_streamDropAfterEvents is not { } remaining)
            {
                return false;
            }

            remaining--;
            _streamDropAfterEvents = remaining <= 0 ? null : remaining;
            return remaining <= 0;
        }
    }

    /// <summary>True (and disarms) when a drop was armed with 0: drop before any notification event.</summary>
    internal bool TakeImmediateStreamDrop()
    {
        lock (_gate)
        {
            if (_streamDropAfterEvents != 0)
            {
                return false;
            }

            _streamDropAfterEvents = null;
            return true;
        }
    }
}
