using System;

namespace Edi2.Model
{
    /// <summary>The answer of v3 GET /ping.</summary>
    public sealed class Edi2Ping
    {
        public string Response { get; set; } = "";

        public DateTimeOffset? ServerTime { get; set; }
    }
}
