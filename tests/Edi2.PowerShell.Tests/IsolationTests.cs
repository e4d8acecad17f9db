using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edi2.Loader;
using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// On PowerShell 7 the engine and its dependencies load into the private "Edi2" context, so Edi2 works next to modules
/// that loaded another Microsoft.IdentityModel first. Each run is a fresh process (Edi2.IsolationProbe) doing what
/// Edi2.psm1 does with the laid-out module, on .NET 10, the runtime family of PowerShell 7.
/// </summary>
public sealed class IsolationTests
{
    private static readonly string[] IdentityModel =
        ["Microsoft.IdentityModel.Tokens", "Microsoft.IdentityModel.JsonWebTokens", "Microsoft.IdentityModel.Logging", "Microsoft.IdentityModel.Abstractions"];

    [Theory]
    [InlineData("file")]
    [InlineData("dynamic")]
    public void Engine_and_IdentityModel_load_privately_next_to_a_conflicting_IdentityModel_loaded_first(string stub)
    {
        ProbeRun run = ProbeRun.Start("--stub", stub, "--loader", "core");
        Assert.Null(run.Failure);

        AssertFromDependencies("Edi2.Client", run.Loaded("Edi2.Client"), "Edi2");
        foreach (string name in IdentityModel)
        {
            AssertFromDependencies(name, run.Loaded(name).Where(a => a.Version == ShippedVersion(name)).ToList(), "Edi2");
        }
        // Discovery and the token request of the connect ran through it.
        AssertFromDependencies("Duende.IdentityModel", run.Loaded("Duende.IdentityModel"), "Edi2");
        // The other module's copy is still the only one the default context has, and still what it resolves.
        var defaultCopy = Assert.Single(run.Loaded("Microsoft.IdentityModel.Tokens"), a => a.Context == "Default");
        Assert.Equal("1.0.0.0", defaultCopy.Version);
        Assert.Equal(run.Report["stub"]!["location"]!.GetValue<string>(), defaultCopy.Location);
        if (stub == "file") Assert.Equal("1.0.0.0", run.FromDefault("Microsoft.IdentityModel.Tokens")["version"]?.GetValue<string>());

        AssertSignedAndVerified(run);
        Assert.Single(run.Contexts, c => c == "Edi2");
    }

    /// <summary>The control for the test above: the stub is a real conflict, which only the private context avoids.</summary>
    [Fact]
    public void Without_a_private_context_the_conflicting_IdentityModel_breaks_the_engine()
    {
        ProbeRun run = ProbeRun.Start("--stub", "file", "--loader", "desktop");
        Assert.NotNull(run.Failure);
        Assert.Contains("FileLoadException", run.Failure);
        Assert.Contains("Microsoft.IdentityModel.Tokens, Version=" + ShippedVersion("Microsoft.IdentityModel.Tokens"), run.Failure);
        Assert.Null(run.Signing);
    }

