using System;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Workflows
{
    /// <summary>
    /// Files that are either all there or not there: write a temporary file in the same folder (same volume), flush it to
    /// the disk, then rename it into place. A reader sees the old content or the new, never half of it.
    /// </summary>
    internal static class AtomicFile
    {
        // File.Move(source, destination, overwrite) exists from .NET Core 3.0 on (PowerShell 7): one rename(2) or
        // MoveFileEx(REPLACE_EXISTING). netstandard2.0 does not declare it, so it is found at run time; Windows PowerShell
        // (.NET Framework) uses File.Replace instead.
        private static readonly Action<string, string, bool>? MoveOverwriting = FindMoveOverwriting();

        /// <summary>A temporary name beside <paramref name="path"/> that no other run picks: <c>.name.random.tmp</c>.</summary>
        public static string TemporaryPathFor(string path, string suffix = ".tmp")
        {
            string folder = Path.GetDirectoryName(path) ?? ".";
            return Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + suffix);
        }

        /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> atomically. On failure the old file is untouched.</summary>
        public static void WriteAllBytes(string path, byte[] content)
        {
            string temporary = TemporaryPathFor(path);
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
                {
                    stream.Write(content, 0, content.Length);
                    stream.Flush(flushToDisk: true);
                }
                Replace(temporary, path);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it if it exists.</summary>
        public static void Replace(string source, string destination)
        {
            if (MoveOverwriting != null)
            {
                MoveOverwriting(source, destination, true);
                return;
            }
            if (!File.Exists(destination))
            {
                try
                {
                    File.Move(source, destination);
                    return;
                }
                catch (IOException) when (File.Exists(destination) && File.Exists(source))
                {
                    // Someone created it meanwhile: replace it below.
                }
            }
            File.Replace(source, destination, null, ignoreMetadataErrors: true);
        }

        /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/> unless that exists; false if it does.</summary>
        public static bool MoveIfAbsent(string source, string destination)
        {
            if (File.Exists(destination)) return false;
            try
            {
                File.Move(source, destination); // never overwrites: fails if the destination appeared meanwhile
                return true;
            }
            catch (IOException) when (File.Exists(destination) && File.Exists(source))
            {
                return false;
            }
        }

        public static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static Action<string, string, bool>? FindMoveOverwriting()
        {
            MethodInfo? move = typeof(File).GetMethod(nameof(File.Move), BindingFlags.Public | BindingFlags.Static, null,
                new[] { typeof(string), typeof(string), typeof(bool) }, null);
            return move is null ? null : (Action<string, string, bool>)Delegate.CreateDelegate(typeof(Action<string, string, bool>), move);
        }
    }

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
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
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
