using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Edi2.HelpBuilder;

/// <summary>A markdown file that is not in the shape platyPS 0.14 reads; Line is 1-based.</summary>
internal sealed class HelpSourceException(string file, int line, string message) : Exception(message)
{
    public string File { get; } = file;

    public int Line { get; } = line;
}

/// <summary>Markdown to the plain text platyPS 0.14 puts in help (its "Full" parser mode).</summary>
internal static class MarkdownText
{
    public static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    /// <summary>The <c>key: value</c> lines of a YAML front matter block (platyPS reads no more of YAML than that).</summary>
    public static Dictionary<string, string> FrontMatter(MarkdownDocument document)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (document.FirstOrDefault() is YamlFrontMatterBlock yaml) AddKeyValues(yaml, fields);
        return fields;
    }

    public static void AddKeyValues(LeafBlock block, Dictionary<string, string> fields)
    {
        foreach (string line in Lines(block))
        {
            int colon = line.IndexOf(':');
            if (colon > 0) fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
    }

    public static IEnumerable<string> Lines(LeafBlock block) =>
        block.Lines.Lines.Take(block.Lines.Count).Select(l => l.Slice.ToString());

    /// <summary>The text of a code block, lines joined with \n.</summary>
    public static string Code(LeafBlock block) => string.Join("\n", Lines(block)).TrimEnd('\n');

    /// <summary>
    /// Paragraphs as platyPS makes them: one per markdown paragraph; a list item is a paragraph of its own that starts
    /// with its bullet, and an empty paragraph follows a list, so that Get-Help shows the list apart from the text after it.
    /// </summary>
    public static List<string> Paragraphs(IEnumerable<Block> blocks)
    {
        var paragraphs = new List<string>();
        foreach (Block block in blocks) AddParagraphs(block, paragraphs);
        for (int i = paragraphs.Count - 1; i > 0; i--)
        {
            if (IsListItem(paragraphs[i - 1]) && !IsListItem(paragraphs[i])) paragraphs.Insert(i, "");
        }
        return paragraphs;
    }

    /// <summary>platyPS's HasListPrefix.</summary>
    private static bool IsListItem(string s) => s.StartsWith("- ", StringComparison.Ordinal) || s.StartsWith("* ", StringComparison.Ordinal) || s.StartsWith("--", StringComparison.Ordinal);

    private static void AddParagraphs(Block block, List<string> paragraphs)
    {
        switch (block)
        {
            case ParagraphBlock p:
                paragraphs.AddRange(Inline(p.Inline).Split('\n'));
                break;
            case ListBlock list:
                int number = int.TryParse(list.OrderedStart, out int start) ? start : 1;
                foreach (ListItemBlock item in list.OfType<ListItemBlock>())
                {
                    string bullet = list.IsOrdered ? $"{number++}{list.OrderedDelimiter} " : $"{list.BulletType} ";
                    var inner = Paragraphs(item);
                    for (int i = 0; i < inner.Count; i++) paragraphs.Add((i == 0 ? bullet : "  ") + inner[i]);
                }
                break;
            case CodeBlock code:
                paragraphs.AddRange(Lines(code).Select(l => "    " + l));
                break;
            case QuoteBlock quote:
                paragraphs.AddRange(Paragraphs(quote));
                break;
            case HtmlBlock html:
                paragraphs.AddRange(Lines(html));
                break;
            case HeadingBlock heading:
                paragraphs.Add(Inline(heading.Inline));
                break;
            case ThematicBreakBlock:
                break;
            default:
                throw new NotSupportedException($"{block.GetType().Name} at line {block.Line + 1}");
        }
    }

    /// <summary>
    /// Inline markdown as platyPS's Full mode gives it: emphasis marks dropped, code spans kept with their backticks,
    /// a link as its text followed by an absolute http(s) address in parentheses, soft line breaks as spaces, hard ones as \n.
    /// </summary>
    public static string Inline(ContainerInline? container)
    {
        var text = new StringBuilder();
        Append(container, text);
        return text.ToString().Trim();
    }

    private static void Append(ContainerInline? container, StringBuilder text)
    {
        for (Inline? inline = container?.FirstChild; inline != null; inline = inline.NextSibling)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append('`').Append(code.Content).Append('`');
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case LinkInline link:
                    Append(link, text);
                    if (AbsoluteUri(link.Url) is { } uri && !text.ToString().EndsWith(uri, StringComparison.Ordinal)) text.Append(" (").Append(uri).Append(')');
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? '\n' : ' ');
                    break;
                case HtmlInline html:
                    text.Append(html.Tag);
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.ToString());
                    break;
                case ContainerInline inner:
                    Append(inner, text);
                    break;
                default:
                    text.Append(inline.ToString());
                    break;
            }
        }
    }

    /// <summary>An http(s) address; platyPS writes no other link address into MAML (relative links between pages have none).</summary>
    public static string? AbsoluteUri(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? url : null;
}
