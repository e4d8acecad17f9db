using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// The cmdlet surface of the built module, read from metadata: one test per rule, over whatever cmdlet classes the
/// assembly has (none yet is fine). CmdletRuleTests shows each rule failing on purpose-made bad samples.
/// </summary>
[Collection(Assemblies.Collection)]
public sealed class CmdletSurfaceTests
{
    private static IReadOnlyList<CmdletModel> Cmdlets => Assemblies.Module.Cmdlets;

    [Fact]
    public void Every_class_with_Cmdlet_is_public_and_concrete() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.IsPublicAndConcrete));

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb()
    {
        IReadOnlySet<string> approved = Assemblies.Module.ApprovedVerbs();
        Assemblies.AssertNone(Cmdlets.FindingsOf(c => CmdletRules.UsesApprovedVerb(c, approved)));
    }

    [Fact]
    public void Every_cmdlet_noun_starts_with_Edi2() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.NounStartsWithEdi2));

    [Fact]
    public void Every_cmdlet_declares_its_OutputType() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.DeclaresOutputType));

    [Fact]
    public void Cmdlets_that_change_state_support_ShouldProcess() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.SupportsShouldProcessWhenItChangesState));

    [Fact]
    public void Parameter_names_and_aliases_are_unique_including_the_common_parameters() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.HasUniqueParameterNames));

    [Fact]
    public void Parameter_sets_resolve_without_ambiguity() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.HasResolvableParameterSets));

    [Fact]
    public void Session_binds_by_property_name_wherever_it_exists() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.SessionBindsByPropertyName));

    [Fact]
    public void SURFACE_cmdlets_have_every_parameter_SURFACE_lists() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.HasSurfaceParameters));

    [Fact]
    public void SURFACE_identity_parameters_take_input_from_the_pipeline() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.IdentityBindsFromPipeline));

    [Fact]
    public void Remove_Edi2Reservation_has_ConfirmImpact_High() =>
        Assemblies.AssertNone(Cmdlets.FindingsOf(CmdletRules.HasSurfaceConfirmImpact));

    /// <summary>Checked once docs/en-US has any cmdlet page (Verb-Noun.md; about_ topics and the module page do not count).</summary>
    [Fact]
    public void Every_cmdlet_has_a_help_page_once_any_cmdlet_has_one()
    {
        var pages = CmdletHelpPages();
        if (pages.Count == 0) return;
        Assemblies.AssertNone(Assemblies.Module.Exported().Where(c => !pages.Contains(c.Name))
            .Select(c => $"{c}: no docs/en-US/{c}.md").ToList());
    }

    [Fact]
    public void No_help_page_describes_a_cmdlet_that_does_not_exist()
    {
        var cmdlets = Assemblies.Module.Exported().Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assemblies.AssertNone(CmdletHelpPages().Where(page => !cmdlets.Contains(page)).Select(page => $"docs/en-US/{page}.md: no such cmdlet").ToList());
    }

    private static HashSet<string> CmdletHelpPages() =>
        Directory.Exists(TestPaths.HelpFolder)
            ? Directory.GetFiles(TestPaths.HelpFolder, "*.md").Select(path => Path.GetFileNameWithoutExtension(path))
                .Where(name => name.Contains('-') && !name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                .ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
}
