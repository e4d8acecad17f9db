using System;
using System.Text.Json;

namespace Edi2.HelseId
{
    /// <summary>The <c>private_key_jwt</c> client assertion (RFC 7523, HelseID profile; spec 2.2 and 2.4).</summary>
    internal static class ClientAssertion
    {
        public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

        // HelseID allows at most 60 s; a shorter life leaves room for clock drift without giving a thief much.
        internal static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

        /// <summary>A new assertion with its own <c>jti</c>: one per token request attempt, the nonce retry included.</summary>
        public static string Create(SigningKey clientKey, string clientId, string issuer, OrganizationNumbers? organizations, DateTimeOffset now)
        {
            long iat = now.ToUnixTimeSeconds();
            return JwtSigner.Sign(clientKey, "client-authentication+jwt", claims =>
            {
                claims.WriteString("iss", clientId);
                claims.WriteString("sub", clientId);
                claims.WriteString("aud", issuer);
                claims.WriteString("jti", JwtSigner.NewId());
                claims.WriteNumber("iat", iat);
                claims.WriteNumber("nbf", iat);
                claims.WriteNumber("exp", iat + (long)Lifetime.TotalSeconds);
                if (organizations != null && !organizations.IsEmpty) WriteAssertionDetails(claims, organizations);
            });
        }

        private static void WriteAssertionDetails(Utf8JsonWriter claims, OrganizationNumbers organizations)
        {
            // Multi-tenant: "NO:ORGNR:<parent>:<child>" under urn:oid:1.0.6523 (trailing colon without a child, as
            // NHN's .NET library sends it). Single-tenant child only: the child under the ENH OID.
            bool multiTenant = organizations.Parent != null;
            claims.WriteStartObject("assertion_details");
            claims.WriteString("type", "helseid_authorization");
            claims.WriteStartObject("practitioner_role");
            claims.WriteStartObject("organization");
            claims.WriteStartObject("identifier");
            claims.WriteString("system", multiTenant ? "urn:oid:1.0.6523" : "urn:oid:2.16.578.1.12.4.1.4.101");
            claims.WriteString("type", "ENH");
            claims.WriteString("value", multiTenant ? $"NO:ORGNR:{organizations.Parent}:{organizations.Child}" : organizations.Child);
            claims.WriteEndObject();
            claims.WriteEndObject();
            claims.WriteEndObject();
            claims.WriteEndObject();
        }
    }
}
