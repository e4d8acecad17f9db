using System;
using System.Collections.Generic;
using System.Linq;
using Markdig;
using Markdig.Syntax;

namespace Edi2.HelpBuilder;

/// <summary>One <c>```yaml</c> block of a parameter: how it behaves in the parameter sets it names.</summary>
internal sealed record ParameterBlock(
    string Type, IReadOnlyList<string> Sets, IReadOnlyList<string> Aliases, IReadOnlyList<string> AcceptedValues,
    bool Required, string Position, string? DefaultValue, string PipelineInput, bool Globbing)
{
    public const string AllSets = "(All)";

    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter" or "switch";

    public bool IsNamed => Position.Equals("named", StringComparison.OrdinalIgnoreCase);
}

internal sealed record ParameterEntry(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterBlock> Blocks);

internal sealed record Example(string Title, IReadOnlyList<string> Code, IReadOnlyList<string> Remarks);

internal sealed record TypeEntry(string TypeName, IReadOnlyList<string> Description);

internal sealed record Link(string Text, string Uri);

/// <summary>A parameter set as platyPS puts it into SYNTAX: the set's name and its parameters, in syntax order.</summary>
internal sealed record SyntaxItem(string? SetName, IReadOnlyList<(ParameterEntry Entry, ParameterBlock Block)> Parameters);

/// <summary>
/// A cmdlet page in platyPS 0.14 markdown (schema 2.0.0), read as platyPS reads it: the SYNTAX section only for the
/// set names (the syntax itself is made from the parameters' yaml blocks), examples as title, code and the remarks
/// after the code, related links as markdown links.
/// </summary>
internal sealed class CommandPage
{
    private static readonly string[] YamlKeys =
        ["Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters", "Applicable"];

    public string File { get; private init; } = "";

    public IReadOnlyDictionary<string, string> FrontMatter { get; private init; } = new Dictionary<string, string>();

    public string Name { get; private set; } = "";

    public IReadOnlyList<string> Synopsis { get; private set; } = [];

    public IReadOnlyList<string> Description { get; private set; } = [];

    public List<Example> Examples { get; } = [];

    public List<ParameterEntry> Parameters { get; } = [];

    public List<TypeEntry> Inputs { get; } = [];

    public List<TypeEntry> Outputs { get; } = [];

    public IReadOnlyList<string> Notes { get; private set; } = [];

    public List<Link> Links { get; } = [];

    public string HelpFile => FrontMatter.TryGetValue("external help file", out string? f) && f.Length > 0 ? f : throw Error(1, "front matter has no 'external help file:'");

    public string? OnlineVersion => FrontMatter.TryGetValue("online version", out string? v) && v.Length > 0 ? v : null;

    private HelpSourceException Error(int line, string message) => new(File, line, message);

    public static CommandPage Parse(string file, string markdown)
    {
        MarkdownDocument document = Markdown.Parse(markdown.Replace("\r\n", "\n"), MarkdownText.Pipeline);
        var page = new CommandPage { File = file, FrontMatter = MarkdownText.FrontMatter(document) };
        page.Read(document);
        return page;
    }

