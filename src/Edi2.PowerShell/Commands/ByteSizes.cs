using System.Globalization;

namespace Edi2.PowerShell.Commands
{
    /// <summary>Byte counts for people: bytes, KB or MB, one decimal, invariant culture.</summary>
    internal static class ByteSizes
    {
        public static string Format(long bytes) =>
            bytes >= 1 << 20 ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB"
            : bytes >= 1 << 10 ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB"
            : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
    }
}
