using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Edi2
{
    /// <summary>
    /// The one place Edi2 creates files and folders: saved messages, temporary and partial files, receive state, locks,
    /// the reservation ledger and key files. On Unix a file is created with mode 0600 and each folder Edi2 creates with
    /// 0700 (received messages are health data; the umask, usually 022, would let every local account read them). With
    /// <c>EDI2_FILE_MODE=group</c> data files are 0640 and folders 0750, for a service that shares the folder with its
    /// group (key files stay 0600). Folders that exist are left as they are. On Windows files and folders inherit the
    /// folder's ACL, as any file does; key files get their own owner-only ACL (<see cref="HelseId.KeyFile"/>).
    /// </summary>
    internal static class OwnerOnlyFiles
    {
        /// <summary>The environment variable that lets the group read what Edi2 writes: <c>owner</c> (the default) or <c>group</c>.</summary>
        public const string ModeVariable = "EDI2_FILE_MODE";

        private const int OwnerFile = 0x180;   // 0600
        private const int GroupFile = 0x1A0;   // 0640
        private const int OwnerFolder = 0x1C0; // 0700
        private const int GroupFolder = 0x1E8; // 0750

        private static readonly bool IsUnix = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        // .NET 7+ (PowerShell 7.4+, the only Unix host) creates a file with its mode in the same open(2), so it is never
        // readable by others, not even empty; netstandard2.0 does not declare these members, so they are found at run time.
        private static readonly Type? StreamOptionsType = Type.GetType("System.IO.FileStreamOptions");
        private static readonly Type? UnixFileModeType = Type.GetType("System.IO.UnixFileMode");
        private static readonly ConstructorInfo? StreamWithOptions =
            StreamOptionsType is null ? null : typeof(FileStream).GetConstructor(new[] { typeof(string), StreamOptionsType });
        private static readonly MethodInfo? CreateDirectoryWithMode =
            UnixFileModeType is null ? null : typeof(Directory).GetMethod(nameof(Directory.CreateDirectory), new[] { typeof(string), UnixFileModeType });

        /// <summary>Opens or creates <paramref name="path"/> as <see cref="FileStream"/> would; a file it creates gets the data (or, with <paramref name="secret"/>, key) mode.</summary>
        public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options, bool secret = false)
        {
            if (!IsUnix) return new FileStream(path, mode, access, share, bufferSize, options);
            int fileMode = FilePermissions(secret);
            if (StreamWithOptions != null && mode != System.IO.FileMode.Open && mode != System.IO.FileMode.Truncate)
            {
                object settings = Activator.CreateInstance(StreamOptionsType!)!;
                Set(settings, "Mode", mode);
                Set(settings, "Access", access);
                Set(settings, "Share", share);
                Set(settings, "BufferSize", bufferSize);
                Set(settings, "Options", options);
                Set(settings, "UnixCreateMode", Enum.ToObject(UnixFileModeType!, fileMode));
                return (FileStream)Unwrapped(() => StreamWithOptions.Invoke(new object[] { path, settings }))!;
            }
            bool existed = File.Exists(path);
            var stream = new FileStream(path, mode, access, share, bufferSize, options);
            if (!existed) Chmod(path, fileMode);
            return stream;
        }

        /// <summary>Creates <paramref name="path"/> and every missing folder above it, each with the folder mode; existing ones are untouched.</summary>
        public static void CreateDirectory(string path)
        {
            string full = Path.GetFullPath(path);
            if (!IsUnix || Directory.Exists(full))
            {
                Directory.CreateDirectory(full);
                return;
            }
            var missing = new Stack<string>();
            for (string? folder = full; !string.IsNullOrEmpty(folder) && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
            {
                missing.Push(folder!);
            }
            int mode = FolderPermissions();
            while (missing.Count > 0)
            {
                string folder = missing.Pop();
                if (CreateDirectoryWithMode != null)
                {
                    Unwrapped(() => CreateDirectoryWithMode.Invoke(null, new[] { folder, Enum.ToObject(UnixFileModeType!, mode) }));
                }
                else
                {
                    Directory.CreateDirectory(folder);
                    Chmod(folder, mode);
                }
            }
        }

        /// <summary>True when <see cref="ModeVariable"/> asks for group read.</summary>
        public static bool GroupMayRead
        {
            get
            {
                string? value = Environment.GetEnvironmentVariable(ModeVariable)?.Trim();
                if (string.IsNullOrEmpty(value) || value!.Equals("owner", StringComparison.OrdinalIgnoreCase)) return false;
                if (value.Equals("group", StringComparison.OrdinalIgnoreCase)) return true;
                throw new InvalidOperationException($"The environment variable {ModeVariable} is '{value}'; use 'owner' (files 0600, folders 0700, the default) or 'group' (0640 and 0750).");
            }
        }

        private static int FilePermissions(bool secret) => !secret && GroupMayRead ? GroupFile : OwnerFile;

        private static int FolderPermissions() => GroupMayRead ? GroupFolder : OwnerFolder;

        private static void Set(object target, string property, object value) => target.GetType().GetProperty(property)!.SetValue(target, value);

        // Reflection wraps what the member threw; the caller gets it as thrown (IOException, UnauthorizedAccessException).
        private static object? Unwrapped(Func<object?> call)
        {
            try
            {
                return call();
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }

        private static void Chmod(string path, int mode)
        {
            if (NativeChmod(path, mode) != 0)
            {
                throw new IOException($"Could not restrict '{path}' to its owner (chmod {Convert.ToString(mode, 8)} failed with errno {Marshal.GetLastWin32Error()}).");
            }
        }

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int NativeChmod(string path, int mode);
    }
}
