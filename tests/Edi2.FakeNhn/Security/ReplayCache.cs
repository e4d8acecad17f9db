using System;
using System.Collections.Generic;
using System.Linq;

namespace Edi2.FakeNhn.Security;

/// <summary>
/// Remembers one-time identifiers (assertion jti, proof jti) until they expire. Thread-safe; the
/// check-and-add is one atomic step so two parallel requests with the same jti cannot both pass.
/// </summary>
internal sealed class ReplayCache
{
    private readonly Dictionary<string, DateTimeOffset> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly FakeClock _clock;

    public ReplayCache(FakeClock clock)
    {
        _clock = clock;
    }

    /// <summary>True if the id is in use (seen and not yet expired) for this purpose.</summary>
    public bool Exists(string purpose, string id)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(Key(purpose, id), out var expiresAt) && expiresAt > _clock.UtcNow;
        }
    }

    /// <summary>Records the id. Returns false (and records nothing) if it was already in use.</summary>
    public bool TryAdd(string purpose, string id, DateTimeOffset expiresAt)
    {
        var now = _clock.UtcNow;
        lock (_gate)
        {
            if (_entries.Count > 10_000)
            {
                RemoveExpired(now);
            }

            var key = Key(purpose, id);
            if (_entries.TryGetValue(key, out var existing) && existing > now)
            {
                return false;
            }

            _entries[key] = expiresAt;
            return true;
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var key in _entries.Where(entry => entry.Value <= now).Select(entry => entry.Key).ToList())
        {
            _entries.Remove(key);
        }
    }

    private static string Key(string purpose, string id) => purpose + "\n" + id;
}
