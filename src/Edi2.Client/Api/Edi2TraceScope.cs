using System;
using System.Threading;

namespace Edi2.Api
{
    /// <summary>
    /// Routes HTTP traces to whoever started the current operation (a cmdlet's -Verbose), even when one session serves
    /// several runspaces at once: the scope flows with the async work, not with the session.
    /// </summary>
    public static class Edi2TraceScope
    {
        private static readonly AsyncLocal<Action<Edi2HttpTrace>?> Current = new AsyncLocal<Action<Edi2HttpTrace>?>();

        public static IDisposable Begin(Action<Edi2HttpTrace> sink)
        {
            var previous = Current.Value;
            Current.Value = sink;
            return new Restore(previous);
        }

        internal static void Report(Edi2HttpTrace trace) => Current.Value?.Invoke(trace);

        private sealed class Restore : IDisposable
        {
            private readonly Action<Edi2HttpTrace>? _previous;

            public Restore(Action<Edi2HttpTrace>? previous) => _previous = previous;

            public void Dispose() => Current.Value = _previous;
        }
    }
}
