using System.Runtime.InteropServices;
using Edi2.Loader;
using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>What `dotnet publish src/Edi2.PowerShell` lays out: the folder Import-Module reads.</summary>
public sealed class ModuleLayoutTests
{
    /// <summary>PowerShell probes next to the cmdlet assembly: an engine or dependency there would load without the loader.</summary>
    [Fact]
    public void Only_the_cmdlet_assembly_is_at_the_module_root()
    {
        Assert.Equal(["Edi2.PowerShell.dll"], Directory.GetFiles(TestPaths.Module, "*.dll").Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(TestPaths.Module, "*.json"));
    }

    [Fact]
    public void The_engine_and_its_dependencies_are_in_the_dependencies_folder()
    {
        string[] shipped = Directory.GetFiles(TestPaths.Dependencies, "*.dll").Select(f => Path.GetFileNameWithoutExtension(f)!).ToArray();
        Assert.Superset(
            new HashSet<string> { "Edi2.Client", "Microsoft.IdentityModel.Tokens", "Microsoft.IdentityModel.JsonWebTokens", "System.Text.Json", "Microsoft.Bcl.TimeProvider" },
            shipped.ToHashSet());
        Assert.DoesNotContain("Edi2.PowerShell", shipped);
        Assert.DoesNotContain("System.Management.Automation", shipped);
        Assert.DoesNotContain("Edi2.Loader", shipped);
    }

    /// <summary>The loader lives in PowerShell's default context, so anything it referenced would be shared with every module.</summary>
    [Theory]
    [InlineData("net8.0")]
    [InlineData("netstandard2.0")]
    public void The_loader_is_laid_out_for_each_edition_and_references_only_the_framework(string framework)
    {
        string loader = Path.Combine(TestPaths.Module, "loader", framework, "Edi2.Loader.dll");
        Assert.True(File.Exists(loader), loader + " is missing");
        var runtime = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll").Select(Path.GetFileNameWithoutExtension).Append("netstandard").ToHashSet();
        Assert.All(ModuleLoader.ReadAssemblyReferences(loader), name => Assert.Contains(name, runtime));
    }

    [Fact]
    public void The_root_module_loads_the_files_the_layout_has()
    {
        string psm1 = File.ReadAllText(Path.Combine(TestPaths.Module, "Edi2.psm1"));
        Assert.Contains("'Edi2.PowerShell.dll'", psm1);
        Assert.Contains("'loader'", psm1);
        Assert.Contains("'Edi2.Loader.dll'", psm1);
        foreach (string framework in new[] { "net8.0", "netstandard2.0" })
        {
            Assert.Contains($"'{framework}'", psm1);
        }
        Assert.Contains("[Edi2.Loader.ModuleLoader]::Initialize($PSScriptRoot)", psm1);
        Assert.Contains("[Edi2.Loader.ModuleLoader]::Shutdown()", psm1);
    }
}
