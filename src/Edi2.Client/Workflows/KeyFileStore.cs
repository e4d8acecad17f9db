using System;
using System.Globalization;
using System.IO;
using Edi2.HelseId;

namespace Edi2.Workflows
{
    /// <summary>
    /// A client key file for rotation: the pending key is <c>&lt;file&gt;.pending</c> and backups are
    /// <c>&lt;file&gt;.&lt;yyyyMMdd-HHmmss&gt;.bak</c>, all beside it and written owner-only by <see cref="KeyFile"/>.
    /// Committing is one rename of the pending file onto the key file (<see cref="AtomicFile.Replace"/>).
    /// </summary>
    public sealed class KeyFileStore : IClientKeyStore
    {
        public const string PendingSuffix = ".pending";

        public KeyFileStore(string path)
        {
            Path = System.IO.Path.GetFullPath(path);
        }

        public string Path { get; }

        public string PendingPath => PendingPathFor(Path);

        public string Location => Path;

        public static string PendingPathFor(string path) => System.IO.Path.GetFullPath(path) + PendingSuffix;

        /// <summary>True when a rotation of this file is unfinished (Connect-Edi2 and Update-Edi2ClientKey then resolve it first).</summary>
        public static bool HasPending(string path) => File.Exists(PendingPathFor(path));

        public string ReadCurrent()
        {
            if (!File.Exists(Path)) throw new Edi2KeyException(KeyErrorReason.FileNotFound, $"Key file '{Path}' does not exist.", Path);
            return File.ReadAllText(Path);
        }

        public string? ReadPending() => File.Exists(PendingPath) ? File.ReadAllText(PendingPath) : null;

        public void WritePending(string keyText) => KeyFile.WritePrivate(PendingPath, keyText, overwrite: true);

        public void RemovePending() => File.Delete(PendingPath);

        public string WriteBackup(string keyText, DateTimeOffset now)
        {
            string stamp = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            for (int n = 1; ; n++)
            {
                string backup = $"{Path}.{stamp}{(n == 1 ? "" : "-" + n.ToString(CultureInfo.InvariantCulture))}.bak";
                try
                {
                    KeyFile.WritePrivate(backup, keyText, overwrite: false);
                    return backup;
                }
                catch (Edi2KeyException e) when (e.KeyReason == KeyErrorReason.FileExists)
                {
                    // Another run took this name meanwhile: the next one.
                }
            }
        }

        public void CommitPending(string keyText)
        {
            if (!File.Exists(PendingPath))
            {
                throw new IOException($"The pending key file '{PendingPath}' is gone; the key file '{Path}' was not replaced.");
            }
            AtomicFile.Replace(PendingPath, Path);
        }
    }
}
