using System.Xml.Linq;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>
/// The rules for the help the publish generates (en-US/Edi2.PowerShell.dll-Help.xml), against the cmdlet assembly as
/// built: MAML in the namespaces PowerShell reads, one command per cmdlet, one syntaxItem per parameter set of the real
/// cmdlet, every parameter, synopsis, description, examples with remarks, and the HelpUri as the first related link.
/// </summary>
internal static class HelpMaml
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly string[] ParameterAttributes = ["required", "variableLength", "globbing", "pipelineInput", "position", "aliases"];

    public static IEnumerable<string> Check(XDocument maml, IReadOnlyList<CmdletModel> cmdlets, Func<CmdletModel, string?> helpUri)
    {
        XElement root = maml.Root!;
        if (root.Name != Msh + "helpItems" || (string?)root.Attribute("schema") != "maml")
        {
            yield return $"the root is {root.Name}, not helpItems schema=\"maml\" in {Msh}";
            yield break;
        }
        foreach (XElement other in root.Elements().Where(e => e.Name != Command + "command"))
        {
            yield return $"helpItems has {other.Name}, which is no command:command in {Command}";
        }
        var commands = root.Elements(Command + "command").GroupBy(NameOf).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (name, list) in commands.Where(c => c.Value.Count > 1)) yield return $"{name}: {list.Count} commands";
        foreach (string extra in commands.Keys.Where(n => cmdlets.All(c => c.Name != n))) yield return $"{extra}: a command for no cmdlet";
        foreach (CmdletModel c in cmdlets)
        {
            if (!commands.TryGetValue(c.Name, out var found)) yield return $"{c}: no command";
            else foreach (string finding in CheckCommand(c, found[0], helpUri(c))) yield return finding;
        }
    }

    private static string NameOf(XElement command) => command.Element(Command + "details")?.Element(Command + "name")?.Value.Trim() ?? "";

    private static string Paras(XElement? e) => string.Join("\n", e?.Elements(Maml + "para").Select(p => p.Value) ?? []).Trim();

    /// <summary>The parameters Get-Help shows for the cmdlet: its own, and -WhatIf and -Confirm when it supports ShouldProcess.</summary>
    private static List<string> Expected(CmdletModel c, string? set)
    {
        var names = c.Parameters.Where(p => set is null || HelpRules.Entry(p, set) != null).Select(p => p.Name).ToList();
        if (c.SupportsShouldProcess) names.AddRange(["WhatIf", "Confirm"]);
        return names;
    }

    private static IEnumerable<string> CheckCommand(CmdletModel c, XElement command, string? helpUri)
    {
        XElement? details = command.Element(Command + "details");
        string synopsis = Paras(details?.Element(Maml + "description"));
        if (synopsis.Length == 0) yield return $"{c}: no synopsis";
        if (Paras(command.Element(Maml + "description")).Length == 0) yield return $"{c}: no description";

        var items = command.Element(Command + "syntax")?.Elements(Command + "syntaxItem").ToList() ?? [];
        IReadOnlyList<string> sets = HelpRules.ParameterSets(c);
        if (items.Count != sets.Count) yield return $"{c}: {items.Count} syntaxItem(s), the cmdlet has {sets.Count} parameter set(s)";
        foreach (string set in sets)
        {
            var expected = Expected(c, set).Order(StringComparer.OrdinalIgnoreCase).ToList();
            bool any = items.Any(i => i.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value)
                .Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(expected, StringComparer.OrdinalIgnoreCase));
            if (!any) yield return $"{c}: no syntaxItem has exactly the parameters of set '{set}' ({string.Join(", ", expected)})";
        }

        var parameters = command.Element(Command + "parameters")?.Elements(Command + "parameter")
            .ToDictionary(p => p.Element(Maml + "name")?.Value ?? "", StringComparer.OrdinalIgnoreCase) ?? [];
        foreach (string name in Expected(c, null))
        {
            if (!parameters.TryGetValue(name, out XElement? p))
            {
                yield return $"{c}: -{name} is not under command:parameters";
                continue;
            }
            foreach (string attribute in ParameterAttributes.Where(a => p.Attribute(a) is null)) yield return $"{c}: -{name} has no {attribute}=";
            if ((p.Element(Dev + "type")?.Element(Maml + "name")?.Value ?? "").Length == 0) yield return $"{c}: -{name} has no dev:type";
            if (Paras(p.Element(Maml + "Description")).Length == 0) yield return $"{c}: -{name} has no description";
        }

        var examples = command.Element(Command + "examples")?.Elements(Command + "example").ToList() ?? [];
        if (examples.Count < 2) yield return $"{c}: {examples.Count} example(s)";
        foreach (XElement example in examples)
        {
            string title = example.Element(Maml + "title")?.Value.Trim('-', ' ') ?? "";
            if ((example.Element(Dev + "code")?.Value ?? "").Trim().Length == 0) yield return $"{c}: example '{title}' has no code";
            if (Paras(example.Element(Dev + "remarks")).Length == 0) yield return $"{c}: example '{title}' has no remarks";
        }

        string? first = command.Element(Command + "relatedLinks")?.Elements(Maml + "navigationLink").FirstOrDefault()?.Element(Maml + "uri")?.Value;
        if (helpUri is null || first != helpUri) yield return $"{c}: the first related link is '{first}', the cmdlet's HelpUri is '{helpUri}'";
    }

    /// <summary>Every about_*.md has its about_*.help.txt, in the text form Get-Help shows (TOPIC, then the topic name).</summary>
    public static IEnumerable<string> CheckAboutTopics(IEnumerable<string> topics, string helpFolder)
    {
        foreach (string topic in topics)
        {
            string file = Path.Combine(helpFolder, topic + ".help.txt");
            if (!File.Exists(file))
            {
                yield return $"{topic}: no {topic}.help.txt";
                continue;
            }
            string text = File.ReadAllText(file);
            if (!text.StartsWith("TOPIC\n    " + topic.ToLowerInvariant() + "\n", StringComparison.Ordinal)) yield return $"{topic}.help.txt does not start with TOPIC and the topic name";
            foreach (string section in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION" })
            {
                if (!text.Contains("\n" + section + "\n", StringComparison.Ordinal)) yield return $"{topic}.help.txt has no {section}";
            }
        }
    }
}
