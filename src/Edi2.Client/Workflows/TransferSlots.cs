using System;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Workflows
{
    /// <summary>
    /// How many downloads and how many marks (PUT .../downloaded) may run at once, counted apart: a mark waiting for its
    /// turn never holds a download's place, so the downloads keep the network busy (-ThrottleLimit).
    /// </summary>
    public sealed class TransferSlots : IDisposable
    {
        private readonly SemaphoreSlim _downloads;
        private readonly SemaphoreSlim _marks;

        public TransferSlots(int limit)
        {
            if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be at least 1.");
            Limit = limit;
            _downloads = new SemaphoreSlim(limit, limit);
            _marks = new SemaphoreSlim(limit, limit);
        }

        public int Limit { get; }

        internal Task<T> DownloadAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken) => InSlotAsync(_downloads, work, cancellationToken);

        internal Task<T> MarkAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken) => InSlotAsync(_marks, work, cancellationToken);

        private static async Task<T> InSlotAsync<T>(SemaphoreSlim slots, Func<Task<T>> work, CancellationToken cancellationToken)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await work().ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }

        public void Dispose()
        {
            _downloads.Dispose();
            _marks.Dispose();
        }
    }
}
