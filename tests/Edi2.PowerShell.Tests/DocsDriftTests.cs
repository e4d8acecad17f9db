using System.Text.RegularExpressions;
using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// docs/en-US against the cmdlet assembly as built (read as metadata, see <see cref="HelpRules"/> for the rules and the
/// platyPS type names): a page for every exported cmdlet and none for a cmdlet that does not exist; every parameter of
/// every parameter set documented with its type, sets, aliases, accepted values, Required, Position and pipeline input;
/// the syntax of every set; INPUTS and OUTPUTS; every about topic in platyPS's about format and named in README.md.
/// The second half breaks a real page in memory to show that each rule fails when the docs drift.
/// </summary>
[Collection(Assemblies.Collection)]
public sealed class DocsDriftTests
{
    private static IReadOnlyList<CmdletModel> Cmdlets => Assemblies.Module.Exported().ToList();

    private static string PagePath(string name) => Path.Combine(TestPaths.HelpFolder, name + ".md");

    /// <summary>Cmdlet pages: Verb-Noun.md (about topics and a module page are not cmdlet pages).</summary>
    private static List<string> CmdletPages() =>
        Directory.Exists(TestPaths.HelpFolder)
            ? Directory.GetFiles(TestPaths.HelpFolder, "*.md").Select(f => Path.GetFileNameWithoutExtension(f)!)
                .Where(n => n.Contains('-') && !n.StartsWith("about_", StringComparison.OrdinalIgnoreCase)).ToList()
            : [];

    private static List<string> AboutTopics() =>
        Directory.GetFiles(TestPaths.HelpFolder, "about_*.md").Select(f => Path.GetFileNameWithoutExtension(f)!).ToList();

    private static Func<CmdletParameter, ParameterFacts> FactsOf(CmdletModel c) => p => HelpRules.Facts(Assemblies.Module.Assembly, c, p);

    private static List<string> Check(CmdletModel c, string markdown) =>
        HelpRules.CheckPage(c, FactsOf(c), HelpMarkdown.Parse(markdown), HelpRules.HelpUri(Assemblies.Module.Assembly, c)).ToList();

    private static string ReadPage(string name) => File.ReadAllText(PagePath(name));

    // ---- the docs as they are ----

    [Fact]
    public void Every_exported_cmdlet_has_a_page_and_every_page_has_a_cmdlet() =>
        Assemblies.AssertNone(HelpRules.Coverage(Cmdlets.Select(c => c.Name), CmdletPages()).ToList());

    [Fact]
    public void Every_page_matches_its_cmdlet() =>
        Assemblies.AssertNone(Cmdlets.Where(c => File.Exists(PagePath(c.Name))).SelectMany(c => Check(c, ReadPage(c.Name))).ToList());

    [Fact]
    public void There_are_the_five_about_topics_in_platyPS_about_format()
    {
        Assert.Equal(
            ["about_Edi2", "about_Edi2_Authentication", "about_Edi2_Reservations", "about_Edi2_ScheduledScripts", "about_Edi2_Security"],
            AboutTopics().Order(StringComparer.Ordinal));
        Assemblies.AssertNone(AboutTopics().SelectMany(t => HelpRules.CheckAboutTopic(t, ReadPage(t))).ToList());
    }

