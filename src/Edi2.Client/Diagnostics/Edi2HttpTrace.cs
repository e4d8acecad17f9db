using System;

namespace Edi2.Diagnostics
{
    /// <summary>One HTTP exchange (with the API or HelseID), for -Verbose and -Debug. Holds no token, proof or key.</summary>
    public sealed class Edi2HttpTrace
    {
        internal Edi2HttpTrace(string method, Uri uri, int? status, TimeSpan elapsed, int attempt, string? note, string requestHeaders)
        {
            RequestHeaders = requestHeaders;
            Method = method;
            Uri = uri;
            StatusCode = status;
            Elapsed = elapsed;
            Attempt = attempt;
            Note = note;
        }

        public string Method { get; }

        public Uri Uri { get; }

        /// <summary>Null when no answer came (a transport error).</summary>
        public int? StatusCode { get; }

        /// <summary>The request headers, with the token and proof redacted.</summary>
        public string RequestHeaders { get; }

        public TimeSpan Elapsed { get; }

        public int Attempt { get; }

        /// <summary>Why the pipeline tried again, or the transport error.</summary>
        public string? Note { get; }

        public override string ToString() =>
            $"{Method} {Uri} -> {(StatusCode?.ToString() ?? "no answer")} in {Elapsed.TotalMilliseconds:0} ms"
            + (Attempt > 1 ? $" (attempt {Attempt})" : "")
            + (Note is null ? "" : $": {Note}");
    }
}
