using System.Text;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// Windows PowerShell 5.1 reads a script without a BOM as the ANSI code page, so "æøå" in a test or module file would
/// become mojibake there. Every PowerShell file with a non-ASCII character is saved as UTF-8 with a BOM.
/// </summary>
public sealed class ScriptEncodingTests
{
    private static readonly string[] ScriptExtensions = [".ps1", ".psm1", ".psd1", ".ps1xml"];
    private static readonly string[] NotSources = ["bin", "obj", "out", ".git", "sandbox", "TestResults"];

    public static IEnumerable<string> ScriptsWithNonAscii(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(path => ScriptExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
            .Where(path => !Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Any(part => NotSources.Contains(part)))
            .Where(path => File.ReadAllBytes(path).Any(b => b > 0x7F));

    public static bool HasUtf8Bom(string path) => File.ReadAllBytes(path).AsSpan().StartsWith(Encoding.UTF8.Preamble);

    [Fact]
    public void Every_PowerShell_file_with_non_ASCII_text_has_a_UTF8_BOM()
    {
        var missing = ScriptsWithNonAscii(Support.TestPaths.RepoRoot).Where(path => !HasUtf8Bom(path))
            .Select(path => Path.GetRelativePath(Support.TestPaths.RepoRoot, path)).ToList();
        Assert.True(missing.Count == 0, "Save as UTF-8 with BOM (Windows PowerShell 5.1 reads these as ANSI otherwise): " + string.Join(", ", missing));
    }

    [Fact]
    public void The_rule_finds_a_script_without_a_BOM()
    {
        string folder = Directory.CreateTempSubdirectory("edi2-bom-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "plain.ps1"), "'ascii only'", new UTF8Encoding(false));
            File.WriteAllText(Path.Combine(folder, "without.ps1"), "'blåbær'", new UTF8Encoding(false));
            File.WriteAllText(Path.Combine(folder, "with.ps1"), "'blåbær'", new UTF8Encoding(true));
            var found = ScriptsWithNonAscii(folder).Where(path => !HasUtf8Bom(path)).Select(Path.GetFileName);
            Assert.Equal(["without.ps1"], found);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
