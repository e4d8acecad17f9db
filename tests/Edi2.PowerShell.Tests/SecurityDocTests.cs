using Edi2.PowerShell.Tests.Support;

namespace Edi2.PowerShell.Tests;

/// <summary>
/// docs/security.md names the test that shows each claim; every one must exist, so the document cannot quietly go stale
/// when a test is renamed or removed. The second half shows the check finds a name that does not exist.
/// </summary>
public sealed class SecurityDocTests
{
    private static string Document => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "security.md"));

    [Fact]
    public void Every_test_named_in_docs_security_md_exists()
    {
        var citations = TestCitations.In(Document);
        Assert.True(citations.Count >= 60, $"docs/security.md names only {citations.Count} tests");
        Assert.Contains(citations, c => c.StartsWith("Pester: ", StringComparison.Ordinal));
        Assemblies.AssertNone(TestCitations.Missing(citations, TestPaths.RepoRoot).ToList());
    }

    [Fact]
    public void README_and_the_about_topic_point_to_docs_security_md()
    {
        Assert.Contains("(docs/security.md)", File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")));
        Assert.Contains("docs/security.md", File.ReadAllText(Path.Combine(TestPaths.HelpFolder, "about_Edi2_Security.md")));
    }

    [Fact]
    public void A_test_that_does_not_exist_is_found_in_either_form()
    {
        var citations = TestCitations.In(
            "`KeyFileTests.A_missing_folder_is_a_clear_error` `KeyFileTests.No_such_test` `NoSuchTests.Anything` " +
            "`Pester: Security.Tests.ps1: takes a path with or without a leading slash` `Pester: Security.Tests.ps1: no such title` " +
            "`Pester: Nothing.Tests.ps1: x`");

        Assert.Equal(6, citations.Count);
        Assert.Equal(
            [
                "KeyFileTests.No_such_test: KeyFileTests has no test No_such_test",
                "NoSuchTests.Anything: there is no test class NoSuchTests",
                "Pester: Nothing.Tests.ps1: x: there is no tests/Pester/Nothing.Tests.ps1",
                "Pester: Security.Tests.ps1: no such title: no It 'no such title' in it",
            ],
            TestCitations.Missing(citations, TestPaths.RepoRoot).Order(StringComparer.Ordinal));
    }
}
