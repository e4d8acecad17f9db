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

    /// <summary>Test-Edi2Connection's result.</summary>
    public sealed class Edi2ConnectionTest
    {
        public bool Success { get; set; }

        public string ClientId { get; set; } = "";

        public Uri? ApiBaseUri { get; set; }

        public bool TokenOk { get; set; }

        public DateTimeOffset? TokenExpiresAt { get; set; }

        /// <summary>"Pong" from v3 GET /ping; null on v2 (no ping there) or when it failed.</summary>
        public string? Ping { get; set; }

        public DateTimeOffset? ServerTime { get; set; }

        /// <summary>Round trip of the ping.</summary>
        public TimeSpan? Latency { get; set; }

        /// <summary>What went wrong, with what to check.</summary>
        public string? Error { get; set; }
    }

    /// <summary>New-Edi2ClientKey's result: the public half, ready for HelseID self-service.</summary>
    public sealed class Edi2ClientKeyInfo
    {
        /// <summary>Where the private JWK was written (readable by the current user only).</summary>
        public string Path { get; set; } = "";

        public string Algorithm { get; set; } = "";

        public string KeyId { get; set; } = "";

        /// <summary>RFC 7638 thumbprint of the public key.</summary>
        public string Thumbprint { get; set; } = "";

        /// <summary>The public JWK to paste into HelseID self-service.</summary>
        public string PublicJwk { get; set; } = "";
    }
}
