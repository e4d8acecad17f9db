using System.Collections.ObjectModel;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>What the help of one parameter must say that metadata can tell: platyPS's type name and the accepted values.</summary>
internal sealed record ParameterFacts(string TypeName, IReadOnlyList<string> AcceptedValues, bool SupportsWildcards);

/// <summary>
/// The rules that keep docs/en-US (platyPS 0.14 markdown, schema 2.0.0) true to the cmdlet assembly, as functions from a
/// cmdlet read from metadata and a parsed page to what is wrong, so that the same rules run over the real pages and over
/// pages broken on purpose.
/// <para>
/// Type names follow platyPS 0.14's GetTypeString, so a page reads as `New-MarkdownHelp` would write it:
/// <c>Nullable&lt;T&gt;</c> is T's short name (<c>TimeSpan</c>, <c>Edi2Environment</c>), another generic type is its full
/// <c>Type.ToString()</c>, anything else is <c>Type.Name</c> (<c>String</c>, <c>Int32[]</c>, <c>SwitchParameter</c>,
/// <c>Edi2MessageIdentity[]</c>, <c>Hashtable[]</c>, <c>SecureString</c>, <c>X509Certificate2</c>, <c>Uri</c>, <c>Object</c>).
/// INPUTS and OUTPUTS use full names (<c>Edi2.Model.Edi2Message</c>), and an output of <c>System.Void</c> is written None.
/// </para>
/// </summary>
internal static class HelpRules
{
    public const string HelpFileName = "Edi2.PowerShell.dll-Help.xml";

    public const string ModuleName = "Edi2";

    /// <summary>The <c>##</c> sections of a platyPS 0.14 cmdlet page, in this order.</summary>
    public static readonly IReadOnlyList<string> Sections =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    private const string Automation = "System.Management.Automation.";

