using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// The cmdlet assembly lives in PowerShell's default context and the isolated assemblies only in the private one, so the
/// cmdlet assembly must neither show their types nor reference them (the engine's own types are fine).
/// </summary>
[Collection(Assemblies.Collection)]
public sealed class PublicSurfaceTests
{
    [Fact]
    public void The_cmdlet_assembly_exposes_no_isolated_type_publicly() =>
        Assemblies.AssertNone(PublicSurface.IsolatedTypesIn(Assemblies.Module.Assembly).ToList());

    /// <summary>A reference would be resolved in the default context, where another module's version (or none) is.</summary>
    [Fact]
    public void The_cmdlet_assembly_references_no_isolated_assembly() =>
        Assemblies.AssertNone(Assemblies.Module.Assembly.GetReferencedAssemblies().Select(r => r.Name!)
            .Where(PublicSurface.IsIsolated).Select(name => "Edi2.PowerShell references " + name).ToList());

    [Fact]
    public void The_public_surface_check_finds_isolated_types_wherever_they_show()
    {
        var findings = PublicSurface.IsolatedTypesIn(Assemblies.Fixture.Assembly).ToList();
        const string ns = "Edi2.PowerShell.TestFixture.";
        Assert.Contains(findings, f => f.StartsWith(ns + "LeakyProperty: property Key uses Microsoft.IdentityModel.Tokens.SecurityKey"));
        Assert.Contains(findings, f => f.StartsWith(ns + "LeakyMethod: method Parse returns uses System.Text.Json.JsonDocument"));
        Assert.Contains(findings, f => f.StartsWith(ns + "LeakyBase: base type uses System.Text.Json.Serialization.JsonConverterFactory"));
        Assert.Contains(findings, f => f.StartsWith(ns + "LeakyAttribute: attribute uses System.Text.Json.JsonElement"));
        Assert.DoesNotContain(findings, f => f.StartsWith(ns + "NotLeaky") || f.StartsWith(ns + "GetEdi2WidgetCommand"));
        Assert.Contains("Microsoft.IdentityModel.Tokens", Assemblies.Fixture.Assembly.GetReferencedAssemblies().Select(r => r.Name));
    }
}