    private void Read(MarkdownDocument document)
    {
        var blocks = document.Where(b => b is not Markdig.Extensions.Yaml.YamlFrontMatterBlock).ToList();
        if (blocks.FirstOrDefault() is not HeadingBlock { Level: 1 } title) throw Error(1, "a cmdlet page starts with '# <cmdlet name>'");
        Name = MarkdownText.Inline(title.Inline);

        // Sections (##) and, within them, entries (###) with the blocks under them.
        int i = 1;
        while (i < blocks.Count)
        {
            if (blocks[i] is not HeadingBlock { Level: 2 } section) throw Error(blocks[i].Line + 1, "expected a '## SECTION' heading");
            int end = Next(blocks, i + 1, 2);
            var body = blocks.GetRange(i + 1, end - i - 1);
            string name = MarkdownText.Inline(section.Inline).ToUpperInvariant();
            switch (name)
            {
                case "SYNOPSIS": Synopsis = Text(body, name); break;
                case "DESCRIPTION": Description = Text(body, name); break;
                case "NOTES": Notes = Text(body, name); break;
                case "SYNTAX": break;
                case "EXAMPLES": foreach (var (h, b) in Entries(body, name)) Examples.Add(ReadExample(h, b)); break;
                case "PARAMETERS":
                    foreach (var (h, b) in Entries(body, name))
                    {
                        string parameter = MarkdownText.Inline(h.Inline).TrimStart('-');
                        if (parameter.Equals("CommonParameters", StringComparison.OrdinalIgnoreCase) ||
                            parameter.Equals("WorkflowParameters", StringComparison.OrdinalIgnoreCase)) continue;
                        Parameters.Add(ReadParameter(parameter, h, b));
                    }
                    break;
                case "INPUTS": foreach (var (h, b) in Entries(body, name)) Inputs.Add(new TypeEntry(MarkdownText.Inline(h.Inline), Text(b, name))); break;
                case "OUTPUTS": foreach (var (h, b) in Entries(body, name)) Outputs.Add(new TypeEntry(MarkdownText.Inline(h.Inline), Text(b, name))); break;
                case "RELATED LINKS": ReadLinks(body); break;
                default: throw Error(section.Line + 1, $"unexpected section '## {name}' (platyPS 0.14 fails on it too)");
            }
            i = end;
        }
    }

    private static int Next(List<Block> blocks, int from, int level)
    {
        int i = from;
        while (i < blocks.Count && !(blocks[i] is HeadingBlock h && h.Level <= level)) i++;
        return i;
    }

    /// <summary>The ### entries of a section; text before the first one is an error, as it is for platyPS.</summary>
    private IEnumerable<(HeadingBlock Heading, List<Block> Body)> Entries(List<Block> body, string section)
    {
        int i = 0;
        while (i < body.Count)
        {
            if (body[i] is not HeadingBlock { Level: 3 } heading) throw Error(body[i].Line + 1, $"{section}: expected a '### ' heading");
            int end = Next(body, i + 1, 3);
            yield return (heading, body.GetRange(i + 1, end - i - 1));
            i = end;
        }
    }

    private List<string> Text(List<Block> body, string section)
    {
        if (body.FirstOrDefault(b => b is HeadingBlock) is { } heading) throw Error(heading.Line + 1, $"{section}: no headings inside this section");
        return MarkdownText.Paragraphs(body);
    }

    private Example ReadExample(HeadingBlock heading, List<Block> body)
    {
        string title = MarkdownText.Inline(heading.Inline);
        int firstCode = body.FindIndex(b => b is FencedCodeBlock);
        if (firstCode < 0) throw Error(heading.Line + 1, $"example '{title}' has no code block");
        // platyPS keeps no text before the code (its 'introduction' is not written to MAML), so Get-Help would lose it.
        if (firstCode > 0) throw Error(body[0].Line + 1, $"example '{title}': text before the code is dropped from the help; put it after the code");
        int lastCode = body.FindLastIndex(b => b is FencedCodeBlock);
        var code = body.Take(lastCode + 1).OfType<FencedCodeBlock>().Select(MarkdownText.Code).ToList();
        var remarks = Text(body.Skip(lastCode + 1).ToList(), "EXAMPLES");
        return new Example(title, code, remarks);
    }

    private ParameterEntry ReadParameter(string name, HeadingBlock heading, List<Block> body)
    {
        var yaml = body.OfType<FencedCodeBlock>().Where(c => string.Equals(c.Info, "yaml", StringComparison.OrdinalIgnoreCase)).ToList();
        if (yaml.Count == 0) throw Error(heading.Line + 1, $"-{name} has no ```yaml block");
        var description = MarkdownText.Paragraphs(body.TakeWhile(b => !yaml.Contains(b)));
        var blocks = yaml.Select(y => ReadParameterBlock(name, y)).ToList();
        return new ParameterEntry(name, description, blocks);
    }

