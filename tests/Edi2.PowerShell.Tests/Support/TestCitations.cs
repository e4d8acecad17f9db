using System.Text.RegularExpressions;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>
/// The tests a document names: <c>`Class.Method`</c> for an xunit test (a class whose name ends in Tests, anywhere under
/// tests/) and <c>`Pester: File.Tests.ps1: title`</c> for a Pester test (an <c>It 'title'</c> in tests/Pester/File.Tests.ps1).
/// </summary>
internal static class TestCitations
{
    private static readonly Regex Xunit = new(@"`(?<class>[A-Z][A-Za-z0-9]*Tests)\.(?<method>[A-Za-z0-9_]+)`");
    private static readonly Regex Pester = new(@"`Pester: (?<file>[A-Za-z0-9.]+\.Tests\.ps1): (?<title>[^`]+)`");

    public static List<string> In(string markdown) =>
        Xunit.Matches(markdown).Select(m => m.Value.Trim('`'))
            .Concat(Pester.Matches(markdown).Select(m => m.Value.Trim('`')))
            .Distinct().ToList();

    /// <summary>Each citation that names no test in <paramref name="repoRoot"/>/tests, with the reason.</summary>
    public static IEnumerable<string> Missing(IEnumerable<string> citations, string repoRoot)
    {
        string tests = Path.Combine(repoRoot, "tests");
        var sources = Directory.GetFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText).ToList();
        foreach (string citation in citations)
        {
            var pester = Pester.Match("`" + citation + "`");
            if (pester.Success)
            {
                string file = Path.Combine(tests, "Pester", pester.Groups["file"].Value);
                string title = pester.Groups["title"].Value;
                if (!File.Exists(file)) yield return $"{citation}: there is no tests/Pester/{pester.Groups["file"].Value}";
                else if (!File.ReadAllText(file).Contains("It '" + title.Replace("'", "''") + "'", StringComparison.Ordinal)) yield return $"{citation}: no It '{title}' in it";
                continue;
            }
            var xunit = Xunit.Match("`" + citation + "`");
            string cls = xunit.Groups["class"].Value, method = xunit.Groups["method"].Value;
            var classFiles = sources.Where(s => Regex.IsMatch(s, @"\b(public|internal)\s+(sealed\s+|static\s+|abstract\s+|partial\s+)*class\s+" + cls + @"\b")).ToList();
            if (classFiles.Count == 0) yield return $"{citation}: there is no test class {cls}";
            else if (!classFiles.Any(s => Regex.IsMatch(s, @"\[(Fact|Theory|UnixFact|SecondAccountFact)[^\]]*\][^{;]*?\b(void|Task)\s+" + method + @"\s*\(")))
            {
                yield return $"{citation}: {cls} has no test {method}";
            }
        }
    }
}
