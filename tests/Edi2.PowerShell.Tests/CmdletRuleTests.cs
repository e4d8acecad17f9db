using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// The surface rules can fail: run over the sample cmdlets of Edi2.PowerShell.TestFixture, each rule flags exactly the
/// samples made to break it, and the well-made samples break none.
/// </summary>
[Collection(Assemblies.Collection)]
public sealed class CmdletRuleTests
{
    private static IReadOnlyList<CmdletModel> Samples => Assemblies.Fixture.Cmdlets;

    private static CmdletModel Sample(string name) => Samples.Single(c => c.Name == name);

    private static List<string> Flagged(Func<CmdletModel, IEnumerable<string>> rule) =>
        Samples.Where(c => rule(c).Any()).Select(c => c.Name).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Metadata_reader_sees_what_the_attributes_say()
    {
        CmdletModel get = Sample("Get-Edi2Widget");
        Assert.Equal("Edi2.PowerShell.TestFixture.GetEdi2WidgetCommand", get.TypeName);
        Assert.True(get.IsPublicConcrete);
        Assert.False(get.SupportsShouldProcess);
        Assert.Equal("ById", get.DefaultParameterSet);
        Assert.Equal(["Edi2.Edi2Session"], get.OutputTypes);
        Assert.Equal(["Get-Edi2Gadget"], get.Aliases);
        Assert.Equal("System.Guid", get.Parameter("Id")!.TypeName);
        Assert.Equal([new ParameterSetEntry("ById", true, 0, true, true)], get.Parameter("Id")!.Entries);
        Assert.Equal(["WidgetName"], get.Parameter("Name")!.Aliases);
        Assert.Equal([new ParameterSetEntry(CmdletModel.AllSets, false, null, false, true)], get.Parameter("Session")!.Entries);
        Assert.Equal("Edi2.Edi2Session", get.Parameter("Session")!.TypeName);

        CmdletModel remove = Sample("Remove-Edi2Reservation");
        Assert.True(remove.SupportsShouldProcess);
        Assert.Equal("Medium", remove.ConfirmImpact);
        Assert.Equal("System.Int32[]", remove.Parameter("HerId")!.TypeName);
        Assert.Equal("Medium", Sample("Remove-Edi2Widget").ConfirmImpact); // PowerShell's default when unset
        Assert.True(Sample("Get-Edi2Notification").SupportsPaging);
        Assert.False(Sample("Get-Edi2Hidden").IsPublicConcrete);
    }

    [Fact]
    public void Approved_verbs_are_read_from_System_Management_Automation()
    {
        IReadOnlySet<string> verbs = Assemblies.Fixture.ApprovedVerbs();
        Assert.Superset(new HashSet<string> { "Get", "Set", "Remove", "New", "Connect", "Disconnect", "Invoke", "Test", "Send", "Receive", "Confirm", "Save" }, verbs.ToHashSet());
        Assert.DoesNotContain("Frobnicate", verbs);
        Assert.InRange(verbs.Count, 90, 120);
    }

    [Fact]
    public void Well_made_samples_break_no_rule()
    {
        IReadOnlySet<string> verbs = Assemblies.Fixture.ApprovedVerbs();
        foreach (string name in new[] { "Get-Edi2Widget", "Get-Edi2Notification" })
        {
            CmdletModel c = Sample(name);
            Assemblies.AssertNone(AllRules(verbs).SelectMany(rule => rule(c)).ToList());
        }
    }

    [Fact]
    public void Only_a_public_concrete_class_counts_as_a_cmdlet() =>
        Assert.Equal(["Get-Edi2Hidden"], Flagged(CmdletRules.IsPublicAndConcrete));

    [Fact]
    public void An_unapproved_verb_is_flagged()
    {
        IReadOnlySet<string> verbs = Assemblies.Fixture.ApprovedVerbs();
        Assert.Equal(["Frobnicate-Edi2Widget"], Flagged(c => CmdletRules.UsesApprovedVerb(c, verbs)));
    }

