using System;
using System.Threading;

namespace Edi2.Diagnostics
{
    /// <summary>
    /// The one channel for HTTP traces, of the API and HelseID alike. It routes them to whoever started the current
    /// operation (a cmdlet's -Verbose), even when one session serves several runspaces at once: the scope flows with the
    /// async work, not with the session.
    /// </summary>
    public static class Edi2TraceScope
    {
        private static readonly AsyncLocal<Action<Edi2HttpTrace>?> Current = new AsyncLocal<Action<Edi2HttpTrace>?>();

        /// <summary>Sends the traces of work started from here on to <paramref name="sink"/>, and still to any outer scope's.</summary>
        public static IDisposable Begin(Action<Edi2HttpTrace> sink)
        {
            var previous = Current.Value;
            Current.Value = previous + sink; // an outer watcher (a test, a script) keeps seeing what a cmdlet's -Verbose sees
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
