using System;
using System.IO;

namespace Edi2.Workflows
{
    /// <summary>
    /// Names the file a file-system exception is about. <see cref="UnauthorizedAccessException"/> carries no path, so the
    /// engine records it in the exception's <see cref="Exception.Data"/> as the exception passes (an exception filter that
    /// returns false: nothing is caught, the stack trace stays), and the cmdlets make it the error's target.
    /// </summary>
    public static class FileErrors
    {
        private const string PathKey = "Edi2.Path";

        /// <summary>The file or folder the exception is about, if the engine named one.</summary>
        public static string? PathOf(Exception e) => e?.Data[PathKey] as string;

        /// <summary>Use as <c>catch (Exception e) when (FileErrors.Name(e, path))</c>: records the path, never catches.</summary>
        internal static bool Name(Exception e, string path)
        {
            if ((e is IOException || e is UnauthorizedAccessException) && !e.Data.Contains(PathKey)) e.Data[PathKey] = path;
            return false;
        }

        /// <summary>Creates <paramref name="folder"/> if missing (owner-only on Unix); a file of that name is an error that says so.</summary>
        internal static void EnsureFolder(string folder)
        {
            if (File.Exists(folder))
            {
                var e = new ArgumentException($"'{folder}' is a file, not a folder. Give a folder to save the messages in (it is created if missing).", nameof(folder));
                e.Data[PathKey] = folder;
                throw e;
            }
            try
            {
                OwnerOnlyFiles.CreateDirectory(folder);
            }
            catch (Exception e) when (Name(e, folder))
            {
                throw;
            }
        }
    }
}
