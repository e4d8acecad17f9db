using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// One progress bar of a cmdlet, shown only to a person watching (<see cref="InteractiveHost.IsInteractive"/>: never in
    /// scheduled or <c>-NonInteractive</c> runs) and throttled: the first update is written at once, later ones at most every
    /// <see cref="Interval"/> (the latest one is kept and written by <see cref="Flush"/>). Made by
    /// <see cref="Edi2Cmdlet.NewProgress"/>, which completes it at the end of the cmdlet and on any error; call it on the
    /// pipeline thread only (from engine work, through <see cref="Edi2Cmdlet.Post"/> or <see cref="Edi2Cmdlet.ReportTo"/>).
    /// </summary>
    internal sealed class Edi2Progress
    {
        public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

        private readonly Cmdlet _cmdlet;
        private readonly ProgressRecord _record;
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private TimeSpan? _lastWritten; // none yet (MinValue would overflow the subtraction)
        private bool _pending;
        private bool _shown;

        internal Edi2Progress(Cmdlet cmdlet, bool enabled, int activityId, string activity, string status)
        {
            _cmdlet = cmdlet;
            Enabled = enabled;
            _record = new ProgressRecord(activityId, activity, string.IsNullOrEmpty(status) ? activity : status);
        }

        /// <summary>False where no progress belongs (a non-interactive host): every call is then a no-op.</summary>
        public bool Enabled { get; }

        /// <summary>
        /// Sets what the bar says and writes it if the last write is <see cref="Interval"/> old (or with
        /// <paramref name="force"/>); otherwise keeps it for the next update or <see cref="Flush"/>.
        /// <paramref name="percent"/> -1 means not known.
        /// </summary>
        public void Update(string status, string? operation = null, int percent = -1, bool force = false)
        {
            if (!Enabled) return;
            _record.RecordType = ProgressRecordType.Processing;
            _record.StatusDescription = string.IsNullOrEmpty(status) ? _record.Activity : status;
            _record.CurrentOperation = operation;
            _record.PercentComplete = percent < 0 ? -1 : Math.Min(100, percent);
            _pending = true;
            if (force || _lastWritten is null || _watch.Elapsed - _lastWritten.Value >= Interval) Write();
        }

        /// <summary>Writes the latest update if the throttle held it back.</summary>
        public void Flush()
        {
            if (Enabled && _pending && (_lastWritten is null || _watch.Elapsed - _lastWritten.Value >= Interval)) Write();
        }

        /// <summary>Removes the bar (RecordType Completed) if it was shown; it may be shown again by a later update.</summary>
        public void Complete()
        {
            _pending = false;
            if (!Enabled || !_shown) return;
            _shown = false;
            _lastWritten = null;
            _record.RecordType = ProgressRecordType.Completed;
            _cmdlet.WriteProgress(_record);
        }

        private void Write()
        {
            _pending = false;
            _lastWritten = _watch.Elapsed;
            _shown = true;
            _cmdlet.WriteProgress(_record);
        }

        /// <summary>The percentage of <paramref name="done"/> in <paramref name="total"/>, or -1 when the total is not known.</summary>
        public static int Percent(long done, long total) => total <= 0 ? -1 : (int)Math.Max(0, Math.Min(100, done * 100 / total));
    }

    /// <summary>
    /// An <see cref="IProgress{T}"/> for engine work off the pipeline thread: reports coalesce (only the latest value is
    /// kept while one is on its way), and the latest is handed to <c>apply</c> on the pipeline thread through <c>post</c>.
    /// </summary>
    internal sealed class PostedProgress : IProgress<long>
    {
        private readonly Action<Action> _post;
        private readonly Action<long> _apply;
        private long _latest;
        private int _queued;

        public PostedProgress(Action<Action> post, Action<long> apply)
        {
            _post = post;
            _apply = apply;
        }

        public void Report(long value)
        {
            Interlocked.Exchange(ref _latest, value);
            if (Interlocked.Exchange(ref _queued, 1) == 1) return; // one is queued: it will read the latest
            _post(() =>
            {
                Interlocked.Exchange(ref _queued, 0);
                _apply(Interlocked.Read(ref _latest));
            });
        }
    }
}
