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
                using (var stream = OwnerOnlyFiles.Open(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
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
}
