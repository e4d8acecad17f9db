using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Workflows
{
    /// <summary>
    /// Starts work for each item of a sequence while earlier work still runs, and hands the finished work back in the
    /// order of the items: the rule behind -ThrottleLimit. At most <c>window</c> items are started and not yet handed
    /// back; each batch handed back is the longest run of finished work at the head (at least one), so a caller that
    /// persists progress does it once per contiguous run. Once any started work has failed no new item is read (the
    /// failure is handed back in its turn). Stopping the enumeration early, or a cancelled token, cancels the work still
    /// running and waits for it, so nothing goes on unseen. With a window of 1 each item is finished before the next is read.
    /// Finished work is handed back while the next item is still being read, so a slow source (a page of notifications on
    /// its way, the next record of a pipeline) does not hold it back.
    /// </summary>
    public static class OrderedWork
    {
        internal static async IAsyncEnumerable<IReadOnlyList<Task<TResult>>> RunAsync<TItem, TResult>(IAsyncEnumerable<TItem> items, int window,
            Func<TItem, CancellationToken, Task<TResult>> start, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be at least 1.");
            var pending = new Queue<Task<TResult>>();
            var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reader = items.GetAsyncEnumerator(work.Token);
            Task<bool>? next = null; // the read of the next item, while it is not at hand
            try
            {
                bool more = true;
                while (true)
                {
                    // Read while there is room and the next item is at hand; wait for it only when nothing else runs.
                    while (more && pending.Count < window && !pending.Any(t => t.IsFaulted || t.IsCanceled))
                    {
                        next ??= reader.MoveNextAsync().AsTask();
                        if (!next.IsCompleted && pending.Count > 0) break;
                        bool got = await next.ConfigureAwait(false);
                        next = null;
                        if (!got)
                        {
                            more = false;
                            break;
                        }
                        pending.Enqueue(Start(start, reader.Current, work.Token));
                    }
                    if (pending.Count == 0) yield break;

                    // The head finishing, or the next item coming (a slow source must not hold back finished work).
                    var head = pending.Peek();
                    if (next != null && !next.IsCompleted) await Task.WhenAny(next, Finished(head)).ConfigureAwait(false);
                    else await Finished(head).ConfigureAwait(false);
                    if (!head.IsCompleted) continue;

                    var batch = new List<Task<TResult>>();
                    while (pending.Count > 0 && pending.Peek().IsCompleted) batch.Add(pending.Dequeue());
                    yield return batch;
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            finally
            {
                work.Cancel();
                foreach (var task in pending) await Finished(task).ConfigureAwait(false);
                if (next != null) await Finished(next).ConfigureAwait(false); // an enumerator may not be disposed while it reads
                await reader.DisposeAsync().ConfigureAwait(false);
                work.Dispose();
            }
        }

        /// <summary>How many items may be in hand at once for a throttle limit: 1 keeps the sequential order; more lets work
        /// run ahead of a slow item at the head, within bounds (for a receive, the offset can only move up to the head).</summary>
        public static int WindowFor(int throttleLimit) => throttleLimit <= 1 ? 1 : throttleLimit * 4;

        /// <summary>A sequence already in memory, as the asynchronous one <see cref="RunAsync"/> reads.</summary>
        internal static async IAsyncEnumerable<T> Async<T>(IEnumerable<T> items)
        {
            foreach (var item in items) yield return item;
            await Task.CompletedTask.ConfigureAwait(false);
        }

        // Work that throws before its first await still becomes a failed task in its place, not an exception here.
        private static Task<TResult> Start<TItem, TResult>(Func<TItem, CancellationToken, Task<TResult>> start, TItem item, CancellationToken token)
        {
            try
            {
                return start(item, token);
            }
            catch (Exception e)
            {
                var failed = new TaskCompletionSource<TResult>();
                failed.SetException(e);
                return failed.Task;
            }
        }

        /// <summary>Completes when the task does, whatever its outcome (which the caller reads from the task).</summary>
        internal static Task Finished(Task task) => task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
