using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.HelseId
{
    /// <summary>
    /// Access tokens per (issuer, client, client key, DPoP key, scope, organisations). A token is reused until less
    /// than a minute is left, and at most one fetch per key runs at a time: sixteen threads asking at once cause
    /// one token request.
    /// </summary>
    public sealed class TokenCache
    {
        internal static readonly TimeSpan RefreshBefore = TimeSpan.FromSeconds(60);

        private readonly ConcurrentDictionary<TokenCacheKey, Slot> _slots = new ConcurrentDictionary<TokenCacheKey, Slot>();

        internal async Task<AccessToken> GetOrFetchAsync(TokenCacheKey key, Func<CancellationToken, Task<AccessToken>> fetch,
            TimeProvider clock, CancellationToken cancellationToken)
        {
            var slot = _slots.GetOrAdd(key, _ => new Slot());
            var token = slot.Token;
            if (IsFresh(token, clock)) return token!;

            await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                token = slot.Token;
                if (IsFresh(token, clock)) return token!;
                token = await fetch(cancellationToken).ConfigureAwait(false);
                slot.Token = token;
                return token;
            }
            finally
            {
                slot.Gate.Release();
            }
        }

        /// <summary>Drops <paramref name="token"/> (say, after a 401), but not a newer one another thread already fetched.</summary>
        internal void Invalidate(TokenCacheKey key, AccessToken token)
        {
            if (_slots.TryGetValue(key, out var slot)) Interlocked.CompareExchange(ref slot.Token, null, token);
        }

        internal void Remove(TokenCacheKey key) => _slots.TryRemove(key, out _);

        internal AccessToken? Peek(TokenCacheKey key) => _slots.TryGetValue(key, out var slot) ? slot.Token : null;

        // Refresh a minute early; a token that lives under two minutes is refreshed at half its life instead, so
        // short-lived tokens are still reused by the callers that waited for them.
        private static bool IsFresh(AccessToken? token, TimeProvider clock)
        {
            if (token is null) return false;
            var lifetime = token.ExpiresAt - token.IssuedAt;
            var margin = lifetime < RefreshBefore + RefreshBefore ? TimeSpan.FromTicks(lifetime.Ticks / 2) : RefreshBefore;
            return token.ExpiresAt - clock.GetUtcNow() > margin;
        }

        private sealed class Slot
        {
            public readonly SemaphoreSlim Gate = new SemaphoreSlim(1, 1);
            public AccessToken? Token;
        }
    }

    /// <summary>Everything a token depends on: a change in any of them needs another token.</summary>
    internal readonly struct TokenCacheKey : IEquatable<TokenCacheKey>
    {
        public TokenCacheKey(string issuer, string clientId, string clientKeyThumbprint, string dpopKeyThumbprint, string scope, string? parentOrganization, string? childOrganization)
        {
            Issuer = issuer;
            ClientId = clientId;
            ClientKeyThumbprint = clientKeyThumbprint;
            DPoPKeyThumbprint = dpopKeyThumbprint;
            Scope = scope;
            ParentOrganization = parentOrganization;
            ChildOrganization = childOrganization;
        }

        public string Issuer { get; }
        public string ClientId { get; }
        public string ClientKeyThumbprint { get; }
        public string DPoPKeyThumbprint { get; }
        public string Scope { get; }
        public string? ParentOrganization { get; }
        public string? ChildOrganization { get; }

        public bool Equals(TokenCacheKey other) =>
            Issuer == other.Issuer && ClientId == other.ClientId && ClientKeyThumbprint == other.ClientKeyThumbprint
            && DPoPKeyThumbprint == other.DPoPKeyThumbprint && Scope == other.Scope
            && ParentOrganization == other.ParentOrganization && ChildOrganization == other.ChildOrganization;

        public override bool Equals(object? obj) => obj is TokenCacheKey other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                int hash = 17;
                foreach (string? part in new[] { Issuer, ClientId, ClientKeyThumbprint, DPoPKeyThumbprint, Scope, ParentOrganization, ChildOrganization })
                {
                    hash = hash * 31 + (part?.GetHashCode() ?? 0);
                }
                return hash;
            }
        }
    }
}
