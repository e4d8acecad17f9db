using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.HelseId
{
    // The JWK export: the public JWK (the DPoP header, the thumbprint, self-service) and the private one (a new key's file).
    public sealed partial class SigningKey
    {
        /// <summary>The public JWK with <c>kid</c>, <c>alg</c> and <c>use</c>, ready to paste into HelseID self-service.</summary>
        public string ExportPublicJwk() => Jwk.Serialize(Jwk.WithMetadata(PublicJwk, KeyId, Algorithm));

        /// <summary>The private JWK (for writing a newly generated key to a protected file). Handle with care.</summary>
        public string ExportPrivateJwk()
        {
            var jwk = Jwk.WithMetadata(PublicJwk, KeyId, Algorithm).ToDictionary(m => m.Key, m => m.Value);
            if (_key is RSA rsa)
            {
                var p = rsa.ExportParameters(true);
                jwk["d"] = Base64UrlEncoder.Encode(p.D);
                jwk["p"] = Base64UrlEncoder.Encode(p.P);
                jwk["q"] = Base64UrlEncoder.Encode(p.Q);
                jwk["dp"] = Base64UrlEncoder.Encode(p.DP);
                jwk["dq"] = Base64UrlEncoder.Encode(p.DQ);
                jwk["qi"] = Base64UrlEncoder.Encode(p.InverseQ);
                Wipe(p);
            }
            else
            {
                var p = ((ECDsa)_key).ExportParameters(true);
                jwk["d"] = Base64UrlEncoder.Encode(p.D);
                Array.Clear(p.D, 0, p.D.Length);
            }
            return Jwk.Serialize(jwk);
        }

        private static IReadOnlyDictionary<string, object> BuildPublicJwk(AsymmetricAlgorithm key)
        {
            if (key is RSA rsa)
            {
                var p = rsa.ExportParameters(false);
                return new Dictionary<string, object>
                {
                    ["kty"] = "RSA", ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
                };
            }
            var ec = ((ECDsa)key).ExportParameters(false);
            return new Dictionary<string, object>
            {
                ["kty"] = "EC", ["crv"] = CurveName(ec.Curve, "the key"),
                ["x"] = Base64UrlEncoder.Encode(ec.Q.X), ["y"] = Base64UrlEncoder.Encode(ec.Q.Y),
            };
        }
    }
}
