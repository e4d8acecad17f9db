namespace Edi2.PowerShell.Tests.Support;

/// <summary>
/// The assemblies the tests read as metadata, each opened once per test run. A MetadataLoadContext resolves lazily and
/// is not safe for concurrent use, so every test class that reads one is in the <see cref="Collection"/> collection.
/// </summary>
internal static class Assemblies
{
    public const string Collection = "Assemblies read as metadata";

    private static readonly Lazy<AssemblyMetadata> ModuleMetadata = new(() => new AssemblyMetadata(TestPaths.CmdletAssembly));
    private static readonly Lazy<AssemblyMetadata> FixtureMetadata = new(() => new AssemblyMetadata(TestPaths.Fixture));

    /// <summary>The real cmdlet assembly, as laid out in the module.</summary>
    public static AssemblyMetadata Module => ModuleMetadata.Value;

    /// <summary>The sample cmdlets of Edi2.PowerShell.TestFixture, some of which break the rules on purpose.</summary>
    public static AssemblyMetadata Fixture => FixtureMetadata.Value;

    /// <summary>What PowerShell exports: public, concrete classes with [Cmdlet].</summary>
    public static IEnumerable<CmdletModel> Exported(this AssemblyMetadata assembly) => assembly.Cmdlets.Where(c => c.IsPublicConcrete);

    public static List<string> FindingsOf(this IEnumerable<CmdletModel> cmdlets, Func<CmdletModel, IEnumerable<string>> rule) =>
        cmdlets.SelectMany(rule).ToList();

    public static void AssertNone(List<string> findings) =>
        Assert.True(findings.Count == 0, "\n" + string.Join("\n", findings));
}