    [Fact]
    public void README_names_every_about_topic() =>
        Assemblies.AssertNone(HelpRules.AboutTopicsInReadme(AboutTopics(), File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"))).ToList());

    /// <summary>The publish writes the MAML where PowerShell looks for the cmdlets' help: next to Edi2.PowerShell.dll, in en-US.</summary>
    [Fact]
    public void The_help_file_name_is_the_cmdlet_assembly_name_and_the_publish_writes_it_to_en_US()
    {
        Assert.Equal(HelpRules.HelpFileName, Path.GetFileName(TestPaths.CmdletAssembly) + "-Help.xml");
        Assert.True(File.Exists(Path.Combine(TestPaths.Module, "en-US", HelpRules.HelpFileName)), "the published module has no en-US/" + HelpRules.HelpFileName);
    }

    // ---- each rule fails when the docs drift (a real page, broken in memory) ----

    private static CmdletModel Connect => Cmdlets.Single(c => c.Name == "Connect-Edi2");

    private static string ConnectPage => ReadPage("Connect-Edi2");

    /// <summary>The text of one parameter's entry, from its heading to the next heading.</summary>
    private static string Entry(string page, string parameter) =>
        Regex.Match(page, @"(?ms)^### -" + parameter + @"\n.*?(?=^##)").Value;

    private static string ReplaceInEntry(string page, string parameter, string from, string to)
    {
        string entry = Entry(page, parameter);
        Assert.Contains(from, entry);
        return page.Replace(entry, entry.Replace(from, to));
    }

    [Fact]
    public void The_real_page_used_below_passes() => Assemblies.AssertNone(Check(Connect, ConnectPage));

    [Fact]
    public void A_cmdlet_without_a_page_or_a_page_without_a_cmdlet_is_found()
    {
        var names = Cmdlets.Select(c => c.Name).ToList();
        Assert.Equal(["Connect-Edi2: no docs/en-US/Connect-Edi2.md"], HelpRules.Coverage(names, names.Where(n => n != "Connect-Edi2")));
        Assert.Equal(["docs/en-US/Get-Edi2Nothing.md: there is no cmdlet Get-Edi2Nothing"], HelpRules.Coverage(names, names.Append("Get-Edi2Nothing")));
    }

    [Fact]
    public void A_wrong_type_is_found() =>
        Assert.Contains("Connect-Edi2: -ClientId: 'Type: Int32', the parameter is String",
            Check(Connect, ReplaceInEntry(ConnectPage, "ClientId", "Type: String", "Type: Int32")));

    [Fact]
    public void A_parameter_without_an_entry_is_found() =>
        Assert.Contains("Connect-Edi2: -KeyPassword has no '### -KeyPassword' under PARAMETERS",
            Check(Connect, ConnectPage.Replace(Entry(ConnectPage, "KeyPassword"), "")));

    [Fact]
    public void An_entry_for_a_parameter_the_cmdlet_lacks_is_found()
    {
        string extra = "### -ProgressAction\nHow progress is shown.\n\n```yaml\nType: ActionPreference\nParameter Sets: (All)\nAliases: proga\n\n" +
            "Required: False\nPosition: Named\nDefault value: None\nAccept pipeline input: False\nAccept wildcard characters: False\n```\n\n";
        var findings = Check(Connect, ConnectPage.Replace("### -Confirm", extra + "### -Confirm"));
        Assert.Contains("Connect-Edi2: documents -ProgressAction, which the cmdlet does not have", findings);
    }

    [Fact]
    public void WhatIf_and_Confirm_are_required_exactly_for_ShouldProcess_cmdlets()
    {
        Assert.Contains("Connect-Edi2: supports ShouldProcess, so PARAMETERS needs '### -WhatIf'",
            Check(Connect, ConnectPage.Replace(Entry(ConnectPage, "WhatIf"), "")));
        CmdletModel session = Cmdlets.Single(c => c.Name == "Get-Edi2Session");
        Assert.False(session.SupportsShouldProcess);
        string page = ReadPage("Get-Edi2Session");
        Assert.Contains("Get-Edi2Session: documents -Confirm, but the cmdlet does not support ShouldProcess",
            Check(session, page.Replace("### CommonParameters", Entry(ConnectPage, "Confirm") + "### CommonParameters")));
    }

    [Fact]
    public void A_parameter_set_that_is_missing_wrong_or_falsely_All_is_found()
    {
        Assert.Contains("Connect-Edi2: -KeyPath: 'Parameter Sets:' lists 'Jwk', which the parameter is not in",
            Check(Connect, ReplaceInEntry(ConnectPage, "KeyPath", "Parameter Sets: KeyPath", "Parameter Sets: Jwk")));
        Assert.Contains("Connect-Edi2: -KeyPath is in parameter set 'KeyPath', which its 'Parameter Sets:' do not list",
            Check(Connect, ReplaceInEntry(ConnectPage, "KeyPath", "Parameter Sets: KeyPath", "Parameter Sets: Jwk")));
        Assert.Contains("Connect-Edi2: -KeyPath: 'Parameter Sets: (All)', but it is only in KeyPath",
            Check(Connect, ReplaceInEntry(ConnectPage, "KeyPath", "Parameter Sets: KeyPath", "Parameter Sets: (All)")));
    }

    [Fact]
    public void Wrong_aliases_required_position_pipeline_and_accepted_values_are_found()
    {
        Assert.Contains("Connect-Edi2: -KeyPath: 'Aliases: Path', the parameter has Path, KeyFile",
            Check(Connect, ReplaceInEntry(ConnectPage, "KeyPath", "Aliases: Path, KeyFile", "Aliases: Path")));
        Assert.Contains("Connect-Edi2: -ClientId: 'Required: False', metadata says True",
            Check(Connect, ReplaceInEntry(ConnectPage, "ClientId", "Required: True", "Required: False")));
        Assert.Contains("Connect-Edi2: -ClientId: 'Position: Named', metadata says 0",
            Check(Connect, ReplaceInEntry(ConnectPage, "ClientId", "Position: 0", "Position: Named")));
        Assert.Contains("Connect-Edi2: -ClientId: 'Accept pipeline input: True (ByValue)', metadata says False",
            Check(Connect, ReplaceInEntry(ConnectPage, "ClientId", "Accept pipeline input: False", "Accept pipeline input: True (ByValue)")));
        Assert.Contains("Connect-Edi2: -Environment: 'Accepted values: Test, Production, Staging', the parameter accepts Test, Production",
            Check(Connect, ReplaceInEntry(ConnectPage, "Environment", "Accepted values: Test, Production", "Accepted values: Test, Production, Staging")));
    }

    [Fact]
    public void Syntax_that_lacks_a_parameter_or_a_set_is_found()
    {
        Assert.Contains("Connect-Edi2: SYNTAX 'KeyPath' lacks '-KeyPath <String>'",
            Check(Connect, ConnectPage.Replace(" -KeyPath <String>", "")));
        var withoutVault = Regex.Replace(ConnectPage, @"(?ms)^### Vault\n```.*?```\n\n", "");
        Assert.Contains(Check(Connect, withoutVault), f => f.StartsWith("Connect-Edi2: SYNTAX has ", StringComparison.Ordinal) && f.Contains("'### Vault'"));
    }

    [Fact]
    public void A_parameter_set_no_parameter_names_is_found()
    {
        // Connect-Edi2's default set (the key from EDI2_CLIENT_KEY) has no parameter of its own: with (All) everywhere
        // New-ExternalHelp would leave it out of SYNTAX.
        string allEverywhere = ConnectPage.Replace("Parameter Sets: EnvironmentVariable, KeyPath, Jwk, Certificate, CertificateThumbprint, Vault", "Parameter Sets: (All)");
        Assert.NotEqual(ConnectPage, allEverywhere);
        Assert.Contains(Check(Connect, allEverywhere), f => f.StartsWith("Connect-Edi2: no parameter names set 'EnvironmentVariable'", StringComparison.Ordinal));
    }

    [Fact]
    public void An_online_version_that_is_not_the_HelpUri_is_found() =>
        Assert.Contains("Connect-Edi2: front matter 'online version: https://example.org/Connect-Edi2', the cmdlet's HelpUri is https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Connect-Edi2.md",
            Check(Connect, Regex.Replace(ConnectPage, "(?m)^online version: .*$", "online version: https://example.org/Connect-Edi2")));

    [Fact]
    public void An_example_without_remarks_with_another_prompt_or_a_long_title_is_found()
    {
        string noRemarks = Regex.Replace(ConnectPage, @"(?m)^Reads the private JWK from the secret.*\n", "");
        Assert.Contains("Connect-Edi2: example 'Example 4: Connect with the key from a SecretManagement vault' has no remarks after its code", Check(Connect, noRemarks));
        string oldPrompt = ConnectPage.Replace("PS> Connect-Edi2 -ClientId 7f3c2a10-5b8e-4d0f-9a61-2c4e8b9d1f07 -Vault", @"PS C:\> Connect-Edi2 -ClientId 7f3c2a10-5b8e-4d0f-9a61-2c4e8b9d1f07 -Vault");
        Assert.Contains("Connect-Edi2: example 'Example 4: Connect with the key from a SecretManagement vault' does not start at a 'PS> ' prompt", Check(Connect, oldPrompt));
        string longTitle = ConnectPage.Replace("### Example 4: Connect with the key from a SecretManagement vault", "### Example 4: Connect with the key from a SecretManagement vault, as a string");
        Assert.Contains(Check(Connect, longTitle), f => f.Contains("Example 4: Connect with the key from a SecretManagement vault, as a string' has a title of 74 characters", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_sections_examples_and_outputs_are_found()
    {
        Assert.Contains(Check(Connect, ConnectPage.Replace("## NOTES\n", "")), f => f.StartsWith("Connect-Edi2: sections are ", StringComparison.Ordinal));
        string oneExample = Regex.Replace(ConnectPage, @"(?ms)^### Example 2.*?(?=^## PARAMETERS)", "");
        Assert.Contains(Check(Connect, oneExample), f => f.StartsWith("Connect-Edi2: 1 example(s)", StringComparison.Ordinal));
        Assert.Contains("Connect-Edi2: OUTPUTS lacks '### Edi2.Edi2Session' ([OutputType])",
            Check(Connect, ConnectPage.Replace("### Edi2.Edi2Session", "### Edi2.Model.Edi2Message")));
    }

    [Fact]
    public void An_about_topic_missing_from_README_or_in_the_wrong_format_is_found()
    {
        Assert.Equal(["README.md does not mention about_Edi2"],
            HelpRules.AboutTopicsInReadme(["about_Edi2", "about_Edi2_Authentication"], "See about_Edi2_Authentication."));
        Assert.Empty(HelpRules.AboutTopicsInReadme(["about_Edi2"], "Get-Help about_Edi2"));
        Assert.NotEmpty(HelpRules.CheckAboutTopic("about_Edi2", "# Edi2\n\n## about_Edi2_Other\n\n# SHORT DESCRIPTION\n\n# LONG DESCRIPTION\n"));
        Assert.NotEmpty(HelpRules.CheckAboutTopic("about_Edi2", "# Edi2\n\n## about_Edi2\n\n# LONG DESCRIPTION\n"));
        Assert.Empty(HelpRules.CheckAboutTopic("about_Edi2", "# Edi2\n\n## about_Edi2\n\n# SHORT DESCRIPTION\n\n# LONG DESCRIPTION\n"));
    }

    [Fact]
    public void Type_names_are_platyPS_names()
    {
        CmdletModel notification = Cmdlets.Single(c => c.Name == "Get-Edi2Notification");
        Assert.Equal("TimeSpan", FactsOf(notification)(notification.Parameter("Timeout")!).TypeName); // Nullable<TimeSpan>
        Assert.Equal("Int32[]", FactsOf(notification)(notification.Parameter("HerId")!).TypeName);
        Assert.Equal("SwitchParameter", FactsOf(notification)(notification.Parameter("Wait")!).TypeName);
        Assert.Equal("Edi2Session", FactsOf(notification)(notification.Parameter("Session")!).TypeName);
        Assert.Equal("X509Certificate2", FactsOf(Connect)(Connect.Parameter("Certificate")!).TypeName);
        Assert.Equal(["Ephemeral", "ClientKey"], FactsOf(Connect)(Connect.Parameter("DPoPKey")!).AcceptedValues);
        Assert.Equal("System.Collections.Generic.List`1[System.String]", HelpRules.PlatyPsTypeName(typeof(List<string>)));
        Assert.Equal("Guid", HelpRules.PlatyPsTypeName(typeof(Guid?)));
    }
}
