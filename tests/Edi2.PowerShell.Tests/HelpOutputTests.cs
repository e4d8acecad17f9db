using System.Xml.Linq;
using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// The help the publish generates from docs/en-US (Edi2.HelpBuilder, target WriteModuleHelp), as laid out in the module
/// under this project's output, against the cmdlet assembly read as metadata (rules in <see cref="HelpMaml"/>). The second
/// half breaks the real MAML in memory to show that each rule fails.
/// </summary>
[Collection(Assemblies.Collection)]
public sealed class HelpOutputTests
{
    private static IReadOnlyList<CmdletModel> Cmdlets => Assemblies.Module.Exported().ToList();

    private static string HelpFolder => Path.Combine(TestPaths.Module, "en-US");

    private static XDocument Maml() => XDocument.Load(Path.Combine(HelpFolder, HelpRules.HelpFileName));

    private static List<string> Check(XDocument maml) =>
        HelpMaml.Check(maml, Cmdlets, c => HelpRules.HelpUri(Assemblies.Module.Assembly, c)).ToList();

    private static List<string> AboutTopics() =>
        Directory.GetFiles(TestPaths.HelpFolder, "about_*.md").Select(f => Path.GetFileNameWithoutExtension(f)!).ToList();

    private static XElement CommandOf(XDocument maml, string name) =>
        maml.Root!.Elements(HelpMaml.Command + "command").Single(c => c.Descendants(HelpMaml.Command + "name").First().Value == name);

    [Fact]
    public void The_MAML_has_every_cmdlet_every_parameter_set_and_every_parameter() => Assemblies.AssertNone(Check(Maml()));

    [Fact]
    public void Every_about_topic_has_its_help_txt() =>
        Assemblies.AssertNone(HelpMaml.CheckAboutTopics(AboutTopics(), HelpFolder).ToList());

    [Fact]
    public void Connect_Edi2_has_a_syntax_for_its_default_set_too()
    {
        // The key from EDI2_CLIENT_KEY: ClientId and the common options, no key parameter.
        var items = CommandOf(Maml(), "Connect-Edi2").Descendants(HelpMaml.Command + "syntaxItem").ToList();
        Assert.Equal(7, items.Count);
        var first = items[0].Elements(HelpMaml.Command + "parameter").Select(p => p.Element(HelpMaml.Maml + "name")!.Value).ToList();
        Assert.Contains("ClientId", first);
        Assert.DoesNotContain(first, p => p is "KeyPath" or "Jwk" or "Certificate" or "CertificateThumbprint" or "Vault");
    }

    // ---- each rule fails ----

    [Fact]
    public void A_file_that_is_not_MAML_is_found()
    {
        var other = new XDocument(new XElement("helpItems", new XAttribute("schema", "maml")));
        Assert.Equal([$"the root is helpItems, not helpItems schema=\"maml\" in {HelpMaml.Msh}"], Check(other));
        XDocument wrongNamespace = Maml();
        XElement command = CommandOf(wrongNamespace, "Get-Edi2Session");
        command.Name = "command";
        Assert.Contains($"helpItems has command, which is no command:command in {HelpMaml.Command}", Check(wrongNamespace));
        Assert.Contains("Get-Edi2Session: no command", Check(wrongNamespace));
    }

    [Fact]
    public void A_missing_or_doubled_command_is_found()
    {
        XDocument maml = Maml();
        XElement connect = CommandOf(maml, "Connect-Edi2");
        maml.Root!.Add(new XElement(connect));
        Assert.Contains("Connect-Edi2: 2 commands", Check(maml));
        CommandOf(maml, "Test-Edi2Connection").Remove();
        Assert.Contains("Test-Edi2Connection: no command", Check(maml));
    }

    [Fact]
    public void A_missing_syntax_item_or_parameter_is_found()
    {
        XDocument maml = Maml();
        XElement connect = CommandOf(maml, "Connect-Edi2");
        connect.Descendants(HelpMaml.Command + "syntaxItem").First().Remove();
        var findings = Check(maml);
        Assert.Contains("Connect-Edi2: 6 syntaxItem(s), the cmdlet has 7 parameter set(s)", findings);
        Assert.Contains(findings, f => f.StartsWith("Connect-Edi2: no syntaxItem has exactly the parameters of set 'EnvironmentVariable'", StringComparison.Ordinal));

        maml = Maml();
        CommandOf(maml, "Connect-Edi2").Element(HelpMaml.Command + "parameters")!.Elements()
            .Single(p => p.Element(HelpMaml.Maml + "name")!.Value == "KeyPassword").Remove();
        Assert.Contains("Connect-Edi2: -KeyPassword is not under command:parameters", Check(maml));
    }

    [Fact]
    public void Missing_text_examples_remarks_and_link_are_found()
    {
        XDocument maml = Maml();
        XElement session = CommandOf(maml, "Get-Edi2Session");
        session.Element(HelpMaml.Maml + "description")!.RemoveNodes();
        session.Descendants(HelpMaml.Dev + "remarks").First().RemoveNodes();
        session.Descendants(HelpMaml.Maml + "navigationLink").First().Remove();
        var findings = Check(maml);
        Assert.Contains("Get-Edi2Session: no description", findings);
        Assert.Contains(findings, f => f.StartsWith("Get-Edi2Session: example 'Example 1", StringComparison.Ordinal) && f.EndsWith("has no remarks", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.StartsWith("Get-Edi2Session: the first related link is ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_about_topic_file_is_found()
    {
        Assert.Equal(["about_Edi2_Nothing: no about_Edi2_Nothing.help.txt"], HelpMaml.CheckAboutTopics(["about_Edi2_Nothing"], HelpFolder));
    }
}
