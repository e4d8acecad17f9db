using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace Edi2.HelpBuilder;

/// <summary>
/// docs/en-US to help: <c>Edi2.HelpBuilder &lt;docs folder&gt; &lt;output folder&gt;</c>. Cmdlet pages (Verb-Noun.md) go
/// into the MAML file their 'external help file' names; about_*.md become about_*.help.txt. The output folder is
/// written afresh, so help of a removed page does not stay behind. Errors are printed in MSBuild's format.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Edi2.HelpBuilder <docs folder> <output folder>");
            return 2;
        }
        string docs = Path.GetFullPath(args[0]), output = Path.GetFullPath(args[1]);
        try
        {
            var files = Directory.GetFiles(docs, "*.md").Order(StringComparer.Ordinal).ToList();
            var about = files.Where(f => Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase)).ToList();
            var pages = files.Except(about).Select(f => CommandPage.Parse(f, File.ReadAllText(f))).ToList();
            if (pages.Count == 0) throw new HelpSourceException(docs, 0, "no cmdlet pages");

            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            Directory.CreateDirectory(output);
            var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, IndentChars = "  ", NewLineChars = "\n" };
            foreach (var file in pages.GroupBy(p => p.HelpFile, StringComparer.OrdinalIgnoreCase))
            {
                using XmlWriter writer = XmlWriter.Create(Path.Combine(output, file.Key), settings);
                MamlWriter.Document(file).Save(writer);
            }
            foreach (string topic in about)
            {
                string text = AboutTopicWriter.Render(topic, File.ReadAllText(topic));
                File.WriteAllText(Path.Combine(output, Path.GetFileNameWithoutExtension(topic) + ".help.txt"), text, new UTF8Encoding(false));
            }
            Console.WriteLine($"Edi2.HelpBuilder: {pages.Count} cmdlets, {about.Count} about topics -> {output}");
            return 0;
        }
        catch (HelpSourceException e)
        {
            Console.Error.WriteLine($"{e.File}({e.Line}): error EDI2HELP: {e.Message}");
            return 1;
        }
    }
}
