using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Runtime.CompilerServices;
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
    /// tokens are bound to. The tokens come from an <see cref="ITokenSource"/>: HelseID itself, or NHN's test token
    /// service (<see cref="ForTestTokenService"/>); the cache and its renewal are the same for both.
    /// </summary>
    public sealed class HelseIdTokenProvider : IDisposable
    {
        private readonly HttpClient? _http;
        private readonly TokenCache _cache;
        private readonly bool _ownsDPoPKey;
        // Replaced together by UseClientKey (key rotation); the keys they replace are wiped on Dispose, not at once,
        // because a token request may still be signing with them.
        private volatile ITokenSource _source;
        private volatile SigningKey? _clientKey;
        private volatile SigningKey _dpopKey;
        private readonly List<SigningKey> _retiredKeys = new List<SigningKey>();
        // The cache key of the last request (for HelseID: with the issuer as discovered, RFC 8414 section 3.3).
        private volatile StrongBox<TokenCacheKey>? _key;

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
            _source = new HelseIdTokenClient(http, settings, clientKey, _dpopKey, Clock);
        }

        private HelseIdTokenProvider(HelseIdClientSettings settings, TimeProvider? clock, TokenCache? cache, Func<SigningKey, TimeProvider, ITokenSource> source)
        {
            Settings = settings;
            _ownsDPoPKey = true;
            _dpopKey = SigningKey.CreateEphemeral();
            Clock = clock ?? TimeProvider.System;
            _cache = cache ?? new TokenCache();
            _source = source(_dpopKey, Clock);
            TokenSource = Edi2TokenSource.TestTokenService;
        }

        /// <summary>
        /// Tokens from NHN's test token service, bound (<c>cnfJkt</c>) to a fresh ephemeral DPoP key: no client key, no
        /// assertion. <paramref name="settings"/>' authority is the service's address. The provider keeps its own copy of the API key and wipes it on Dispose.
        /// </summary>
        public static HelseIdTokenProvider ForTestTokenService(HelseIdClientSettings settings, Edi2TestTokenOptions testToken, HttpClient http,
            TokenCache? cache = null, TimeProvider? clock = null) =>
            new HelseIdTokenProvider(settings, clock, cache, (dpopKey, c) => new TestTokenClient(http, settings, testToken, dpopKey, c));

        public HelseIdClientSettings Settings { get; }

        /// <summary>HelseID, or the test token service.</summary>
        public Edi2TokenSource TokenSource { get; } = Edi2TokenSource.HelseId;

        /// <summary>Ephemeral (a key of the session's own; always so for test tokens), or the client key.</summary>
        public DPoPKeyMode DPoPKeyMode => _ownsDPoPKey ? DPoPKeyMode.Ephemeral : DPoPKeyMode.ClientKey;

        /// <summary>The key that signs DPoP proofs and that every token is bound to (its <c>jkt</c>).</summary>
        public SigningKey DPoPKey => _dpopKey;

        /// <summary>The client key the assertions are signed with; null for the test token service, which needs none.</summary>
        public SigningKey? ClientKey => _clientKey;

        /// <summary>
        /// Signs assertions with <paramref name="clientKey"/> from now on (after a key rotation), and proofs too when
        /// the DPoP key is the client key. Tokens of the old key are forgotten. The provider owns the new key.
        /// </summary>
        public void UseClientKey(SigningKey clientKey)
        {
            if (_http is null || _clientKey is null)
                throw new InvalidOperationException("A session with test tokens has no client key to replace.");
            lock (_retiredKeys)
            {
                if (_key is StrongBox<TokenCacheKey> key) _cache.Remove(key.Value);
                _retiredKeys.Add(_clientKey);
                _clientKey = clientKey;
                if (!_ownsDPoPKey) _dpopKey = clientKey;
                _source = new HelseIdTokenClient(_http, Settings, clientKey, _dpopKey, Clock);
            }
        }

        internal TimeProvider Clock { get; }

        /// <summary>The cached token, or a new one when less than a minute is left.</summary>
        public async Task<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
        {
            TokenCacheKey key = await _source.GetCacheKeyAsync(cancellationToken).ConfigureAwait(false);
            if (!(_key is StrongBox<TokenCacheKey> known && known.Value.Equals(key))) _key = new StrongBox<TokenCacheKey>(key); // once, not per request
            return await _cache.GetOrFetchAsync(key, _source.RequestTokenAsync, Clock, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The token now in the cache, without fetching.</summary>
        public AccessToken? CurrentToken => _key is StrongBox<TokenCacheKey> key ? _cache.Peek(key.Value) : null;

        /// <summary>Forget <paramref name="token"/> so the next call fetches a new one (the API said 401).</summary>
        public void Invalidate(AccessToken token)
        {
            if (_key is StrongBox<TokenCacheKey> key) _cache.Invalidate(key.Value, token);
        }

        /// <summary>A fresh proof for one API request, bound to <paramref name="token"/> by <c>ath</c>.</summary>
        public string CreateProof(HttpMethod method, Uri target, AccessToken token, string? nonce = null) =>
            DPoPProof.Create(DPoPKey, method.Method, target, Clock.GetUtcNow(), nonce, token.Value);

        /// <summary>Forgets the tokens and wipes the keys (and a test token API key) from memory.</summary>
        public void Dispose()
        {
            if (_key is StrongBox<TokenCacheKey> key) _cache.Remove(key.Value);
            if (_ownsDPoPKey) DPoPKey.Dispose();
            _clientKey?.Dispose();
            (_source as IDisposable)?.Dispose();
            lock (_retiredKeys)
            {
                foreach (var retired in _retiredKeys) retired.Dispose();
                _retiredKeys.Clear();
            }
        }
    }
}
