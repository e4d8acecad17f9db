using System.Xml.Linq;
using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>The laid-out Edi2.psd1 (what Import-Module reads) against the cmdlet assembly, the layout and the version.</summary>
[Collection(Assemblies.Collection)]
public sealed class ManifestTests
{
    private static Psd1 Manifest => Psd1.Load(TestPaths.LaidOutManifest);

    [Fact]
    public void CmdletsToExport_is_exactly_the_cmdlets_the_assembly_defines()
    {
        IReadOnlyList<string> listed = Manifest.List("CmdletsToExport") ?? throw new Xunit.Sdk.XunitException("CmdletsToExport is missing");
        Assert.DoesNotContain("*", listed);
        Assert.Equal(
            Assemblies.Module.Exported().Select(c => c.Name).Order(StringComparer.OrdinalIgnoreCase),
            listed.Order(StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void No_functions_or_variables_are_exported_and_aliases_only_those_the_cmdlets_declare()
    {
        Assert.Equal([], Manifest.List("FunctionsToExport"));
        Assert.Equal([], Manifest.List("VariablesToExport"));
        Assert.Equal(
            Assemblies.Module.Exported().SelectMany(c => c.Aliases).Order(StringComparer.OrdinalIgnoreCase),
            (Manifest.List("AliasesToExport") ?? []).Order(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>PowerShell loads NestedModules and RequiredAssemblies before the root module, so before the loader.</summary>
    [Fact]
    public void Nothing_loads_before_the_root_module_runs_the_loader()
    {
        Assert.Equal("Edi2.psm1", Manifest.Value("RootModule"));
        Assert.False(Manifest.Has("NestedModules"), "NestedModules would load before Edi2.psm1");
        Assert.False(Manifest.Has("RequiredAssemblies"), "RequiredAssemblies would load before Edi2.psm1");
    }

    [Fact]
    public void Every_file_the_manifest_names_is_in_the_layout()
    {
        var named = new[] { "RootModule", "FormatsToProcess", "TypesToProcess" }
            .SelectMany(key => Manifest.List(key) ?? []);
        Assemblies.AssertNone(named.Where(file => !File.Exists(Path.Combine(TestPaths.Module, file)))
            .Select(file => $"{file} is named in the manifest but is not in the module").ToList());
    }

    [Fact]
    public void The_laid_out_manifest_has_the_ModuleVersion_of_Directory_Build_props()
    {
        string version = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props")).Descendants("ModuleVersion").Single().Value;
        Assert.Equal(version, Manifest.Value("ModuleVersion"));
        Assert.DoesNotContain("{{", File.ReadAllText(TestPaths.LaidOutManifest));
    }

    [Fact]
    public void The_laid_out_manifest_is_the_source_manifest_with_only_the_version_stamped()
    {
        string version = Manifest.Value("ModuleVersion")!;
        Assert.Equal(
            File.ReadAllText(TestPaths.SourceManifest).Replace("{{ModuleVersion}}", version).TrimEnd(),
            File.ReadAllText(TestPaths.LaidOutManifest).TrimEnd());
    }
}
