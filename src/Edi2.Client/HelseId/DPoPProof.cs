using System;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.HelseId
{
    /// <summary>DPoP proofs (RFC 9449 section 4.2): a new one for every request and every retry.</summary>
    internal static class DPoPProof
    {
        public static string Create(SigningKey dpopKey, string method, Uri target, DateTimeOffset now, string? nonce = null, string? accessToken = null)
        {
            string htu = Htu(target);
            return JwtSigner.Sign(dpopKey, "dpop+jwt", claims =>
            {
                claims.WriteString("jti", JwtSigner.NewId());
                claims.WriteString("htm", method.ToUpperInvariant());
                claims.WriteString("htu", htu);
                claims.WriteNumber("iat", now.ToUnixTimeSeconds());
                if (nonce != null) claims.WriteString("nonce", nonce);
                if (accessToken != null) claims.WriteString("ath", Ath(accessToken));
            }, dpopKey.PublicJwk);
        }

        /// <summary>The target URI without query and fragment, percent-encoding kept, default port dropped.</summary>
        public static string Htu(Uri target) => target.GetLeftPart(UriPartial.Path);

        /// <summary>base64url(SHA-256(ASCII(access token))), binding the proof to the token.</summary>
        public static string Ath(string accessToken)
        {
            using (var sha = SHA256.Create())
            {
                return Base64UrlEncoder.Encode(sha.ComputeHash(Encoding.ASCII.GetBytes(accessToken)));
            }
        }
    }
}
