using System;

namespace Edi2.HelseId
{
    /// <summary>A DPoP-bound HelseID access token. <see cref="ToString"/> never shows the token itself.</summary>
    public sealed class AccessToken
    {
        internal AccessToken(string value, DateTimeOffset issuedAt, DateTimeOffset expiresAt, string scope, string dpopKeyThumbprint)
        {
            Value = value;
            IssuedAt = issuedAt;
            ExpiresAt = expiresAt;
            Scope = scope;
            DPoPKeyThumbprint = dpopKeyThumbprint;
        }

        /// <summary>The token (a JWT). A secret: keep it out of logs and output.</summary>
        internal string Value { get; }

        /// <summary>When this client received it (its own clock, so skew with HelseID does not matter).</summary>
        public DateTimeOffset IssuedAt { get; }

        /// <summary>Received time plus <c>expires_in</c>.</summary>
        public DateTimeOffset ExpiresAt { get; }

        /// <summary>The granted scope, space-separated.</summary>
        public string Scope { get; }

        /// <summary>The <c>jkt</c> of the DPoP key the token is bound to.</summary>
        public string DPoPKeyThumbprint { get; }

        public override string ToString() => $"DPoP access token for '{Scope}', expires {ExpiresAt:u}";
    }
}
