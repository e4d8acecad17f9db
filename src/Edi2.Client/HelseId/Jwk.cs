using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.HelseId
{
    /// <summary>JSON Web Key reading and writing (RFC 7517/7518) and the RFC 7638 thumbprint.</summary>
    internal static class Jwk
    {
        private static readonly string[] RsaPrivateMembers = { "d", "p", "q", "dp", "dq", "qi" };

        /// <summary>RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace, base64url (Microsoft.IdentityModel's <see cref="JsonWebKey.ComputeJwkThumbprint"/>).</summary>
        public static string Thumbprint(IReadOnlyDictionary<string, object> publicJwk)
        {
            var key = (string)publicJwk["kty"] == "RSA"
                ? new JsonWebKey { Kty = "RSA", E = (string)publicJwk["e"], N = (string)publicJwk["n"] }
                : new JsonWebKey { Kty = (string)publicJwk["kty"], Crv = (string)publicJwk["crv"], X = (string)publicJwk["x"], Y = (string)publicJwk["y"] };
            return Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        }

        public static IReadOnlyDictionary<string, object> WithMetadata(IReadOnlyDictionary<string, object> publicJwk, string? kid, string alg)
        {
            var jwk = publicJwk.ToDictionary(p => p.Key, p => p.Value);
            if (kid != null) jwk["kid"] = kid;
            jwk["alg"] = alg;
            jwk["use"] = "sig";
            return jwk;
        }

        public static string Serialize(IReadOnlyDictionary<string, object> jwk)
        {
            using (var stream = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    foreach (var member in jwk) writer.WriteString(member.Key, (string)member.Value);
                    writer.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        /// <summary>
        /// Finds the private JWK in <paramref name="json"/>: a JWK, a JWKS holding exactly one private key, or a HelseID
        /// self-service configuration file whose <c>privateJwk</c> holds it (sometimes URL-encoded).
        /// </summary>
        public static JsonElement ParsePrivate(string json, string source)
        {
            JsonElement root;
            try
            {
                using (var document = JsonDocument.Parse(json))
                {
                    root = document.RootElement.Clone();
                }
            }
            catch (JsonException e)
            {
                // The parser's message can quote the input, so only its position is kept.
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk,
                    $"{SigningKey.Describe(source)} is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}).", source);
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk, $"{SigningKey.Describe(source)} is JSON but not a JWK object.", source);
            }

            if (root.TryGetProperty("privateJwk", out var embedded))
            {
                string inner = embedded.ValueKind == JsonValueKind.String ? embedded.GetString()! : embedded.GetRawText();
                if (inner.StartsWith("%7B", StringComparison.OrdinalIgnoreCase)) inner = WebUtility.UrlDecode(inner);
                return ParsePrivate(inner, source);
            }

            if (root.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
            {
                var privateKeys = keys.EnumerateArray().Where(k => k.ValueKind == JsonValueKind.Object && k.TryGetProperty("d", out _)).ToList();
                if (privateKeys.Count == 1) return privateKeys[0];
                if (privateKeys.Count == 0) throw PublicOnly(source);
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk,
                    $"{SigningKey.Describe(source)} is a key set with {privateKeys.Count} private keys; give a file with the one this client uses.", source);
            }

            if (!root.TryGetProperty("kty", out _))
            {
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk, $"{SigningKey.Describe(source)} has no 'kty' member, so it is not a JWK.", source);
            }
            if (!root.TryGetProperty("d", out _)) throw PublicOnly(source);
            return root;
        }

        public static RSAParameters ReadRsaParameters(JsonElement jwk, string source)
        {
            var missing = RsaPrivateMembers.Skip(1).Where(m => !jwk.TryGetProperty(m, out _)).ToList();
            if (missing.Count > 0)
            {
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk,
                    $"{SigningKey.Describe(source)} lacks the RSA members {string.Join(", ", missing)}; export the full private JWK.", source);
            }
            byte[] modulus = TrimLeadingZeros(RequiredBytes(jwk, "n", source));
            int half = (modulus.Length + 1) / 2;
            return new RSAParameters
            {
                Modulus = modulus,
                Exponent = TrimLeadingZeros(RequiredBytes(jwk, "e", source)),
                D = PadLeft(RequiredBytes(jwk, "d", source), modulus.Length),
                P = PadLeft(RequiredBytes(jwk, "p", source), half),
                Q = PadLeft(RequiredBytes(jwk, "q", source), half),
                DP = PadLeft(RequiredBytes(jwk, "dp", source), half),
                DQ = PadLeft(RequiredBytes(jwk, "dq", source), half),
                InverseQ = PadLeft(RequiredBytes(jwk, "qi", source), half),
            };
        }

        public static ECParameters ReadEcParameters(JsonElement jwk, string source)
        {
            string crv = RequiredString(jwk, "crv", source);
            var curve = SigningKey.CurveFromName(crv, source);
            int size = crv == "P-521" ? 66 : crv == "P-384" ? 48 : 32;
            return new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = PadLeft(RequiredBytes(jwk, "x", source), size), Y = PadLeft(RequiredBytes(jwk, "y", source), size) },
                D = PadLeft(RequiredBytes(jwk, "d", source), size),
            };
        }

        public static string RequiredString(JsonElement jwk, string member, string source) =>
            OptionalString(jwk, member)
            ?? throw new Edi2KeyException(KeyErrorReason.MalformedJwk, $"{SigningKey.Describe(source)} has no '{member}' member.", source);

        public static string? OptionalString(JsonElement jwk, string member) =>
            jwk.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static byte[] RequiredBytes(JsonElement jwk, string member, string source)
        {
            string value = RequiredString(jwk, member, source);
            try
            {
                return Base64UrlEncoder.DecodeBytes(value);
            }
            catch (FormatException)
            {
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk, $"{SigningKey.Describe(source)} has a '{member}' member that is not base64url.", source);
            }
        }

        private static Edi2KeyException PublicOnly(string source) =>
            new Edi2KeyException(KeyErrorReason.PublicOnly,
                $"{SigningKey.Describe(source)} holds only a public key. HelseID signing needs the private JWK; the public one is what you upload to HelseID self-service.",
                source);

        private static byte[] TrimLeadingZeros(byte[] value)
        {
            int start = 0;
            while (start < value.Length - 1 && value[start] == 0) start++;
            return start == 0 ? value : value.Skip(start).ToArray();
        }

        private static byte[] PadLeft(byte[] value, int length)
        {
            value = TrimLeadingZeros(value);
            if (value.Length >= length) return value;
            var padded = new byte[length];
            Buffer.BlockCopy(value, 0, padded, length - value.Length, value.Length);
            Array.Clear(value, 0, value.Length);
            return padded;
        }
    }
}