    private ParameterBlock ReadParameterBlock(string name, FencedCodeBlock yaml)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        MarkdownText.AddKeyValues(yaml, fields);
        foreach (string key in fields.Keys.Where(k => !YamlKeys.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            throw Error(yaml.Line + 1, $"-{name}: unknown yaml key '{key}'");
        }
        string? Field(string key) => fields.TryGetValue(key, out string? v) && v.Length > 0 ? v : null;
        static List<string> Split(string? value) =>
            value is null ? [] : value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        bool IsTrue(string key) => string.Equals(Field(key), "true", StringComparison.OrdinalIgnoreCase);

        var sets = Split(Field("Parameter Sets"));
        return new ParameterBlock(
            Type: Field("Type") ?? throw Error(yaml.Line + 1, $"-{name}: the yaml block has no 'Type:'"),
            Sets: sets.Count == 0 ? [ParameterBlock.AllSets] : sets,
            Aliases: Split(Field("Aliases")),
            AcceptedValues: Split(Field("Accepted values")),
            Required: IsTrue("Required"),
            Position: Field("Position") ?? "named",
            DefaultValue: Field("Default value"),
            PipelineInput: Field("Accept pipeline input") ?? "false",
            Globbing: IsTrue("Accept wildcard characters"));
    }

    private void ReadLinks(List<Block> body)
    {
        foreach (Block block in body)
        {
            if (block is not ParagraphBlock paragraph) throw Error(block.Line + 1, "RELATED LINKS: only paragraphs of links");
            foreach (var inline in paragraph.Inline!)
            {
                switch (inline)
                {
                    case Markdig.Syntax.Inlines.LinkInline link:
                        Links.Add(new Link(MarkdownText.Inline(link), MarkdownText.AbsoluteUri(link.Url) ?? ""));
                        break;
                    case Markdig.Syntax.Inlines.LineBreakInline:
                        break;
                    case Markdig.Syntax.Inlines.LiteralInline literal when literal.Content.IsEmptyOrWhitespace():
                        break;
                    default:
                        throw Error(block.Line + 1, $"RELATED LINKS: '{inline}' is not a markdown link");
                }
            }
        }
    }

    /// <summary>
    /// platyPS 0.14's syntax: a set for every name in the parameters' 'Parameter Sets', in the order they first appear;
    /// each with the parameters that name it or are (All) (by position, then as listed). A set no parameter names is
    /// left out, which is why a page names the sets of a parameter that is in all of them when a set has no parameter of
    /// its own. Only a cmdlet whose parameters are all (All) gets one syntax without a set name.
    /// </summary>
    public IReadOnlyList<SyntaxItem> Syntax()
    {
        var setNames = new List<string>();
        foreach (string set in Parameters.SelectMany(p => p.Blocks).SelectMany(b => b.Sets))
        {
            if (!setNames.Contains(set, StringComparer.OrdinalIgnoreCase)) setNames.Add(set);
        }
        if (setNames.Count == 0) return [new SyntaxItem(null, [])];
        if (setNames.Count == 1 && setNames[0] == ParameterBlock.AllSets) return [Item(null, ParameterBlock.AllSets)];
        return setNames.Where(s => s != ParameterBlock.AllSets).Select(s => Item(s, s)).ToList();

        SyntaxItem Item(string? name, string set)
        {
            var parameters = new List<(ParameterEntry, ParameterBlock)>();
            foreach (ParameterEntry p in Parameters)
            {
                ParameterBlock? block = p.Blocks.LastOrDefault(b => b.Sets.Contains(set, StringComparer.OrdinalIgnoreCase));
                if (block is null && p.Blocks.Count == 1 && p.Blocks[0].Sets is [ParameterBlock.AllSets]) block = p.Blocks[0];
                if (block != null) parameters.Add((p, block));
            }
            // platyPS sorts by the Position text, stably: numbers before 'Named'.
            return new SyntaxItem(name, parameters.OrderBy(x => x.Item2.IsNamed ? int.MaxValue : int.Parse(x.Item2.Position)).ToList());
        }
    }
}
