using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Workflows
{
    /// <summary>
    /// An exclusive lock on a file, held by keeping it open with FileShare.None: Windows refuses a second open, and .NET on
    /// Unix takes an flock (LOCK_EX) that a second open fails to get. Works between processes and between runspaces of one
    /// process alike. The operating system drops the lock when the process dies, so a crash leaves no stale lock. The lock
    /// file itself stays (deleting it would let two runs lock two different files of the same name).
    /// </summary>
    internal static class FileLock
    {
        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

        /// <summary>Null if another holder has it now; the reason in <paramref name="busy"/>.</summary>
        public static FileStream? TryAcquire(string lockPath, out IOException? busy)
        {
            busy = null;
            try
            {
                return OwnerOnlyFiles.Open(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException e) when (!(e is FileNotFoundException || e is DirectoryNotFoundException || e is PathTooLongException))
            {
                busy = e;
                return null;
            }
        }

        /// <summary>Waits up to <paramref name="timeout"/> (zero: not at all) for the lock, then throws what <paramref name="failure"/> makes.</summary>
        public static async Task<FileStream> AcquireAsync(string lockPath, TimeSpan timeout, Func<IOException?, Exception> failure, CancellationToken cancellationToken)
        {
            var wait = new Wait(timeout);
            while (true)
            {
                var held = TryAcquire(lockPath, out IOException? busy);
                if (held != null) return held;
                await Task.Delay(wait.Next() ?? throw failure(busy), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The same as <see cref="AcquireAsync"/>, blocking.</summary>
        public static FileStream Acquire(string lockPath, TimeSpan timeout, Func<IOException?, Exception> failure)
        {
            var wait = new Wait(timeout);
            while (true)
            {
                var held = TryAcquire(lockPath, out IOException? busy);
                if (held != null) return held;
                Thread.Sleep(wait.Next() ?? throw failure(busy));
            }
        }

        /// <summary>The pause before the next try, or null once the deadline has passed.</summary>
        private sealed class Wait
        {
            private readonly DateTime _deadline;
            private readonly Random _random = new Random();

            public Wait(TimeSpan timeout) => _deadline = DateTime.UtcNow + (timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);

            public TimeSpan? Next()
            {
                TimeSpan left = _deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return null;
                // A little jitter, so waiting runs do not retry in lock step.
                return TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, Poll.TotalMilliseconds + _random.Next(0, 25)));
            }
        }
    }
}
