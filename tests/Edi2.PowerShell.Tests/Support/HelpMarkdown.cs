using System.Text.RegularExpressions;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>One <c>```yaml</c> block under a <c>### -Name</c> heading: <c>Key: Value</c> lines (an empty value is "").</summary>
internal sealed record HelpParameterBlock(IReadOnlyDictionary<string, string> Fields)
{
    public string? this[string key] => Fields.TryGetValue(key, out string? value) ? value : null;

    /// <summary>A comma-separated field (Parameter Sets, Aliases, Accepted values) as its items.</summary>
    public IReadOnlyList<string> List(string key) =>
        (this[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A <c>### -Name</c> entry of PARAMETERS. platyPS writes one yaml block per group of parameter sets in which the parameter behaves alike.</summary>
internal sealed record HelpParameter(string Name, IReadOnlyList<HelpParameterBlock> Blocks);

/// <summary>A <c>### Title</c> of EXAMPLES: its <c>```powershell</c> blocks (the first one's text) and whether text follows the code (the remarks).</summary>
internal sealed record HelpExample(string Title, int PowerShellBlocks, string? FirstCode, bool HasRemarks);

/// <summary>A <c>### SetName</c> subsection of SYNTAX (Heading null when the cmdlet has one set) and its code block.</summary>
internal sealed record HelpSyntax(string? Heading, string Code);

/// <summary>
/// A cmdlet help page in platyPS 0.14 markdown (schema 2.0.0), read line by line: front matter, the <c>#</c> title, the
/// <c>##</c> sections in order, the syntax blocks, examples, the parameter entries with their yaml blocks, and the type
/// headings of INPUTS and OUTPUTS. Fenced code is never read as headings.
/// </summary>
internal sealed partial class HelpMarkdown
{
    private HelpMarkdown() { }

    public IReadOnlyDictionary<string, string> FrontMatter { get; private init; } = new Dictionary<string, string>();

    public string? Title { get; private init; }

    public IReadOnlyList<string> Sections { get; private init; } = [];

    public IReadOnlyList<HelpSyntax> Syntax { get; private init; } = [];

    public IReadOnlyList<HelpExample> Examples { get; private init; } = [];

    /// <summary>Every <c>### -Name</c> under PARAMETERS, in order (CommonParameters is not one: see <see cref="HasCommonParameters"/>).</summary>
    public IReadOnlyList<HelpParameter> Parameters { get; private init; } = [];

    public bool HasCommonParameters { get; private init; }

    public IReadOnlyList<string> Inputs { get; private init; } = [];

    public IReadOnlyList<string> Outputs { get; private init; } = [];

    public HelpParameter? Parameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public static HelpMarkdown Parse(string text)
    {
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        int i = 0;
        var frontMatter = new Dictionary<string, string>(StringComparer.Ordinal);
        if (lines.Length > 0 && lines[0] == "---")
        {
            for (i = 1; i < lines.Length && lines[i] != "---"; i++)
            {
                int colon = lines[i].IndexOf(':');
                if (colon > 0) frontMatter[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
            }
            i++;
        }

        string? title = null, section = null, subheading = null;
        var sections = new List<string>();
        var syntax = new List<HelpSyntax>();
        var examples = new List<HelpExample>();
        var parameters = new List<(string Name, List<HelpParameterBlock> Blocks)>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        bool common = false;

        for (; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                string language = line[3..].Trim();
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++) code.Add(lines[i]);
                if (section == "SYNTAX") syntax.Add(new HelpSyntax(subheading, string.Join("\n", code)));
                else if (section == "EXAMPLES" && examples.Count > 0 && language == "powershell")
                {
                    examples[^1] = examples[^1] with { PowerShellBlocks = examples[^1].PowerShellBlocks + 1, FirstCode = examples[^1].FirstCode ?? string.Join("\n", code) };
                }
                else if (section == "PARAMETERS" && language == "yaml" && subheading is not null && parameters.Count > 0 && subheading == "-" + parameters[^1].Name)
                {
                    parameters[^1].Blocks.Add(new HelpParameterBlock(YamlFields(code)));
                }
                continue;
            }
            Match heading = HeadingLine().Match(line);
            if (!heading.Success)
            {
                // platyPS's remarks: text after an example's code.
                if (section == "EXAMPLES" && examples.Count > 0 && examples[^1].PowerShellBlocks > 0 && line.Trim().Length > 0)
                {
                    examples[^1] = examples[^1] with { HasRemarks = true };
                }
                continue;
            }
            int level = heading.Groups["level"].Value.Length;
            string name = heading.Groups["text"].Value.Trim();
            if (level == 1)
            {
                title ??= name;
                continue;
            }
            if (level == 2)
            {
                section = name;
                subheading = null;
                sections.Add(name);
                continue;
            }
            if (level != 3) continue;
            subheading = name;
            switch (section)
            {
                case "EXAMPLES":
                    examples.Add(new HelpExample(name, 0, null, false));
                    break;
                case "PARAMETERS" when name == "CommonParameters":
                    common = true;
                    break;
                case "PARAMETERS" when name.StartsWith('-'):
                    parameters.Add((name[1..], new List<HelpParameterBlock>()));
                    break;
                case "INPUTS":
                    inputs.Add(name);
                    break;
                case "OUTPUTS":
                    outputs.Add(name);
                    break;
            }
        }

        return new HelpMarkdown
        {
            FrontMatter = frontMatter,
            Title = title,
            Sections = sections,
            Syntax = syntax,
            Examples = examples,
            Parameters = parameters.Select(p => new HelpParameter(p.Name, p.Blocks)).ToList(),
            HasCommonParameters = common,
            Inputs = inputs,
            Outputs = outputs,
        };
    }

    private static Dictionary<string, string> YamlFields(IEnumerable<string> lines)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            int colon = line.IndexOf(':');
            if (colon > 0) fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return fields;
    }

    [GeneratedRegex(@"^(?<level>#{1,6})\s+(?<text>.+)$")]
    private static partial Regex HeadingLine();
}
