using System.Diagnostics;

namespace Edi2.Client.Tests.Files;

/// <summary>Another local account (<c>edi2-other</c>, made once with useradd) that tries to read what this one wrote.</summary>
internal static class SecondAccount
{
    public const string Name = "edi2-other";

    private static readonly Lazy<bool> Created = new(() =>
    {
        if (Run("id", "-u", Name).ExitCode != 0)
        {
            var added = Run(Tool("useradd")!, "--no-create-home", "--shell", "/usr/sbin/nologin", Name);
            if (added.ExitCode != 0 && Run("id", "-u", Name).ExitCode != 0) throw new InvalidOperationException("useradd failed: " + added.Output);
        }
        return true;
    });

    public static string? Tool(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs a command as the second account: exit code and what it printed.</summary>
    public static (int ExitCode, string Output) RunAs(params string[] command)
    {
        _ = Created.Value;
        return Run(Tool("runuser")!, ["-u", Name, "--", .. command]);
    }

    /// <summary>Adds the second account to a group (for the shared-folder mode).</summary>
    public static void JoinGroup(string group)
    {
        _ = Created.Value;
        var joined = Run(Tool("usermod") ?? "usermod", "-a", "-G", group, Name);
        if (joined.ExitCode != 0) throw new InvalidOperationException("usermod failed: " + joined.Output);
    }

    public static void EnsureGroup(string group)
    {
        if (Run("getent", "group", group).ExitCode == 0) return;
        var added = Run(Tool("groupadd") ?? "groupadd", group);
        if (added.ExitCode != 0 && Run("getent", "group", group).ExitCode != 0) throw new InvalidOperationException("groupadd failed: " + added.Output);
    }

    public static void Chgrp(string group, string path)
    {
        var changed = Run("chgrp", group, path);
        if (changed.ExitCode != 0) throw new InvalidOperationException("chgrp failed: " + changed.Output);
    }

    private static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
