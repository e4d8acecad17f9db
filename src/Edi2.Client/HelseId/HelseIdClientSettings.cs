using System;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.HelseId
{
    /// <summary>Who asks HelseID for a token, where, and for what.</summary>
    public sealed class HelseIdClientSettings
    {
        public const string MshScope = "nhn:msh/api";

        public HelseIdClientSettings(Uri authority, string clientId, OrganizationNumbers? organizations = null, string scope = MshScope)
        {
            if (string.IsNullOrWhiteSpace(clientId)) throw new ArgumentException("The HelseID client id is empty.", nameof(clientId));
            Authority = Edi2Endpoints.RequireSecure(authority, "HelseID authority");
            ClientId = clientId.Trim();
            Organizations = organizations ?? new OrganizationNumbers(null, null);
            Scope = scope;
        }

        public Uri Authority { get; }

        public string ClientId { get; }

        public OrganizationNumbers Organizations { get; }

        public string Scope { get; }

        /// <summary>How long discovery may take, and then one token fetch (both nonce attempts).</summary>
        public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// Runs a token request within <see cref="TokenRequestTimeout"/>; running out is <see cref="AuthenticationErrorReason.Timeout"/>,
        /// naming <paramref name="who"/> and the address <paramref name="target"/> gives then (the caller's own cancellation stays one).
        /// </summary>
        internal async Task<T> WithTokenTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, string who, Func<Uri> target, CancellationToken cancellationToken)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(TokenRequestTimeout);
                try
                {
                    return await call(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    Uri at = target();
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.Timeout,
                        $"{who} at {at} did not answer within {TokenRequestTimeout.TotalSeconds:0} s. Check the network path (proxy, firewall) to {at.Host}.",
                        at.ToString());
                }
            }
        }
    }
}
