namespace Edi2.Client.Tests.Files;

/// <summary>
/// A fact that needs a second local account on Linux: root (to run useradd and runuser, as the sessions and CI do) and
/// both tools. Skipped, with the reason, elsewhere.
/// </summary>
public sealed class SecondAccountFactAttribute : FactAttribute
{
    public SecondAccountFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Needs Linux (useradd, runuser).";
        else if (Environment.UserName != "root") Skip = $"Needs root to add a second account with useradd; this runs as '{Environment.UserName}'.";
        else if (SecondAccount.Tool("useradd") is null || SecondAccount.Tool("runuser") is null) Skip = "useradd or runuser is not installed.";
    }
}
