using System.Threading;
using System.Threading.Tasks;

namespace Edi2.HelseId
{
    /// <summary>
    /// Where a session's tokens come from: HelseID's client-credentials flow (<see cref="HelseIdTokenClient"/>) or
    /// NHN's test token service (<see cref="TestTokenClient"/>). <see cref="HelseIdTokenProvider"/> caches and renews
    /// what either issues, the same way.
    /// </summary>
    internal interface ITokenSource
    {
        /// <summary>What the tokens of this source depend on (for HelseID: after discovery, with the issuer as published).</summary>
        Task<TokenCacheKey> GetCacheKeyAsync(CancellationToken cancellationToken);

        /// <summary>A new token bound to the DPoP key the source was given.</summary>
        Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken);
    }
}
