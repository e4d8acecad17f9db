using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Diagnostics;
using Edi2.Workflows;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Base of every Edi2 cmdlet: Ctrl+C cancels the running engine call at once, engine work runs off the pipeline
    /// thread while Write* calls stay on it, and engine exceptions become ErrorRecords with stable ids.
    /// </summary>
    /// <remarks>
    /// The base owns BeginProcessing, ProcessRecord and EndProcessing (sealed) and runs the cmdlet's
    /// <see cref="BeginProcessingCore"/>, <see cref="ProcessRecordCore"/> and <see cref="EndProcessingCore"/> inside one
    /// catch-all: whatever leaves them that is not already PowerShell's own (a RuntimeException: pipeline stopped,
    /// -ErrorAction Stop, ThrowTerminatingError, binding errors) becomes a terminating error through
    /// <see cref="ErrorRecords.From"/>, about <see cref="CurrentTarget"/> (or the main bound parameter). No raw .NET
    /// exception ever reaches the user.
    /// </remarks>
    public abstract class Edi2Cmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private BlockingCollection<Action>? _pipelineWork;
        private volatile bool _stopping;
        private readonly System.Collections.Generic.List<Edi2Progress> _progress = new System.Collections.Generic.List<Edi2Progress>();

        protected CancellationToken StopToken => _stop.Token;

        /// <summary>
        /// What the cmdlet is working on now (a message id, a HER-id, a path), for an error it did not expect. Set it as
        /// the work moves from item to item; <see cref="TryItem"/> sets it to its target.
        /// When it is null the error is about the main bound parameter (the pipeline one, else the one at position 0).
        /// </summary>
        protected object? CurrentTarget { get; set; }

        protected sealed override void BeginProcessing() => Guard(BeginProcessingCore);

        protected sealed override void ProcessRecord() => Guard(ProcessRecordCore);

        protected sealed override void EndProcessing()
        {
            Guard(EndProcessingCore);
            CompleteProgress();
        }

        protected sealed override void StopProcessing()
        {
            _stopping = true;
            _stop.Cancel();
        }

        /// <summary>The cmdlet's BeginProcessing, run inside the base's catch-all.</summary>
        protected virtual void BeginProcessingCore()
        {
        }

        /// <summary>The cmdlet's ProcessRecord, run inside the base's catch-all.</summary>
        protected virtual void ProcessRecordCore()
        {
        }

        /// <summary>The cmdlet's EndProcessing, run inside the base's catch-all.</summary>
        protected virtual void EndProcessingCore()
        {
        }

        public void Dispose() => _stop.Dispose();

        private void Guard(Action step)
        {
            try
            {
                step();
            }
            catch (RuntimeException)
            {
                CompleteProgress();
                throw;
            }
            catch (Exception e)
            {
                // Ctrl+C or a stopped pipeline: whatever the cancelled work threw, the pipeline is stopping.
                if (_stopping) throw new PipelineStoppedException();
                CompleteProgress();
                ThrowEdi2Error(e, CurrentTarget ?? MainTarget());
            }
        }

        /// <summary>The value of the main bound parameter: the one from the pipeline, else position 0, else the first mandatory one.</summary>
        private object? MainTarget()
        {
            var bound = MyInvocation?.BoundParameters;
            if (bound is null || bound.Count == 0) return null;
            var candidates = GetType().GetProperties()
                .Select(p => (Property: p, Attribute: p.GetCustomAttributes(typeof(ParameterAttribute), true).Cast<ParameterAttribute>()
                    .FirstOrDefault(a => a.ParameterSetName == ParameterAttribute.AllParameterSets || a.ParameterSetName == ParameterSetName)))
                .Where(c => c.Attribute != null && bound.ContainsKey(c.Property.Name) && !(bound[c.Property.Name] is System.Security.SecureString))
                .OrderBy(c => c.Attribute!.ValueFromPipeline ? 0 : c.Attribute!.Position == 0 ? 1 : c.Attribute!.Mandatory ? 2 : 3)
                .ToList();
            if (candidates.Count == 0) return null;
            object? value = bound[candidates[0].Property.Name];
            return value is Array { Length: 1 } single ? single.GetValue(0) : value;
        }

        /// <summary>
        /// A progress bar for this cmdlet (shown on interactive hosts only, throttled), completed by the base when the
        /// cmdlet ends or fails. Distinct <paramref name="activityId"/>s for bars shown at the same time.
        /// </summary>
        internal Edi2Progress NewProgress(string activity, string status, int activityId = 1)
        {
            var progress = new Edi2Progress(this, InteractiveHost.IsInteractive(Host), activityId, activity, status);
            _progress.Add(progress);
            return progress;
        }

        /// <summary>An <see cref="IProgress{T}"/> for engine work that hands the latest value to <paramref name="apply"/> on the pipeline thread.</summary>
        internal IProgress<long> ReportTo(Action<long> apply) => new PostedProgress(Post, apply);

        /// <summary>Removes every progress bar this cmdlet shows; never fails (the pipeline may be stopping).</summary>
        private void CompleteProgress()
        {
            if (_stopping) return; // the host takes the bars away when the pipeline stops; writing now would throw
            foreach (var progress in _progress)
            {
                try
                {
                    progress.Complete();
                }
                catch (PipelineStoppedException)
                {
                }
                catch (InvalidOperationException)
                {
                    // Not on the pipeline thread or the pipeline is closing: nothing more can be written.
                }
            }
        }

        /// <summary>
        /// Runs engine work and waits for it, doing what it <see cref="Post"/>s on this (the pipeline) thread meanwhile. If
        /// what it posted throws (output stopped by Select-Object -First, which never calls StopProcessing; a failing
        /// downstream command; -ErrorAction Stop), the work is cancelled and waited for, so nothing goes on working unseen.
        /// </summary>
        protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            using (var queue = new BlockingCollection<Action>())
            using (var abandon = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                _pipelineWork = queue;
                try
                {
                    Task<T> task;
                    using (Edi2TraceScope.Begin(TraceToVerbose))
                    {
                        task = Task.Run(() => work(abandon.Token));
                    }
                    var done = task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
                    try
                    {
                        foreach (var action in queue.GetConsumingEnumerable()) action();
                    }
                    catch
                    {
                        abandon.Cancel();
                        done.Wait(); // what it posts meanwhile is dropped; its own failure is the cancellation's
                        throw;
                    }
                    return task.GetAwaiter().GetResult();
                }
                finally
                {
                    _pipelineWork = null;
                }
            }
        }

        protected void Run(Func<CancellationToken, Task> work) =>
            Run<bool>(async token =>
            {
                await work(token).ConfigureAwait(false);
                return true;
            });

        private Task? _background;
        private Task? _backgroundDone;
        private CancellationTokenSource? _backgroundAbandon;

        /// <summary>
        /// Engine work that spans the cmdlet's records (fed with piped input as it comes): it runs off the pipeline thread
        /// from now on, and what it <see cref="Post"/>s is done on the pipeline thread whenever the cmdlet calls
        /// <see cref="PumpBackground"/> (in each record) and, to its end, <see cref="FinishBackground"/> (EndProcessing).
        /// As with <see cref="Run{T}"/>, a posted action that throws cancels the work and waits for it; so does Ctrl+C.
        /// </summary>
        protected void StartBackground(Func<CancellationToken, Task> work)
        {
            if (_background != null) throw new InvalidOperationException("Background work is running already.");
            var queue = new BlockingCollection<Action>();
            _pipelineWork = queue;
            _backgroundAbandon = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var token = _backgroundAbandon.Token;
            using (Edi2TraceScope.Begin(TraceToVerbose))
            {
                _background = Task.Run(() => work(token));
            }
            _backgroundDone = _background.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
        }

        /// <summary>Does what the background work has posted so far; while <paramref name="waitWhile"/> holds, waits for more.</summary>
        protected void PumpBackground(Func<bool>? waitWhile = null)
        {
            var queue = _pipelineWork ?? throw new InvalidOperationException("No background work is running.");
            try
            {
                while (true)
                {
                    if (queue.TryTake(out var action))
                    {
                        action();
                        continue;
                    }
                    if (queue.IsCompleted)
                    {
                        _background!.GetAwaiter().GetResult(); // ended early: its failure (or cancellation) is the cmdlet's
                        throw new InvalidOperationException("The background work ended before its input did.");
                    }
                    if (waitWhile is null || !waitWhile()) return;
                    if (queue.TryTake(out action, 50)) action();
                }
            }
            catch
            {
                AbandonBackground();
                throw;
            }
        }

        /// <summary>Does everything the background work posts until it ends, then throws its failure if it failed.</summary>
        protected void FinishBackground()
        {
            if (_background is null) return;
            var queue = _pipelineWork!;
            try
            {
                foreach (var action in queue.GetConsumingEnumerable()) action();
            }
            catch
            {
                AbandonBackground();
                throw;
            }
            _pipelineWork = null;
            var finished = _background;
            _background = null;
            finished.GetAwaiter().GetResult();
        }

        private void AbandonBackground()
        {
            _backgroundAbandon?.Cancel();
            _backgroundDone?.Wait(); // what it posts meanwhile is dropped; its own failure is the cancellation's
            _pipelineWork = null;
            _background = null;
        }

        /// <summary>From engine work: do this on the pipeline thread (Write* may only be called there).</summary>
        protected void Post(Action action)
        {
            var queue = _pipelineWork;
            if (queue is null)
            {
                action(); // already on the pipeline thread
                return;
            }
            try
            {
                queue.Add(action);
            }
            catch (InvalidOperationException)
            {
                // The work has finished and the queue is closed: a late trace line is dropped, never written off-thread.
            }
        }

        /// <summary>
        /// From engine work: runs <paramref name="action"/> on the pipeline thread and waits for it, rethrowing what it threw
        /// (for engine callbacks that must call PowerShell, such as a SecretManagement vault). Ctrl+C ends the wait.
        /// </summary>
        internal void PostAndWait(Action action)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(() =>
            {
                try
                {
                    action();
                    done.SetResult(true);
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
            done.Task.Wait(_stop.Token);
            done.Task.GetAwaiter().GetResult();
        }

        /// <summary>
        /// From engine work: completes once the pipeline thread has done everything posted before it, or is cancelled with
        /// the work (see <see cref="Run{T}"/>). Awaited before more reading, it keeps the work from reading ahead of stopped output.
        /// </summary>
        protected async Task PostedSoFarAsync(CancellationToken token)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (token.Register(() => done.TrySetCanceled(token))) // abandoned work: what it posted is never done
            {
                Post(() => done.TrySetResult(true));
                await done.Task.ConfigureAwait(false);
            }
        }

        private void TraceToVerbose(Edi2HttpTrace trace) =>
            Post(() =>
            {
                WriteVerbose(trace.ToString());
                WriteDebug(trace.RequestHeaders);
            });

        // The two kinds of error PowerShell has, both made by ErrorRecords: cmdlets report errors through these only.

        /// <summary>A non-terminating error about one item; the pipeline goes on with the next.</summary>
        protected void WriteItemError(Exception exception, object? target) => WriteItemError(ErrorRecords.From(exception, target));

        /// <summary>The same for an error the cmdlet finds itself (made by <see cref="ErrorRecords"/>, never by hand).</summary>
        protected void WriteItemError(ErrorRecord record) => WriteError(record);

        /// <summary>
        /// The reservation ledger at <paramref name="ledgerPath"/> (a PowerShell path; null for its default place). A path it
        /// cannot use ends the cmdlet, with the path as the error's target.
        /// </summary>
        protected ReservationLedger OpenLedger(string? ledgerPath)
        {
            try
            {
                return new ReservationLedger(ledgerPath is null ? null : GetUnresolvedProviderPathFromPSPath(ledgerPath));
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, ledgerPath);
            }
        }

        /// <summary>
        /// A terminating error: this cmdlet cannot go on. It never returns; the Exception return type lets callers write
        /// <c>throw ThrowEdi2Error(...)</c> so the compiler knows that too.
        /// </summary>
        protected Exception ThrowEdi2Error(Exception exception, object? target) => ThrowEdi2Error(ErrorRecords.From(exception, target));

        /// <inheritdoc cref="ThrowEdi2Error(Exception, object?)"/>
        protected Exception ThrowEdi2Error(ErrorRecord record)
        {
            ThrowTerminatingError(record);
            return record.Exception; // not reached
        }

        /// <summary>Runs per-item work, turning an Edi2 or argument failure into a non-terminating error for that item.</summary>
        protected bool TryItem(object? target, Action action)
        {
            object? previous = CurrentTarget;
            if (target != null) CurrentTarget = target;
            try
            {
                action();
                CurrentTarget = previous; // the item is done; an unexpected error after it is not about it
                return true;
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                WriteItemError(e, target);
                CurrentTarget = previous;
                return false;
            }
        }
    }
}
