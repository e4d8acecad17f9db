using System;
using System.Collections.Generic;

namespace Edi2.Model
{
    /// <summary>Get-Edi2AccessToken -Decode: what a token says, never the token itself.</summary>
    public sealed class Edi2AccessTokenInfo
    {
        public string ClientId { get; set; } = "";

        public DateTimeOffset ExpiresAt { get; set; }

        public string Scope { get; set; } = "";

        /// <summary>The <c>cnf.jkt</c> the token is bound to.</summary>
        public string DPoPKeyThumbprint { get; set; } = "";

        public IDictionary<string, object?> Header { get; set; } = new Dictionary<string, object?>();

        public IDictionary<string, object?> Claims { get; set; } = new Dictionary<string, object?>();
    }
}