    /// <summary>
    /// The default context (the cmdlet assembly, or any other module) gets from Edi2's context only the engine and what
    /// the cmdlet assembly itself references; the runtime's own assemblies stay the runtime's; the rest, Microsoft.IdentityModel
    /// above all, it does not get at all. Computed for whatever the cmdlet assembly references today.
    /// </summary>
    [Fact]
    public void The_default_context_gets_only_the_engine_and_what_the_cmdlets_reference()
    {
        ProbeRun run = ProbeRun.Start("--stub", "none", "--loader", "core");
        Assert.Null(run.Failure);
        AssertSignedAndVerified(run);
        var cmdletReferences = ModuleLoader.ReadAssemblyReferences(TestPaths.CmdletAssembly).Append("Edi2.Client").ToHashSet();
        var runtime = Edi2LoadContext.TrustedPlatformAssemblies();
        foreach (string file in Directory.GetFiles(TestPaths.Dependencies, "*.dll"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            JsonObject got = run.FromDefault(name);
            bool runtimeHasIt = runtime.TryGetValue(name, out string? runtimeCopy)
                && DependencyRules.FrameworkCopyWins(DependencyRules.VersionOf(runtimeCopy), DependencyRules.VersionOf(file));
            if (runtimeHasIt)
            {
                Assert.Equal((name, "Default", runtimeCopy), (name, got["context"]?.GetValue<string>(), got["location"]?.GetValue<string>()));
            }
            else if (cmdletReferences.Contains(name))
            {
                Assert.Equal((name, "Edi2", file), (name, got["context"]?.GetValue<string>(), got["location"]?.GetValue<string>()));
            }
            else
            {
                Assert.Equal((name, "FileNotFoundException"), (name, got["error"]?.GetValue<string>()));
            }
        }
        Assert.Equal("FileNotFoundException", run.FromDefault("Microsoft.IdentityModel.Tokens")["error"]?.GetValue<string>());
        foreach (string name in IdentityModel)
        {
            Assert.All(run.Loaded(name), a => Assert.Equal("Edi2", a.Context));
        }
        AssertFromDependencies("Duende.IdentityModel", run.Loaded("Duende.IdentityModel"), "Edi2");
        Assert.Equal("Default", Assert.Single(run.Loaded("Edi2.PowerShell")).Context);
        Assert.Equal("Default", Assert.Single(run.Loaded("Edi2.Loader")).Context);
    }

    /// <summary>
    /// Framework assemblies stay the runtime's when it has them in at least the shipped version (one ReadOnlyMemory&lt;T&gt;
    /// for everybody); only an older runtime copy (System.Text.Json on PowerShell 7.4's .NET 8) is replaced privately.
    /// LoaderTests covers that case; this runtime is .NET 10.
    /// </summary>
    [Theory]
    [InlineData("System.Text.Json")]
    [InlineData("System.Memory")]
    public void Framework_assemblies_come_from_the_runtime_when_its_copy_is_new_enough(string name)
    {
        ProbeRun run = ProbeRun.Start("--stub", "none", "--loader", "core");
        Assert.Null(run.Failure);
        AssertFromDependencies("Edi2.Client", run.Loaded("Edi2.Client"), "Edi2");
        AssertSignedAndVerified(run);
        Version shipped = AssemblyName.GetAssemblyName(Path.Combine(TestPaths.Dependencies, name + ".dll")).Version!;
        Version runtime = (name == "System.Text.Json" ? typeof(JsonSerializer) : typeof(Memory<>)).Assembly.GetName().Version!;
        var loaded = Assert.Single(run.Loaded(name));
        if (runtime >= shipped)
        {
            Assert.Equal("Default", loaded.Context);
            Assert.DoesNotContain(TestPaths.Dependencies, loaded.Location);
        }
        else
        {
            AssertFromDependencies(name, [loaded], "Edi2");
        }
    }

    [Fact]
    public void Without_the_loader_the_engine_is_not_found()
    {
        ProbeRun run = ProbeRun.Start("--loader", "none");
        Assert.Null(run.Failure);
        Assert.Equal("FileNotFoundException", run.Engine["error"]?.GetValue<string>());
        Assert.Empty(run.Loaded("Microsoft.IdentityModel.Tokens"));
    }

    [Fact]
    public void Remove_Module_unhooks_the_loader_and_a_new_import_hooks_it_again()
    {
        ProbeRun run = ProbeRun.Start("--loader", "core", "--shutdown-cycle");
        Assert.Null(run.Failure);
        Assert.Equal("FileNotFoundException", run.Report["engineAfterShutdown"]?["error"]?.GetValue<string>());
        AssertFromDependencies("Edi2.Client", run.Loaded("Edi2.Client"), "Edi2");
        AssertSignedAndVerified(run);
        Assert.Single(run.Contexts, c => c == "Edi2");
    }

    /// <summary>
    /// Windows PowerShell's loader (netstandard2.0, AssemblyResolve) run on .NET 10: it serves the engine and its
    /// dependencies from dependencies/. No isolation there, by design; .NET Framework itself is not available here.
    /// </summary>
    [Fact]
    public void The_Windows_PowerShell_loader_serves_the_engine_and_its_dependencies_from_the_dependencies_folder()
    {
        ProbeRun run = ProbeRun.Start("--stub", "none", "--loader", "desktop");
        Assert.Null(run.Failure);
        AssertFromDependencies("Edi2.Client", run.Loaded("Edi2.Client"), "Default");
        AssertFromDependencies("Microsoft.IdentityModel.Tokens", run.Loaded("Microsoft.IdentityModel.Tokens"), "Default");
        AssertSignedAndVerified(run);
        Assert.DoesNotContain("Edi2", run.Contexts);
    }

    private static string ShippedVersion(string name) =>
        AssemblyName.GetAssemblyName(Path.Combine(TestPaths.Dependencies, name + ".dll")).Version!.ToString();

    private static void AssertFromDependencies(string name, List<(string Version, string Context, string Location)> loaded, string context)
    {
        var copy = Assert.Single(loaded);
        Assert.Equal(context, copy.Context);
        Assert.Equal(Path.Combine(TestPaths.Dependencies, name + ".dll"), copy.Location);
    }

    /// <summary>The engine signed a client assertion and DPoP proofs (ES256), and the BCL alone verifies them.</summary>
    private static void AssertSignedAndVerified(ProbeRun run)
    {
        JsonObjectAssert(run.Signing, "clientAssertionVerifies", true);
        JsonObjectAssert(run.Signing, "tokenRequestProofVerifies", true);
        JsonObjectAssert(run.Signing, "apiProofVerifies", true);
        JsonObjectAssert(run.Signing, "tamperedApiProofVerifies", false);
        Assert.Equal("ES256", run.Signing!["apiProofAlgorithm"]!.GetValue<string>());
    }

    private static void JsonObjectAssert(JsonObject? signing, string key, bool expected)
    {
        Assert.NotNull(signing);
        Assert.Equal(expected, signing[key]!.GetValue<bool>());
    }
}
