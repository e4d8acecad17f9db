using System;

namespace Edi2.HelseId
{
    /// <summary>Who asks HelseID for a token, where, and for what.</summary>
    public sealed class HelseIdClientSettings
    {
        public const string MshScope = "nhn:msh/api";

        public HelseIdClientSettings(Uri authority, string clientId, OrganizationNumbers? organizations = null, string scope = MshScope)
        {
            if (string.IsNullOrWhiteSpace(clientId)) throw new ArgumentException("The HelseID client id is empty.", nameof(clientId));
            Authority = Edi2Endpoints.RequireSecure(authority, "HelseID authority");
            ClientId = clientId.Trim();
            Organizations = organizations ?? new OrganizationNumbers(null, null);
            Scope = scope;
        }

        public Uri Authority { get; }

        public string ClientId { get; }

        public OrganizationNumbers Organizations { get; }

        public string Scope { get; }

        /// <summary>How long discovery may take, and then one token fetch (both nonce attempts).</summary>
        public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
    }
}
