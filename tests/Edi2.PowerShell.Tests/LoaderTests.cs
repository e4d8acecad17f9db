using System.Net;
using System.Reflection;
using System.Reflection.Emit;
using Edi2.Loader;
using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>The loader's decisions, in this process. IsolationTests run the loading itself in fresh processes.</summary>
public sealed class LoaderTests
{
    [Theory]
    [InlineData("10.0.0.0", "10.0.0.0", true)]   // .NET 10's System.Text.Json for the shipped 10.0: the runtime's
    [InlineData("8.0.0.0", "4.0.1.2", true)]     // System.Memory on .NET 8: the runtime's, never the netstandard build
    [InlineData("8.0.0.0", "10.0.0.0", false)]   // System.Text.Json on PowerShell 7.4's .NET 8: the module's, privately
    [InlineData(null, "8.16.0.0", false)]        // not part of the runtime (Microsoft.IdentityModel.*): the module's
    public void The_runtime_copy_wins_only_when_it_is_at_least_as_new(string? runtime, string shipped, bool runtimeWins) =>
        Assert.Equal(runtimeWins, DependencyRules.FrameworkCopyWins(runtime is null ? null : Version.Parse(runtime), Version.Parse(shipped)));

    [Fact]
    public void The_private_context_takes_the_module_copy_when_the_runtime_copy_is_older()
    {
        string olderJson = WriteAssembly("System.Text.Json", new Version(8, 0, 0, 0));
        var context = new Edi2LoadContext(TestPaths.Dependencies, new Dictionary<string, string> { ["System.Text.Json"] = olderJson });
        Assert.True(context.LoadsPrivately("System.Text.Json"));
    }

    [Fact]
    public void The_private_context_defers_to_this_runtime_for_what_it_has_and_keeps_the_rest()
    {
        var context = new Edi2LoadContext(TestPaths.Dependencies, Edi2LoadContext.TrustedPlatformAssemblies());
        Assert.Equal(ModuleLoader.ContextName, context.Name);
        Assert.False(context.LoadsPrivately("System.Text.Json"));
        Assert.False(context.LoadsPrivately("System.Memory"));
        Assert.False(context.LoadsPrivately("System.Management.Automation")); // not shipped: PowerShell's own
        Assert.True(context.LoadsPrivately("Edi2.Client"));
        Assert.True(context.LoadsPrivately("Microsoft.IdentityModel.Tokens"));
        Assert.True(context.LoadsPrivately("Microsoft.Bcl.TimeProvider"));
    }

    [Theory]
    [InlineData("Edi2.Client", true)]
    [InlineData("Edi2.Client, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null", true)]
    [InlineData("Microsoft.IdentityModel.Tokens, Version=8.16.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35", true)]
    [InlineData("Not.Shipped", false)]
    [InlineData("../dependencies/Edi2.Client", false)]
    [InlineData("", false)]
    public void Only_files_in_the_dependencies_folder_are_served(string requested, bool served) =>
        Assert.Equal(served, DependencyRules.DependencyPath(TestPaths.Dependencies, DependencyRules.SimpleName(requested)) != null);

    [Fact]
    public void The_default_context_gets_the_engine_and_only_what_the_cmdlets_reference_privately()
    {
        var bridged = DependencyRules.BridgedAssemblyNames(
            ["netstandard", "System.Management.Automation", "Microsoft.Bcl.TimeProvider", "System.Memory"],
            name => name is "Microsoft.Bcl.TimeProvider" or "Microsoft.IdentityModel.Tokens");
        Assert.Equal(["Edi2.Client", "Microsoft.Bcl.TimeProvider"], bridged.Order());
    }

    [Fact]
    public void Assembly_references_are_read_from_metadata()
    {
        var references = ModuleLoader.ReadAssemblyReferences(TestPaths.Fixture).ToHashSet();
        Assert.Superset(new HashSet<string> { "Edi2.Client", "System.Management.Automation", "Microsoft.IdentityModel.Tokens", "System.Text.Json" }, references);
    }

    [Theory]
    [InlineData(SecurityProtocolType.Tls, SecurityProtocolType.Tls | SecurityProtocolType.Tls12)]
    [InlineData(SecurityProtocolType.Tls | SecurityProtocolType.Tls11, SecurityProtocolType.Tls | SecurityProtocolType.Tls11 | SecurityProtocolType.Tls12)]
    [InlineData(SecurityProtocolType.Tls12 | SecurityProtocolType.Tls13, SecurityProtocolType.Tls12 | SecurityProtocolType.Tls13)]
    [InlineData(SecurityProtocolType.SystemDefault, SecurityProtocolType.SystemDefault)]
    public void Windows_PowerShell_gets_TLS_1_2_unless_the_operating_system_chooses(SecurityProtocolType before, SecurityProtocolType after) =>
        Assert.Equal(after, DependencyRules.WithTls12(before));

    [Fact]
    public void A_module_folder_without_the_engine_is_refused()
    {
        string empty = Directory.CreateTempSubdirectory("edi2-empty-module-").FullName;
        var error = Assert.Throws<FileNotFoundException>(() => ModuleLoader.Initialize(empty));
        Assert.Contains("dependencies/Edi2.Client.dll is missing", error.Message);
        Assert.False(ModuleLoader.IsHooked);
    }

    /// <summary>Assemblies cannot be unloaded, so one process cannot use two copies of the module.</summary>
    [Fact]
    public void A_second_copy_of_the_module_in_the_same_process_is_refused_and_the_first_stays_usable()
    {
        string other = Directory.CreateTempSubdirectory("edi2-other-module-").FullName;
        Directory.CreateDirectory(Path.Combine(other, "dependencies"));
        File.Copy(Path.Combine(TestPaths.Dependencies, "Edi2.Client.dll"), Path.Combine(other, "dependencies", "Edi2.Client.dll"));

        ModuleLoader.Initialize(TestPaths.Module);
        try
        {
            ModuleLoader.Initialize(TestPaths.Module); // the same folder again: another runspace importing the module
            var error = Assert.Throws<InvalidOperationException>(() => ModuleLoader.Initialize(other));
            Assert.Contains(other, error.Message);
            Assert.Equal(Path.GetFullPath(TestPaths.Module).TrimEnd('/'), ModuleLoader.ModuleBase);
            ModuleLoader.Shutdown();
            Assert.True(ModuleLoader.IsHooked); // the first runspace still has it imported
        }
        finally
        {
            ModuleLoader.Shutdown();
        }
        Assert.False(ModuleLoader.IsHooked);
    }

    private static string WriteAssembly(string name, Version version)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(name) { Version = version }, typeof(object).Assembly);
        builder.DefineDynamicModule(name).DefineType(name + ".Stub", TypeAttributes.Public).CreateType();
        string path = Path.Combine(Directory.CreateTempSubdirectory("edi2-stub-").FullName, name + ".dll");
        builder.Save(path);
        return path;
    }
}
