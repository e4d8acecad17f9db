using System.Text;
using System.Text.RegularExpressions;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>
/// Just enough of a PowerShell data file to read our own manifest: top-level keys whose values are a string, a bare
/// token or an array of strings. Comments are dropped first (outside quotes).
/// </summary>
internal sealed partial class Psd1
{
    private readonly string _text;

    private Psd1(string text) => _text = WithoutComments(text);

    public static Psd1 Load(string path) => new(File.ReadAllText(path));

    public bool Has(string key) => Find(key) >= 0;

    /// <summary>A string or bare value; null when the key is absent.</summary>
    public string? Value(string key)
    {
        int at = Find(key);
        if (at < 0) return null;
        Match m = ScalarValue().Match(_text, at);
        return m.Groups["q1"].Success ? m.Groups["q1"].Value : m.Groups["q2"].Success ? m.Groups["q2"].Value : m.Groups["bare"].Value;
    }

    /// <summary>The strings of <c>@(...)</c> (or of a single string); null when the key is absent.</summary>
    public IReadOnlyList<string>? List(string key)
    {
        int at = Find(key);
        if (at < 0) return null;
        if (!_text.AsSpan(at).StartsWith("@("))
        {
            return [Value(key)!];
        }
        int end = _text.IndexOf(')', at);
        return QuotedString().Matches(_text[at..end]).Select(m => m.Groups["q1"].Success ? m.Groups["q1"].Value : m.Groups["q2"].Value).ToList();
    }

    private int Find(string key)
    {
        Match m = new Regex(@"(?im)^\s*" + Regex.Escape(key) + @"\s*=\s*").Match(_text);
        return m.Success ? m.Index + m.Length : -1;
    }

    private static string WithoutComments(string text)
    {
        var kept = new StringBuilder(text.Length);
        char quote = '\0';
        bool comment = false;
        foreach (char c in text)
        {
            if (comment)
            {
                if (c != '\n') continue;
                comment = false;
            }
            else if (quote != '\0')
            {
                if (c == quote) quote = '\0';
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#')
            {
                comment = true;
                continue;
            }
            kept.Append(c);
        }
        return kept.ToString();
    }

    [GeneratedRegex("""\G(?:'(?<q1>[^']*)'|"(?<q2>[^"]*)"|(?<bare>[^\s;}]+))""")]
    private static partial Regex ScalarValue();

    [GeneratedRegex(@"'(?<q1>[^']*)'|""(?<q2>[^""]*)""")]
    private static partial Regex QuotedString();
}
