using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.HelseId
{
    /// <summary>The one place that signs JWTs. The payload is written by the caller, so claims are exactly what the spec asks.</summary>
    internal static class JwtSigner
    {
        private static readonly JsonWebTokenHandler Handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };

        public static string Sign(SigningKey key, string type, Action<Utf8JsonWriter> writeClaims, IReadOnlyDictionary<string, object>? publicJwkHeader = null)
        {
            var header = new Dictionary<string, object> { ["typ"] = type };
            if (publicJwkHeader != null) header["jwk"] = publicJwkHeader;
            return Handler.CreateToken(WritePayload(writeClaims), new SigningCredentials(key.SecurityKey, key.Algorithm), header);
        }

        private static string WritePayload(Action<Utf8JsonWriter> writeClaims)
        {
            using (var stream = new MemoryStream(256))
            {
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    writeClaims(writer);
                    writer.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
            }
        }

        /// <summary>A JWT id: 32 hex characters, as HelseID's own library makes them.</summary>
        public static string NewId() => Guid.NewGuid().ToString("N");
    }
}
