using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace Edi2.HelpBuilder;

/// <summary>
/// MAML in the shape platyPS 0.14's MamlRenderer writes and PowerShell's help system reads: helpItems, one
/// command:command per page with details, description, syntax (a syntaxItem per parameter set), parameters,
/// inputTypes, returnValues, alertSet (notes), examples and relatedLinks (the page's 'online version' first).
/// </summary>
internal static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument Document(IEnumerable<CommandPage> pages) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), pages.Select(CommandElement)));

    private static XElement CommandElement(CommandPage page)
    {
        string verb = page.Name.Split('-')[0];
        string noun = page.Name[Math.Min(verb.Length + 1, page.Name.Length)..];
        var links = page.Links.ToList();
        if (page.OnlineVersion is { } online) links.Insert(0, new Link("Online Version:", online));

        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", page.Name),
                new XElement(Command + "verb", verb),
                new XElement(Command + "noun", noun),
                new XElement(Maml + "description", Paragraphs(page.Synopsis))),
            new XElement(Maml + "description", Paragraphs(page.Description)),
            new XElement(Command + "syntax", page.Syntax().Select(s =>
                new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", page.Name),
                    s.Parameters.Select(p => Parameter(p.Entry, p.Block, inSyntax: true))))),
            new XElement(Command + "parameters", page.Parameters.Select(p => Parameter(p, p.Blocks[0], inSyntax: false))),
            new XElement(Command + "inputTypes", page.Inputs.Select(t => TypeElement("inputType", t))),
            new XElement(Command + "returnValues", page.Outputs.Select(t => TypeElement("returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(page.Notes))),
            new XElement(Command + "examples", page.Examples.Select(e =>
                new XElement(Command + "example",
                    new XElement(Maml + "title", PadExampleTitle(e.Title)),
                    new XElement(Dev + "code", string.Join("\n\n", e.Code)),
                    new XElement(Dev + "remarks", Paragraphs(e.Remarks))))),
            new XElement(Command + "relatedLinks", links.Select(l =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", l.Uri)))));
    }

    private static XElement Parameter(ParameterEntry entry, ParameterBlock block, bool inSyntax)
    {
        string type = block.IsSwitch ? "SwitchParameter" : block.Type;
        return new XElement(Command + "parameter",
            new XAttribute("required", block.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", block.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", block.PipelineInput),
            new XAttribute("position", block.IsNamed ? "named" : block.Position),
            new XAttribute("aliases", block.Aliases.Count > 0 ? string.Join(", ", block.Aliases) : "none"),
            new XElement(Maml + "name", entry.Name),
            new XElement(Maml + "Description", Paragraphs(entry.Description)),
            inSyntax && block.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", block.AcceptedValues.Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), v)))
                : null,
            // As platyPS: a switch shows no <SwitchParameter> value in SYNTAX.
            !inSyntax || !block.IsSwitch
                ? new XElement(Command + "parameterValue", new XAttribute("required", block.IsSwitch ? "false" : "true"), new XAttribute("variableLength", "false"), type)
                : null,
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue",
                block.IsSwitch && (block.DefaultValue is null || block.DefaultValue == "None") ? "False" : block.DefaultValue ?? "None"));
    }

    private static XElement TypeElement(string name, TypeEntry entry) =>
        new(Command + name,
            new XElement(Dev + "type", new XElement(Maml + "name", entry.TypeName)),
            new XElement(Maml + "description", Paragraphs(entry.Description)));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) => paragraphs.Select(p => new XElement(Maml + "para", p));

    /// <summary>platyPS pads an example title with dashes to 64 characters, as Get-Help has always shown them.</summary>
    private static string PadExampleTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length >= 62) return title;
        string dashes = new('-', (64 - title.Length - 2) / 2);
        return $"{dashes} {title} {dashes}";
    }
}
