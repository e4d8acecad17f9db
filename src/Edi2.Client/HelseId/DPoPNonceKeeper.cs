using System.Linq;
using System.Net.Http;

namespace Edi2.HelseId
{
    /// <summary>
    /// The newest DPoP nonce of one server (RFC 9449 sections 8.2 and 9): a server may send a fresh <c>DPoP-Nonce</c> on
    /// any response, a 200 included, and the next proof carries the newest one. One keeper per server, so HelseID's
    /// nonce never goes to the API, nor the reverse.
    /// </summary>
    internal sealed class DPoPNonceKeeper
    {
        private volatile string? _nonce;

        /// <summary>The nonce for the next proof, or null until the server has sent one.</summary>
        public string? Current => _nonce;

        /// <summary>Keeps <paramref name="nonce"/> when there is one; returns it (null for none).</summary>
        public string? Remember(string? nonce)
        {
            if (string.IsNullOrEmpty(nonce)) return null;
            _nonce = nonce;
            return nonce;
        }

        /// <summary>
        /// The one retry rule for a nonce challenge (RFC 9449 sections 8 and 9): a <c>use_dpop_nonce</c> answer that
        /// carries a nonce is tried again once, with a new proof; a second challenge for the same request is an error.
        /// </summary>
        public static bool AnswerOnce(string? error, string? nonce, ref bool answered)
        {
            if (error != "use_dpop_nonce" || nonce is null || answered) return false;
            answered = true;
            return true;
        }

        /// <summary>Keeps the response's <c>DPoP-Nonce</c> (one value, as Duende.IdentityModel reads it); returns it.</summary>
        public string? Remember(HttpResponseMessage response) =>
            Remember(response.Headers.TryGetValues("DPoP-Nonce", out var values) && values.Count() == 1 ? values.First() : null);
    }
}
