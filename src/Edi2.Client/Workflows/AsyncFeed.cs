using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Workflows
{
    /// <summary>
    /// Items handed in one by one (a cmdlet's piped records) and read as an asynchronous sequence by engine work that runs
    /// meanwhile (<c>MessageFiles.SaveEachAsync</c>). Hand-written because System.Threading.Channels is not among
    /// the engine's dependencies on .NET Framework, and this is all of it that is needed: one writer, one reader.
    /// </summary>
    public sealed class AsyncFeed<T> : IDisposable
    {
        private readonly ConcurrentQueue<T> _items = new ConcurrentQueue<T>();
        private readonly SemaphoreSlim _available = new SemaphoreSlim(0);
        private volatile bool _completed;

        public void Add(T item)
        {
            if (_completed) throw new InvalidOperationException("The feed is complete.");
            _items.Enqueue(item);
            _available.Release();
        }

        /// <summary>No more items: the reader ends once it has read those already added.</summary>
        public void Complete()
        {
            if (_completed) return;
            _completed = true;
            _available.Release();
        }

        public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            while (true)
            {
                await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (_items.TryDequeue(out var item))
                {
                    yield return item;
                }
                else if (_completed)
                {
                    yield break;
                }
            }
        }

        public void Dispose() => _available.Dispose();
    }
}
