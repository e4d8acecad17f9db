using System.Reflection;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>What the build laid out under this project's output (see LayOutTestInputs in the csproj), and the repository.</summary>
internal static class TestPaths
{
    private static string Output => AppContext.BaseDirectory;

    /// <summary>The module as `dotnet publish src/Edi2.PowerShell` lays it out (what out/Edi2 is).</summary>
    public static string Module => Path.Combine(Output, "module", "Edi2");

    public static string CmdletAssembly => Path.Combine(Module, "Edi2.PowerShell.dll");

    public static string Dependencies => Path.Combine(Module, "dependencies");

    public static string Probe => Path.Combine(Output, "probe", "Edi2.IsolationProbe.dll");

    public static string Fixture => Path.Combine(Output, "fixture", "Edi2.PowerShell.TestFixture.dll");

    /// <summary>PowerShellStandard.Library's System.Management.Automation: a reference assembly, read as metadata only.</summary>
    public static string AutomationReference => Path.Combine(Output, "reference", "System.Management.Automation.dll");

    public static string RepoRoot { get; } = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Edi2.RepoRoot").Value!;

    public static string HelpFolder => Path.Combine(RepoRoot, "docs", "en-US");
}
