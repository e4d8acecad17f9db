using System;

namespace Edi2.FakeNhn;

/// <summary>
/// The fake's sense of "now": the real clock shifted by a test-controlled offset, so tests can make
/// tokens, nonces and assertions old without sleeping.
/// </summary>
internal sealed class FakeClock
{
    private readonly Func<TimeSpan> _offset;

    public FakeClock(Func<TimeSpan> offset)
    {
        _offset = offset;
    }

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow + _offset();

    public long UnixSeconds => UtcNow.ToUnixTimeSeconds();
}