    /// <summary>Parameters PowerShell adds to a SupportsShouldProcess cmdlet; platyPS documents them as (All), Named, with these aliases.</summary>
    private static readonly IReadOnlyDictionary<string, string> ShouldProcessParameters =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["WhatIf"] = "wi", ["Confirm"] = "cf" };

    /// <summary>platyPS 0.14's GetTypeString.</summary>
    public static string PlatyPsTypeName(Type type)
    {
        if (type.Name == "Nullable`1") return type.GetGenericArguments()[0].Name;
        if (type.IsGenericType) return type.ToString();
        return type.Name;
    }

    /// <summary>Type name, ValidateSet, ValidateList or enum values, and [SupportsWildcards] of a parameter, read from the cmdlet assembly's metadata.</summary>
    public static ParameterFacts Facts(Assembly assembly, CmdletModel cmdlet, CmdletParameter parameter)
    {
        Type type = assembly.GetType(cmdlet.TypeName, throwOnError: true)!;
        MemberInfo member = (MemberInfo?)type.GetProperty(parameter.Name, BindingFlags.Public | BindingFlags.Instance)
            ?? type.GetField(parameter.Name, BindingFlags.Public | BindingFlags.Instance)!;
        Type parameterType = member is PropertyInfo property ? property.PropertyType : ((FieldInfo)member).FieldType;
        var attributes = member.GetCustomAttributesData();

        var accepted = attributes.Where(a => a.AttributeType.FullName == Automation + "ValidateSetAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(a => a.Value is ReadOnlyCollection<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [a.Value])
            .Select(v => v?.ToString() ?? "")
            .ToList();
        // [ValidateList("A,B")]: a ValidateSet over an engine list, given as one constant.
        accepted.AddRange(attributes.Where(a => a.AttributeType.FullName == "Edi2.PowerShell.Validation.ValidateListAttribute")
            .SelectMany(a => ((string)a.ConstructorArguments[0].Value!).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        Type underlying = parameterType.Name == "Nullable`1" ? parameterType.GetGenericArguments()[0] : parameterType;
        if (accepted.Count == 0 && underlying.IsEnum)
        {
            accepted = underlying.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToList();
        }
        bool wildcards = attributes.Any(a => a.AttributeType.FullName == Automation + "SupportsWildcardsAttribute");
        return new ParameterFacts(PlatyPsTypeName(parameterType), accepted, wildcards);
    }

    /// <summary>The cmdlet's parameter sets as PowerShell makes them: the default set (even if no parameter names it), then the others.</summary>
    public static IReadOnlyList<string> ParameterSets(CmdletModel c)
    {
        var sets = new List<string>();
        if (c.DefaultParameterSet != null) sets.Add(c.DefaultParameterSet);
        foreach (string set in c.Parameters.SelectMany(p => p.Entries).Select(e => e.Set))
        {
            if (set != CmdletModel.AllSets && !sets.Contains(set)) sets.Add(set);
        }
        return sets.Count == 0 ? [CmdletModel.AllSets] : sets;
    }

    /// <summary>How the parameter takes part in a set: its own entry for the set, or its all-sets entry; null if it is not in the set.</summary>
    public static ParameterSetEntry? Entry(CmdletParameter p, string set) =>
        p.Entries.FirstOrDefault(e => e.Set == set) ?? p.Entries.FirstOrDefault(e => e.Set == CmdletModel.AllSets);

    /// <summary>Every cmdlet has docs/en-US/&lt;Name&gt;.md, and every such page names a cmdlet that exists.</summary>
    public static IEnumerable<string> Coverage(IEnumerable<string> cmdlets, IEnumerable<string> pages)
    {
        var cmdletSet = cmdlets.ToHashSet(StringComparer.Ordinal);
        var pageSet = pages.ToHashSet(StringComparer.Ordinal);
        foreach (string cmdlet in cmdletSet.Order().Where(c => !pageSet.Contains(c))) yield return $"{cmdlet}: no docs/en-US/{cmdlet}.md";
        foreach (string page in pageSet.Order().Where(p => !cmdletSet.Contains(p))) yield return $"docs/en-US/{page}.md: there is no cmdlet {page}";
    }

    /// <summary>Everything a page must say that the cmdlet's metadata can check.</summary>
    public static IEnumerable<string> CheckPage(CmdletModel c, Func<CmdletParameter, ParameterFacts> facts, HelpMarkdown page, string? helpUri) =>
        Shape(c, page, helpUri).Concat(Syntax(c, facts, page)).Concat(Parameters(c, facts, page)).Concat(InputsAndOutputs(c, page));

    /// <summary>The HelpUri of a cmdlet's [Cmdlet] attribute (what Get-Help -Online opens when the help has no link), or null.</summary>
    public static string? HelpUri(Assembly assembly, CmdletModel c) =>
        assembly.GetType(c.TypeName, throwOnError: true)!.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == Automation + "CmdletAttribute")
            .SelectMany(a => a.NamedArguments).Where(n => n.MemberName == "HelpUri").Select(n => n.TypedValue.Value as string).FirstOrDefault();

    /// <summary>
    /// Front matter (an 'online version' that is the cmdlet's HelpUri, so Get-Help -Online opens the same page either way),
    /// title, the sections in order, CommonParameters, and at least two examples, each PowerShell code that starts at a
    /// <c>PS></c> prompt (one prompt style throughout) followed by remarks (Get-Help shows nothing else to explain it).
    /// </summary>
    public static IEnumerable<string> Shape(CmdletModel c, HelpMarkdown page, string? helpUri)
    {
        var expectedFrontMatter = new Dictionary<string, string>
        {
            ["external help file"] = HelpFileName, ["Module Name"] = ModuleName, ["online version"] = "", ["schema"] = "2.0.0",
        };
        foreach (var (key, value) in expectedFrontMatter)
        {
            if (!page.FrontMatter.TryGetValue(key, out string? actual)) yield return $"{c}: front matter lacks '{key}:'";
            else if (key != "online version" && actual != value) yield return $"{c}: front matter '{key}: {actual}', expected '{value}'";
        }
        if (helpUri is null) yield return $"{c}: [Cmdlet] has no HelpUri, so Get-Help -Online has nowhere to go";
        else if (page.FrontMatter.TryGetValue("online version", out string? online) && online != helpUri)
        {
            yield return $"{c}: front matter 'online version: {online}', the cmdlet's HelpUri is {helpUri}";
        }
        if (page.Title != c.Name) yield return $"{c}: the title is '# {page.Title}', expected '# {c.Name}'";
        if (!page.Sections.SequenceEqual(Sections))
        {
            yield return $"{c}: sections are {string.Join(", ", page.Sections)}; platyPS 0.14 has {string.Join(", ", Sections)}";
        }
        if (page.Examples.Count < 2) yield return $"{c}: {page.Examples.Count} example(s); at least two (interactive and scheduled use)";
        foreach (HelpExample example in page.Examples)
        {
            if (example.PowerShellBlocks == 0)
            {
                yield return $"{c}: example '{example.Title}' has no ```powershell code block";
                continue;
            }
            if (!example.FirstCode!.StartsWith("PS> ", StringComparison.Ordinal)) yield return $"{c}: example '{example.Title}' does not start at a 'PS> ' prompt";
            if (example.FirstCode.Contains("PS C:\\>", StringComparison.Ordinal)) yield return $"{c}: example '{example.Title}' has a 'PS C:\\>' prompt; the pages use 'PS> '";
            if (!example.HasRemarks) yield return $"{c}: example '{example.Title}' has no remarks after its code";
            // platyPS pads titles under 62 characters with dashes to 64; a longer one stands unmarked among the others.
            if (example.Title.Length >= 62) yield return $"{c}: example '{example.Title}' has a title of {example.Title.Length} characters; under 62 Get-Help sets it between dashes like the others";
        }
        if (!page.HasCommonParameters) yield return $"{c}: PARAMETERS lacks '### CommonParameters'";
    }

    /// <summary>
    /// SYNTAX: one <c>### Set</c> subsection per parameter set (marked " (Default)" on the default) when there are several,
    /// else one block; each block names exactly the set's parameters, written as platyPS writes them.
    /// </summary>
    public static IEnumerable<string> Syntax(CmdletModel c, Func<CmdletParameter, ParameterFacts> facts, HelpMarkdown page)
    {
        IReadOnlyList<string> sets = ParameterSets(c);
        var expectedHeadings = sets.Count == 1
            ? new List<string?> { null }
            : sets.Select(s => (string?)(s == c.DefaultParameterSet ? s + " (Default)" : s)).ToList();
        var actualHeadings = page.Syntax.Select(s => s.Heading).ToList();
        // New-ExternalHelp makes the syntax from the 'Parameter Sets:' of the parameters, and (All) names no set: a set
        // that no parameter names is left out of Get-Help's SYNTAX.
        if (sets.Count > 1)
        {
            var named = page.Parameters.SelectMany(p => p.Blocks).SelectMany(b => b.List("Parameter Sets")).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (string set in sets.Where(s => !named.Contains(s)))
            {
                yield return $"{c}: no parameter names set '{set}' in 'Parameter Sets:', so New-ExternalHelp leaves it out of SYNTAX; name the sets of a parameter that is in all of them";
            }
        }
        if (!expectedHeadings.SequenceEqual(actualHeadings))
        {
            string Show(IEnumerable<string?> headings) => string.Join(", ", headings.Select(h => h is null ? "(one block, no heading)" : $"'### {h}'"));
            yield return $"{c}: SYNTAX has {Show(actualHeadings)}; expected {Show(expectedHeadings)}";
            yield break;
        }
        for (int i = 0; i < sets.Count; i++)
        {
            string set = sets[i];
            var tokens = new List<string>();
            foreach (CmdletParameter p in c.Parameters)
            {
                if (Entry(p, set) is not { } e) continue;
                string type = facts(p).TypeName;
                string token;
                if (type == "SwitchParameter") token = $"[-{p.Name}]";
                else
                {
                    token = e.Position is null ? $"-{p.Name}" : $"[-{p.Name}]";
                    token = $"{token} <{type}>";
                    if (!e.Mandatory) token = $"[{token}]";
                }
                tokens.Add(token);
            }
            if (c.SupportsShouldProcess) tokens.AddRange(["[-WhatIf]", "[-Confirm]"]);
            tokens.Add("[<CommonParameters>]");

            string code = Regex.Replace(page.Syntax[i].Code, @"\s+", " ").Trim();
            string where = sets.Count == 1 ? "SYNTAX" : $"SYNTAX '{set}'";
            if (!code.StartsWith(c.Name + " ", StringComparison.Ordinal))
            {
                yield return $"{c}: {where} does not start with '{c.Name}'";
                continue;
            }
            string rest = " " + code[c.Name.Length..] + " ";
            foreach (string token in tokens.OrderByDescending(t => t.Length))
            {
                int at = rest.IndexOf(" " + token + " ", StringComparison.Ordinal);
                if (at < 0) yield return $"{c}: {where} lacks '{token}'";
                else rest = rest.Remove(at, token.Length + 1);
            }
            if (rest.Trim().Length > 0) yield return $"{c}: {where} has '{rest.Trim()}', which is no parameter of the set as platyPS writes it";
        }
    }

    /// <summary>
    /// PARAMETERS: a <c>### -Name</c> for every parameter, none for a parameter the cmdlet lacks (but -WhatIf and -Confirm,
    /// exactly when it supports ShouldProcess); in each yaml block the platyPS type, the parameter sets ("(All)" only for a
    /// parameter in every set), aliases, accepted values, and Required, Position and pipeline input as the sets it names have them.
    /// </summary>
    public static IEnumerable<string> Parameters(CmdletModel c, Func<CmdletParameter, ParameterFacts> facts, HelpMarkdown page)
    {
        IReadOnlyList<string> allSets = ParameterSets(c);
        foreach (CmdletParameter p in c.Parameters)
        {
            HelpParameter? documented = page.Parameter(p.Name);
            if (documented is null)
            {
                yield return $"{c}: -{p.Name} has no '### -{p.Name}' under PARAMETERS";
                continue;
            }
            if (documented.Name != p.Name) yield return $"{c}: '### -{documented.Name}' is spelt -{p.Name} in the cmdlet";
            if (documented.Blocks.Count == 0)
            {
                yield return $"{c}: -{p.Name} has no ```yaml block";
                continue;
            }
            ParameterFacts f = facts(p);
            var memberOf = allSets.Where(s => Entry(p, s) != null).ToList();
            var covered = new List<string>();
            foreach (HelpParameterBlock block in documented.Blocks)
            {
                foreach (string finding in Block(c, p, f, block, allSets, memberOf, covered)) yield return finding;
            }
            foreach (string missing in memberOf.Where(s => !covered.Contains(s)))
            {
                yield return $"{c}: -{p.Name} is in parameter set '{missing}', which its 'Parameter Sets:' do not list";
            }
        }

        foreach (HelpParameter extra in page.Parameters.Where(d => c.Parameter(d.Name) is null))
        {
            if (ShouldProcessParameters.TryGetValue(extra.Name, out string? alias) && c.SupportsShouldProcess)
            {
                var block = extra.Blocks.FirstOrDefault();
                if (block is null || block["Type"] != "SwitchParameter" || block["Parameter Sets"] != "(All)" || block["Aliases"] != alias)
                {
                    yield return $"{c}: -{extra.Name} is not written as platyPS writes it (Type: SwitchParameter, Parameter Sets: (All), Aliases: {alias})";
                }
                continue;
            }
            yield return ShouldProcessParameters.ContainsKey(extra.Name)
                ? $"{c}: documents -{extra.Name}, but the cmdlet does not support ShouldProcess"
                : $"{c}: documents -{extra.Name}, which the cmdlet does not have";
        }
        if (c.SupportsShouldProcess)
        {
            foreach (string name in ShouldProcessParameters.Keys.Where(n => page.Parameter(n) is null))
            {
                yield return $"{c}: supports ShouldProcess, so PARAMETERS needs '### -{name}'";
            }
        }
    }

    private static IEnumerable<string> Block(CmdletModel c, CmdletParameter p, ParameterFacts f, HelpParameterBlock block,
        IReadOnlyList<string> allSets, List<string> memberOf, List<string> covered)
    {
        string name = $"{c}: -{p.Name}";
        foreach (string key in new[] { "Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters" })
        {
            if (block[key] is null) yield return $"{name}: the yaml block lacks '{key}:'";
        }
        if (block["Type"] is string type && type != f.TypeName) yield return $"{name}: 'Type: {type}', the parameter is {f.TypeName}";

        List<string> sets;
        if (block["Parameter Sets"] == "(All)")
        {
            if (memberOf.Count != allSets.Count)
            {
                yield return $"{name}: 'Parameter Sets: (All)', but it is only in {string.Join(", ", memberOf)}";
            }
            sets = memberOf;
        }
        else
        {
            sets = block.List("Parameter Sets").ToList();
            foreach (string set in sets.Where(s => !memberOf.Contains(s)))
            {
                yield return $"{name}: 'Parameter Sets:' lists '{set}', which {(allSets.Contains(set) ? "the parameter is not in" : "is no parameter set of the cmdlet")}";
            }
            sets = sets.Where(memberOf.Contains).ToList();
        }
        covered.AddRange(sets);

        var aliases = block.List("Aliases");
        if (!aliases.Order(StringComparer.Ordinal).SequenceEqual(p.Aliases.Order(StringComparer.Ordinal)))
        {
            yield return $"{name}: 'Aliases: {string.Join(", ", aliases)}', the parameter has {(p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases))}";
        }
        var accepted = block.List("Accepted values");
        if (!accepted.SequenceEqual(f.AcceptedValues))
        {
            yield return f.AcceptedValues.Count == 0
                ? $"{name}: 'Accepted values: {string.Join(", ", accepted)}', but the parameter takes any value"
                : $"{name}: 'Accepted values: {string.Join(", ", accepted)}', the parameter accepts {string.Join(", ", f.AcceptedValues)}";
        }
        if (block["Accept wildcard characters"] is string wildcards && wildcards != f.SupportsWildcards.ToString())
        {
            yield return $"{name}: 'Accept wildcard characters: {wildcards}', the parameter {(f.SupportsWildcards ? "has" : "has no")} [SupportsWildcards]";
        }

        var fields = new (string Key, Func<ParameterSetEntry, string> Metadata)[]
        {
            ("Required", e => e.Mandatory.ToString()),
            ("Position", e => e.Position?.ToString() ?? "Named"),
            ("Accept pipeline input", PipelineInput),
        };
        foreach (var (key, metadata) in fields)
        {
            if (block[key] is not string documented) continue;
            // One finding per differing value; the sets are named only when the block's sets differ among themselves.
            foreach (var wrong in sets.Select(s => (Set: s, Value: metadata(Entry(p, s)!))).Where(x => x.Value != documented).GroupBy(x => x.Value))
            {
                string where = wrong.Count() == sets.Count ? name : $"{name} in {string.Join(", ", wrong.Select(x => $"'{x.Set}'"))}";
                yield return $"{where}: '{key}: {documented}', metadata says {wrong.Key}";
            }
        }
    }

    /// <summary>platyPS 0.14's getPipelineValue.</summary>
    public static string PipelineInput(ParameterSetEntry e) => (e.FromPipeline, e.FromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    /// <summary>OUTPUTS names every [OutputType] (System.Void as None) and nothing else; INPUTS names the type of every parameter that takes pipeline input, or None.</summary>
    public static IEnumerable<string> InputsAndOutputs(CmdletModel c, HelpMarkdown page)
    {
        var outputs = c.OutputTypes.Select(t => t == "System.Void" ? "None" : t).Distinct().ToList();
        foreach (string missing in outputs.Where(t => !page.Outputs.Contains(t))) yield return $"{c}: OUTPUTS lacks '### {missing}' ([OutputType])";
        foreach (string extra in page.Outputs.Where(t => !outputs.Contains(t))) yield return $"{c}: OUTPUTS has '### {extra}', which is no [OutputType] of the cmdlet";

        var inputs = c.Parameters.Where(p => p.Entries.Any(e => e.FromPipeline || e.FromPipelineByPropertyName)).Select(p => p.TypeName).Distinct().ToList();
        if (inputs.Count == 0)
        {
            if (!page.Inputs.SequenceEqual(["None"])) yield return $"{c}: takes no pipeline input, so INPUTS is '### None'";
        }
        else
        {
            foreach (string missing in inputs.Where(t => !page.Inputs.Contains(t))) yield return $"{c}: INPUTS lacks '### {missing}' (a parameter takes it from the pipeline)";
        }
    }

    /// <summary>
    /// An about topic in platyPS 0.14's about format: <c># Topic</c>, then <c>## about_Name</c> matching the file (the name the
    /// help system looks up), SHORT DESCRIPTION and LONG DESCRIPTION.
    /// </summary>
    public static IEnumerable<string> CheckAboutTopic(string topic, string text)
    {
        var headings = text.Replace("\r\n", "\n").Split('\n').Where(l => l.StartsWith('#')).Take(2).ToList();
        if (headings.Count < 2 || !headings[0].StartsWith("# ", StringComparison.Ordinal) || headings[1] != "## " + topic)
        {
            yield return $"{topic}.md: starts with headings {string.Join(" / ", headings)}; platyPS needs '# <topic>' then '## {topic}'";
        }
        foreach (string section in new[] { "# SHORT DESCRIPTION", "# LONG DESCRIPTION" })
        {
            if (!text.Replace("\r\n", "\n").Split('\n').Contains(section)) yield return $"{topic}.md: no '{section}'";
        }
    }

    /// <summary>README.md names every about topic (as a whole word: about_Edi2 is not found inside about_Edi2_Authentication).</summary>
    public static IEnumerable<string> AboutTopicsInReadme(IEnumerable<string> topics, string readme)
    {
        foreach (string topic in topics.Order(StringComparer.Ordinal))
        {
            if (!Regex.IsMatch(readme, @"(?<![A-Za-z0-9_])" + Regex.Escape(topic) + @"(?![A-Za-z0-9_])"))
            {
                yield return $"README.md does not mention {topic}";
            }
        }
    }
}
