using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Syntax;

namespace Edi2.HelpBuilder;

/// <summary>
/// An about topic (about_*.md) to the plain text PowerShell shows for <c>Get-Help about_*</c>, as platyPS 0.14's
/// TextRenderer writes it: the first heading becomes TOPIC and the second the topic name (lower case), # headings
/// upper case, ## headings as they are, text indented by four and wrapped at 80 columns, code indented by four.
/// The markdown itself is kept (platyPS reads about topics preserving formatting), line by line.
/// </summary>
internal static class AboutTopicWriter
{
    private const string Indent = "    ";
    private const int Width = 80;

    public static string Render(string file, string markdown)
    {
        string source = markdown.Replace("\r\n", "\n");
        string[] lines = source.Split('\n');
        MarkdownDocument document = Markdown.Parse(source, MarkdownText.Pipeline);
        var blocks = document.ToList();
        if (blocks.Count < 2 || blocks[0] is not HeadingBlock { Level: 1 } || blocks[1] is not HeadingBlock { Level: 2 })
        {
            throw new HelpSourceException(file, 1, "an about topic starts with '# <topic>' and then '## about_<name>'");
        }

        var text = new StringBuilder();
        for (int i = 0; i < blocks.Count; i++)
        {
            Block block = blocks[i];
            switch (block)
            {
                case HeadingBlock heading:
                    string title = MarkdownText.Inline(heading.Inline);
                    if (i == 0) text.Append("TOPIC\n");
                    else if (i == 1) text.Append(Indent).Append(title.ToLowerInvariant()).Append("\n\n");
                    else if (heading.Level == 1) text.Append(title.ToUpperInvariant()).Append('\n');
                    else if (heading.Level == 2) text.Append(title).Append('\n');
                    else text.Append(Indent).Append(title.ToUpperInvariant()).Append('\n');
                    break;
                case FencedCodeBlock code:
                    foreach (string line in MarkdownText.Lines(code)) text.Append((Indent + line).TrimEnd()).Append('\n');
                    text.Append('\n');
                    break;
                default:
                    foreach (string line in SourceLines(source, lines, block)) Wrap(line, text);
                    // A list right under its lead-in line is one paragraph, as platyPS reads it.
                    bool continues = i + 1 < blocks.Count && blocks[i + 1] is not HeadingBlock and not FencedCodeBlock && blocks[i + 1].Line == EndLine(source, block) + 1;
                    if (!continues) text.Append('\n');
                    break;
            }
        }
        return text.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>The 0-based line of a block's last character.</summary>
    private static int EndLine(string source, Block block) => source.AsSpan(0, Math.Clamp(block.Span.End, 0, source.Length)).Count('\n');

    private static IEnumerable<string> SourceLines(string source, string[] lines, Block block)
    {
        for (int i = block.Line; i <= EndLine(source, block) && i < lines.Length; i++)
        {
            if (lines[i].Trim().Length > 0) yield return lines[i].TrimEnd();
        }
    }

    /// <summary>One source line, indented and wrapped at word boundaries; a list item's later lines hang under its text.</summary>
    private static void Wrap(string line, StringBuilder text)
    {
        string content = line.TrimStart();
        string lead = line[..(line.Length - content.Length)];
        string first = Indent + lead;
        string hanging = first + (content.StartsWith("- ", StringComparison.Ordinal) || content.StartsWith("* ", StringComparison.Ordinal) ? "  " : "");
        var current = new StringBuilder(first);
        bool empty = true;
        foreach (string word in content.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && current.Length + 1 + word.Length > Width)
            {
                text.Append(current).Append('\n');
                current.Clear().Append(hanging);
                empty = true;
            }
            if (!empty) current.Append(' ');
            current.Append(word);
            empty = false;
        }
        text.Append(current).Append('\n');
    }
}
