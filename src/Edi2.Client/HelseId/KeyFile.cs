using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;
using System.Text;
using Edi2.Workflows;

namespace Edi2.HelseId
{
    /// <summary>Writes a private key where only the current user can read it: mode 0600 on Unix (<see cref="OwnerOnlyFiles"/>, from the moment it exists), an owner-only ACL on Windows.</summary>
    public static class KeyFile
    {
        public static void WritePrivate(string path, string content, bool overwrite)
        {
            string full = Path.GetFullPath(path);
            if (File.Exists(full) && !overwrite)
            {
                throw new Edi2KeyException(KeyErrorReason.FileExists, $"Key file '{full}' already exists; use -Force to replace it (the old key is lost).", full);
            }
            string? folder = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                throw new Edi2KeyException(KeyErrorReason.FileNotFound, $"The folder '{folder}' does not exist.", folder);
            }

            // Protect an empty file first, then write: the key never sits in a file others can read. Then one rename
            // (AtomicFile): a reader, or a crash, sees the old key or the new one, never half of one.
            string temporary = AtomicFile.TemporaryPathFor(full);
            try
            {
                // Created 0600 on Unix (OwnerOnlyFiles); on Windows the owner-only ACL is set before the first byte.
                using (OwnerOnlyFiles.Open(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None, secret: true)) { }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) ProtectOnWindows(temporary);
                using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    byte[] bytes = new UTF8Encoding(false).GetBytes(content);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                    Array.Clear(bytes, 0, bytes.Length);
                }
                if (overwrite)
                {
                    AtomicFile.Replace(temporary, full);
                }
                else if (!AtomicFile.MoveIfAbsent(temporary, full))
                {
                    throw new Edi2KeyException(KeyErrorReason.FileExists, $"Key file '{full}' already exists; use -Force to replace it (the old key is lost).", full);
                }
            }
            catch
            {
                AtomicFile.TryDelete(temporary);
                throw;
            }
        }

        private static void ProtectOnWindows(string path)
        {
            var security = new FileSecurity();
            security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            var user = WindowsIdentity.GetCurrent().User!;
            security.SetOwner(user);
            security.AddAccessRule(new FileSystemAccessRule(user, FileSystemRights.FullControl, AccessControlType.Allow));
            new FileInfo(path).SetAccessControl(security);
        }
    }
}
