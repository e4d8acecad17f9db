namespace Edi2.Client.Tests.Files;

/// <summary>A fact about Unix file modes: skipped, with the reason, on Windows (files there inherit the folder's ACL).</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix file modes: on Windows Edi2's files inherit the folder's ACL.";
    }
}
