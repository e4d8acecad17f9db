using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.HelseId
{
    /// <summary>
    /// An asymmetric key that signs JWTs: the HelseID client key (client assertions) or a DPoP key (proofs).
    /// Holds private material, so it never prints or serializes it: <see cref="ToString"/> shows only type, size,
    /// algorithm, kid and thumbprint.
    /// </summary>
    public sealed partial class SigningKey : IDisposable
    {
        private readonly AsymmetricAlgorithm _key;
        private readonly X509Certificate2? _certificate;
        private readonly KeySignatureProviders _providers = new KeySignatureProviders();

        private SigningKey(AsymmetricAlgorithm key, string algorithm, string? keyId, X509Certificate2? certificate = null)
        {
            _key = key;
            _certificate = certificate;
            Algorithm = algorithm;
            KeyId = keyId;
            PublicJwk = BuildPublicJwk(key);
            Thumbprint = Jwk.Thumbprint(PublicJwk);
            SecurityKey = key is RSA rsa ? new RsaSecurityKey(rsa) { KeyId = keyId } : new ECDsaSecurityKey((ECDsa)key) { KeyId = keyId };
            // This key's own providers, made once (not IdentityModel's shared cache: see KeySignatureProviders).
            SecurityKey.CryptoProviderFactory = _providers;
        }

        /// <summary>The JWS algorithm this key signs with, e.g. PS256 or ES256.</summary>
        public string Algorithm { get; }

        /// <summary>The key id sent as <c>kid</c>, when the key has one.</summary>
        public string? KeyId { get; }

        /// <summary>"RSA" or "EC".</summary>
        public string KeyType => _key is RSA ? "RSA" : "EC";

        /// <summary>Key size in bits (RSA modulus or EC field size).</summary>
        public int KeySize => _key.KeySize;

        /// <summary>RFC 7638 SHA-256 thumbprint of the public key (the DPoP <c>jkt</c> when this key signs proofs).</summary>
        public string Thumbprint { get; }

        /// <summary>The required public members only (kty, n, e or kty, crv, x, y), as the DPoP <c>jwk</c> header wants them.</summary>
        internal IReadOnlyDictionary<string, object> PublicJwk { get; }

        internal SecurityKey SecurityKey { get; }

        public override string ToString() =>
            $"{KeyType} {KeySize} {Algorithm}{(KeyId is null ? "" : " kid=" + KeyId)} jkt={Thumbprint}";

        public void Dispose()
        {
            _providers.Dispose();
            _key.Dispose();
            _certificate?.Dispose();
        }

        private static void Wipe(RSAParameters p)
        {
            foreach (var part in new[] { p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ })
            {
                if (part != null) Array.Clear(part, 0, part.Length);
            }
        }
    }
}