    [Fact]
    public void A_noun_without_the_Edi2_prefix_is_flagged() =>
        Assert.Equal(["Get-Gadget"], Flagged(CmdletRules.NounStartsWithEdi2));

    [Fact]
    public void A_cmdlet_without_OutputType_is_flagged() =>
        Assert.Equal(["Remove-Edi2Widget"], Flagged(CmdletRules.DeclaresOutputType));

    [Fact]
    public void A_state_changing_verb_without_ShouldProcess_is_flagged() =>
        Assert.Equal(["Remove-Edi2Widget"], Flagged(CmdletRules.SupportsShouldProcessWhenItChangesState));

    [Fact]
    public void A_parameter_alias_taken_from_a_common_parameter_is_flagged()
    {
        Assert.Equal(["Set-Edi2Widget"], Flagged(CmdletRules.HasUniqueParameterNames));
        Assert.Contains("'ea' of the common parameter -ErrorAction", Assert.Single(CmdletRules.HasUniqueParameterNames(Sample("Set-Edi2Widget"))));
    }

    [Fact]
    public void Parameter_sets_PowerShell_cannot_resolve_are_flagged()
    {
        Assert.Equal(["Set-Edi2Widget", "Test-Edi2Widget"], Flagged(CmdletRules.HasResolvableParameterSets));

        var set = CmdletRules.HasResolvableParameterSets(Sample("Set-Edi2Widget")).ToList();
        Assert.Equal(2, set.Count);
        Assert.Contains(set, f => f.Contains("in parameter set 'A', -Alpha and -AlsoFirst all have position 0"));
        Assert.Contains(set, f => f.Contains("a call with no parameters fits parameter sets 'A', 'B' and none is the default"));

        string test = Assert.Single(CmdletRules.HasResolvableParameterSets(Sample("Test-Edi2Widget")));
        Assert.Contains("only positional values (0:System.String) fits parameter sets 'LiteralPath', 'Path'", test);
    }

    [Fact]
    public void A_Session_that_does_not_bind_by_property_name_is_flagged() =>
        Assert.Equal(["Set-Edi2Widget"], Flagged(CmdletRules.SessionBindsByPropertyName));

    [Fact]
    public void A_SURFACE_cmdlet_missing_a_listed_parameter_is_flagged()
    {
        Assert.Equal(["Confirm-Edi2Message"], Flagged(CmdletRules.HasSurfaceParameters));
        Assert.Contains("-ReceiverHerId", Assert.Single(CmdletRules.HasSurfaceParameters(Sample("Confirm-Edi2Message"))));
    }

    [Fact]
    public void A_SURFACE_identity_parameter_that_ignores_the_pipeline_is_flagged() =>
        Assert.Equal(["Confirm-Edi2Message"], Flagged(CmdletRules.IdentityBindsFromPipeline));

    [Fact]
    public void A_SURFACE_cmdlet_with_another_ConfirmImpact_is_flagged() =>
        Assert.Equal(["Remove-Edi2Reservation"], Flagged(CmdletRules.HasSurfaceConfirmImpact));

    private static IEnumerable<Func<CmdletModel, IEnumerable<string>>> AllRules(IReadOnlySet<string> verbs) =>
    [
        CmdletRules.IsPublicAndConcrete, c => CmdletRules.UsesApprovedVerb(c, verbs), CmdletRules.NounStartsWithEdi2,
        CmdletRules.DeclaresOutputType, CmdletRules.SupportsShouldProcessWhenItChangesState, CmdletRules.HasUniqueParameterNames,
        CmdletRules.HasResolvableParameterSets, CmdletRules.SessionBindsByPropertyName, CmdletRules.HasSurfaceParameters,
        CmdletRules.IdentityBindsFromPipeline, CmdletRules.HasSurfaceConfirmImpact,
    ];
}
