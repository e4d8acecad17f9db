using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.HelseId
{
    /// <summary>A JWT's header and claims, read for showing (no signature check): what HelseID put in a token.</summary>
    public sealed class JwtParts
    {
        private JwtParts(IReadOnlyDictionary<string, object?> header, IReadOnlyDictionary<string, object?> claims)
        {
            Header = header;
            Claims = claims;
        }

        public IReadOnlyDictionary<string, object?> Header { get; }

        public IReadOnlyDictionary<string, object?> Claims { get; }

        public static JwtParts Read(string jwt)
        {
            var parts = jwt.Split('.');
            if (parts.Length < 2) throw new ArgumentException("The value is not a JWT (it needs at least header and payload).", nameof(jwt));
            return new JwtParts(ReadObject(parts[0]), ReadObject(parts[1]));
        }

        private static IReadOnlyDictionary<string, object?> ReadObject(string base64Url)
        {
            using (var document = JsonDocument.Parse(Base64UrlEncoder.Decode(base64Url)))
            {
                return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value));
            }
        }

        private static object? Plain(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return value.GetString();
                case JsonValueKind.Number: return value.TryGetInt64(out long l) ? l : (object)value.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Array: return value.EnumerateArray().Select(Plain).ToArray();
                case JsonValueKind.Object: return value.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value));
                default: return null;
            }
        }
    }
}
