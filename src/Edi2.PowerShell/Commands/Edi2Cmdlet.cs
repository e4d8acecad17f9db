using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Api;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Base of every Edi2 cmdlet: Ctrl+C cancels the running engine call at once, engine work runs off the pipeline
    /// thread while Write* calls stay on it, and engine exceptions become ErrorRecords with stable ids.
    /// </summary>
    public abstract class Edi2Cmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private BlockingCollection<Action>? _pipelineWork;

        protected CancellationToken StopToken => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        public void Dispose() => _stop.Dispose();

        /// <summary>Runs engine work and waits for it, doing what it <see cref="Post"/>s on this (the pipeline) thread meanwhile.</summary>
        protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            using (var queue = new BlockingCollection<Action>())
            {
                _pipelineWork = queue;
                try
                {
                    Task<T> task;
                    using (Edi2TraceScope.Begin(TraceToVerbose))
                    {
                        task = Task.Run(() => work(_stop.Token));
                    }
                    task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
                    foreach (var action in queue.GetConsumingEnumerable()) action();
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

        private void TraceToVerbose(Edi2HttpTrace trace) =>
            Post(() =>
            {
                WriteVerbose(trace.ToString());
                WriteDebug(trace.RequestHeaders);
            });

        /// <summary>A non-terminating error for one item; the pipeline goes on.</summary>
        protected void WriteEdi2Error(Exception exception, object? target = null) =>
            WriteError(ErrorRecords.From(exception, target));

        /// <summary>An error after which this cmdlet cannot go on.</summary>
        protected Exception Terminate(Exception exception, object? target = null)
        {
            ThrowTerminatingError(ErrorRecords.From(exception, target));
            return exception; // not reached
        }

        /// <summary>Runs work this cmdlet cannot go on without; an Edi2 or argument failure ends the cmdlet with that error.</summary>
        protected T OrTerminate<T>(object? target, Func<T> work)
        {
            try
            {
                return work();
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw Terminate(e, target);
            }
        }

        /// <summary>Runs per-item work, turning an Edi2 or argument failure into a non-terminating error for that item.</summary>
        protected bool TryItem(object? target, Action action)
        {
            try
            {
                action();
                return true;
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                WriteEdi2Error(e, target);
                return false;
            }
        }
    }
}
