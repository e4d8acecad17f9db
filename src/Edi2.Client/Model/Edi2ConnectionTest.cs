using System;

namespace Edi2.Model
{
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
}
