using System;

namespace Edi2.FakeNhn;

/// <summary>
/// Knobs a test may change while the server reads them on other threads: every read and write goes through one lock,
/// which derived options also take for their compound steps (queues, countdowns).
/// </summary>
public abstract class LockedOptions
{
    private protected readonly object _gate = new();

    private protected T Get<T>(ref T field)
    {
        lock (_gate)
        {
            return field;
        }
    }

    private protected void Set<T>(ref T field, T value)
    {
        lock (_gate)
        {
            field = value;
        }
    }

    private protected static TimeSpan NotNegative(TimeSpan value) =>
        value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");

    private protected static TimeSpan Positive(TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");
}
