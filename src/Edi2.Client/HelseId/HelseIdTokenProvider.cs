using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.HelseId
{
    /// <summary>How the DPoP proofs are signed.</summary>
    public enum DPoPKeyMode
    {
        /// <summary>A fresh ES256 key per session: fast proofs, and the long-lived client key signs only assertions.</summary>
        Ephemeral,
        /// <summary>The client key signs the proofs too, as NHN's own .NET library does.</summary>
        ClientKey,
    }

    /// <summary>
    /// A session's access to HelseID: cached DPoP-bound tokens for one client, and proofs signed with the key the
    /// tokens are bound to.
    /// </summary>
    public sealed class HelseIdTokenProvider : IDisposable
    {
        private readonly HttpClient _http;
        private readonly TokenCache _cache;
        private readonly bool _ownsDPoPKey;
        // Replaced together by UseClientKey (key rotation); the keys they replace are wiped on Dispose, not at once,
        // because a token request may still be signing with them.
        private volatile HelseIdTokenClient _client;
        private volatile SigningKey _clientKey;
        private volatile SigningKey _dpopKey;
        private readonly System.Collections.Generic.List<SigningKey> _retiredKeys = new System.Collections.Generic.List<SigningKey>();
        // The issuer as discovered: the first part of the cache key (RFC 8414 section 3.3: as published, not as typed).
        private volatile string? _issuer;

        public HelseIdTokenProvider(HelseIdClientSettings settings, SigningKey clientKey, DPoPKeyMode dpopKeyMode, HttpClient http,
            TokenCache? cache = null, TimeProvider? clock = null)
        {
            Settings = settings;
            _clientKey = clientKey;
            _http = http;
            _ownsDPoPKey = dpopKeyMode == DPoPKeyMode.Ephemeral;
            _dpopKey = _ownsDPoPKey ? SigningKey.CreateEphemeral() : clientKey;
            Clock = clock ?? TimeProvider.System;
            _cache = cache ?? new TokenCache();
            _client = new HelseIdTokenClient(http, settings, clientKey, _dpopKey, Clock);
        }

        public HelseIdClientSettings Settings { get; }

        /// <summary>The key that signs DPoP proofs and that every token is bound to (its <c>jkt</c>).</summary>
        public SigningKey DPoPKey => _dpopKey;

        /// <summary>The client key the assertions are signed with.</summary>
        public SigningKey ClientKey => _clientKey;

        /// <summary>
        /// Signs assertions with <paramref name="clientKey"/> from now on (after a key rotation), and proofs too when
        /// the DPoP key is the client key. Tokens of the old key are forgotten. The provider owns the new key.
        /// </summary>
        public void UseClientKey(SigningKey clientKey)
        {
            lock (_retiredKeys)
            {
                if (_issuer is string issuer) _cache.Remove(Key(issuer));
                _retiredKeys.Add(_clientKey);
                _clientKey = clientKey;
                if (!_ownsDPoPKey) _dpopKey = clientKey;
                _client = new HelseIdTokenClient(_http, Settings, clientKey, _dpopKey, Clock);
            }
        }

        internal TimeProvider Clock { get; }

        /// <summary>The cached token, or a new one when less than a minute is left.</summary>
        public async Task<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
        {
            string issuer = await _client.GetIssuerAsync(cancellationToken).ConfigureAwait(false); // discovery, cached for a day
            _issuer = issuer;
            return await _cache.GetOrFetchAsync(Key(issuer), _client.RequestTokenAsync, Clock, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The token now in the cache, without fetching.</summary>
        public AccessToken? CurrentToken => _issuer is string issuer ? _cache.Peek(Key(issuer)) : null;

        /// <summary>Forget <paramref name="token"/> so the next call fetches a new one (the API said 401).</summary>
        public void Invalidate(AccessToken token)
        {
            if (_issuer is string issuer) _cache.Invalidate(Key(issuer), token);
        }

        /// <summary>A fresh proof for one API request, bound to <paramref name="token"/> by <c>ath</c>.</summary>
        public string CreateProof(HttpMethod method, Uri target, AccessToken token, string? nonce = null) =>
            DPoPProof.Create(DPoPKey, method.Method, target, Clock.GetUtcNow(), nonce, token.Value);

        private TokenCacheKey Key(string issuer) =>
            new TokenCacheKey(issuer, Settings.ClientId, _clientKey.Thumbprint, DPoPKey.Thumbprint, Settings.Scope, Settings.Organizations.Parent, Settings.Organizations.Child);

        /// <summary>Forgets the tokens and wipes the keys from memory.</summary>
        public void Dispose()
        {
            if (_issuer is string issuer) _cache.Remove(Key(issuer));
            if (_ownsDPoPKey) DPoPKey.Dispose();
            _clientKey.Dispose();
            lock (_retiredKeys)
            {
                foreach (var key in _retiredKeys) key.Dispose();
                _retiredKeys.Clear();
            }
        }
    }
}
