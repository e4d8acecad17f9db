using System;
using Edi2.Api;
using Edi2.HelseId;

namespace Edi2.Workflows
{
    /// <summary>Which client rotates its key, where HelseID and self-service are, and what the new key is.</summary>
    public sealed class ClientKeyRotationOptions
    {
        public string ClientId { get; set; } = "";

        public Uri Authority { get; set; } = Edi2Endpoints.TestAuthority;

        public OrganizationNumbers? Organizations { get; set; }

        /// <summary>The self-service API base; <c>v1/client-secret</c> is below it.</summary>
        public Uri SelfServiceUri { get; set; } = Edi2Endpoints.SelfService(Edi2Environment.Test);

        /// <summary>The new key's algorithm (SigningAlgorithms.ForNewKeys); PS256 makes RSA 4096, as NHN's own rotation.</summary>
        public string Algorithm { get; set; } = "PS256";

        public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>One attempt per request: the POST is never repeated (RetryPolicy retries no POST anyway).</summary>
        public RetryPolicy Retry { get; set; } = new RetryPolicy();
    }
}
