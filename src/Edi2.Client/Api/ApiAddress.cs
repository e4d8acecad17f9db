using System;
using System.Text.RegularExpressions;

namespace Edi2.Api
{
    /// <summary>
    /// Where a signed request may go: under the session's API base (scheme, host, port and path prefix) and nowhere else,
    /// since every request carries the access token and a proof. A caller gives a path relative to the base
    /// (<c>messages/{id}</c> or <c>/messages/{id}</c>, with a query); an absolute URL, a <c>//host/</c> reference, a
    /// backslash, a <c>.</c> or <c>..</c> segment or an encoded dot, slash or backslash in the path is refused before a
    /// byte is sent. Resolving cannot then leave the base, and <see cref="IsUnder"/> checks it once more.
    /// </summary>
    internal static class ApiAddress
    {
        // RFC 3986 section 3.1: a scheme, then ':'. (On Unix, Uri.TryCreate(..., Absolute) takes "/messages" for a file URL.)
        private static readonly Regex Scheme = new Regex(@"^[A-Za-z][A-Za-z0-9+.\-]*:", RegexOptions.CultureInvariant);
        // %2e '.', %2f '/', %5c '\': forms a server may decode into a path that leaves the base.
        private static readonly Regex EncodedSeparator = new Regex("%(2e|2f|5c)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>The absolute URL of <paramref name="pathAndQuery"/> under <paramref name="apiBase"/> (normalised, ending in '/').</summary>
        /// <exception cref="ArgumentException">The address would leave the API base.</exception>
        public static Uri Resolve(Uri apiBase, string pathAndQuery)
        {
            string text = pathAndQuery ?? "";
            string? why = Refusal(text);
            if (why is null)
            {
                var uri = new Uri(apiBase, text.StartsWith("/", StringComparison.Ordinal) ? text.Substring(1) : text);
                if (IsUnder(apiBase, uri)) return uri;
                why = "it resolves to " + uri.AbsoluteUri;
            }
            throw Refused(text, apiBase, why);
        }

        /// <summary>True when <paramref name="uri"/> has the base's scheme, host and port and a path below the base's.</summary>
        public static bool IsUnder(Uri apiBase, Uri uri) =>
            uri.IsAbsoluteUri
            && string.Equals(uri.Scheme, apiBase.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.IdnHost, apiBase.IdnHost, StringComparison.OrdinalIgnoreCase)
            && uri.Port == apiBase.Port
            && string.IsNullOrEmpty(uri.UserInfo)
            && uri.AbsolutePath.StartsWith(apiBase.AbsolutePath, StringComparison.Ordinal);

        /// <summary>The <c>Edi2.InvalidArgument</c> for a request that would go to <paramref name="target"/>, outside <paramref name="apiBase"/>.</summary>
        public static ArgumentException Refused(string target, Uri apiBase, string why) =>
            new ArgumentException(
                $"The request address '{target}' is refused: {why}. A request carries this session's access token and goes only under the API base {apiBase}; " +
                "give a path relative to it, such as 'messages/<id>' or '/ping'.", "path");

        private static string? Refusal(string text)
        {
            if (Scheme.IsMatch(text)) return "it is an absolute URL";
            if (text.StartsWith("//", StringComparison.Ordinal)) return "it names another host ('//host/')";
            if (text.IndexOf('\\') >= 0) return "it has a backslash";
            if (text.IndexOf('#') >= 0) return "it has a fragment ('#')";
            foreach (char c in text)
            {
                if (char.IsControl(c) || char.IsWhiteSpace(c)) return "it has a space or control character";
            }
            int query = text.IndexOf('?');
            string path = query < 0 ? text : text.Substring(0, query);
            if (EncodedSeparator.IsMatch(path)) return "its path has an encoded dot, slash or backslash (%2e, %2f, %5c)";
            foreach (string segment in path.Split('/'))
            {
                if (segment == "." || segment == "..") return "its path has a '" + segment + "' segment";
            }
            return null;
        }
    }
}
