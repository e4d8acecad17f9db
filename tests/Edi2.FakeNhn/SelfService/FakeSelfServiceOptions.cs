using System;

namespace Edi2.FakeNhn.SelfService;

/// <summary>Knobs of the fake HelseID self-service API (key rotation). Safe to change while the server runs.</summary>
public sealed class FakeSelfServiceOptions
{
    private readonly object _gate = new();
    private bool _keepPreviousKeys;
    private TimeSpan _keyLifetime = TimeSpan.FromDays(365);
    private TimeSpan _answerDelay = TimeSpan.Zero;

    /// <summary>
    /// Whether a client's old keys stay valid after it registers a new one. Off by default: the new key replaces the
    /// old at once (NHN does not document an overlap; the strict case is the one a crash must survive).
    /// </summary>
    public bool KeepPreviousKeys { get { lock (_gate) return _keepPreviousKeys; } set { lock (_gate) _keepPreviousKeys = value; } }

    /// <summary>The "expiration" answered: now + this. NHN does not document the lifetime; a year is assumed.</summary>
    public TimeSpan KeyLifetime { get { lock (_gate) return _keyLifetime; } set { lock (_gate) _keyLifetime = value; } }

    /// <summary>How long the answer waits after the key was registered: a window in which a test kills the client after the server's yes.</summary>
    public TimeSpan AnswerDelay { get { lock (_gate) return _answerDelay; } set { lock (_gate) _answerDelay = value < TimeSpan.Zero ? TimeSpan.Zero : value; } }
}
