using System;
using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.HelseId
{
    /// <summary>
    /// The signature providers of one <see cref="SigningKey"/>, made once per algorithm and kept until the key is disposed.
    /// IdentityModel's shared cache is keyed by the public key, so a key loaded again after Dispose would sign with the
    /// disposed object; without a cache, every proof built its provider (and its crypto objects) again, about 12 KB and a
    /// third of a proof's time. IdentityModel's asymmetric providers are thread-safe (they pool their crypto objects), so one
    /// serves every request of a session at once.
    /// </summary>
    internal sealed class KeySignatureProviders : CryptoProviderFactory, IDisposable
    {
        private readonly ConcurrentDictionary<string, Lazy<SignatureProvider>> _signing = new ConcurrentDictionary<string, Lazy<SignatureProvider>>(StringComparer.Ordinal);
        private readonly CryptoProviderFactory _maker = new CryptoProviderFactory { CacheSignatureProviders = false };
        private volatile bool _disposed;

        public KeySignatureProviders()
        {
            CacheSignatureProviders = false;
        }

        public override SignatureProvider CreateForSigning(SecurityKey key, string algorithm) => CreateForSigning(key, algorithm, cacheProvider: true);

        public override SignatureProvider CreateForSigning(SecurityKey key, string algorithm, bool cacheProvider)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(SigningKey));
            // One factory per key, so the algorithm alone tells the providers apart.
            return _signing.GetOrAdd(algorithm, a => new Lazy<SignatureProvider>(() => _maker.CreateForSigning(key, a, cacheProvider: false))).Value;
        }

        /// <summary>Kept for the next signature; disposed with the key.</summary>
        public override void ReleaseSignatureProvider(SignatureProvider signatureProvider)
        {
        }

        public void Dispose()
        {
            _disposed = true;
            foreach (var provider in _signing.Values)
            {
                if (provider.IsValueCreated) provider.Value.Dispose();
            }
            _signing.Clear();
        }
    }
}
