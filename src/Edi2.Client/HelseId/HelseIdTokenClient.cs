using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Duende.IdentityModel.Client;
using Edi2.Diagnostics;
using OAuthClientAssertion = Duende.IdentityModel.Client.ClientAssertion;

namespace Edi2.HelseId
{
    /// <summary>
    /// Gets DPoP-bound tokens from HelseID with client credentials (spec helseid-dpop sections 0-3). Duende.IdentityModel
    /// reads the discovery document and sends the token request; the client assertion, the DPoP proof, the
    /// <c>use_dpop_nonce</c> retry and what each refusal means are ours. Caching is <see cref="TokenCache"/>'s job.
    /// </summary>
    internal sealed class HelseIdTokenClient : ITokenSource
    {
        private static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromHours(24);

        private readonly HttpClient _http;
        private readonly HelseIdClientSettings _settings;
        private readonly SigningKey _clientKey;
        private readonly SigningKey _dpopKey;
        private readonly TimeProvider _clock;
        // Not Duende's DiscoveryCache: its GetAsync takes no cancellation token and does not use our clock.
        private volatile Discovery? _discovery;
        // HelseID's nonces stay valid for a while (RFC 9449 section 8.2): the next refresh starts with the newest one.
        private readonly DPoPNonceKeeper _nonce = new DPoPNonceKeeper();

        public HelseIdTokenClient(HttpClient http, HelseIdClientSettings settings, SigningKey clientKey, SigningKey dpopKey, TimeProvider clock)
        {
            _http = http;
            _settings = settings;
            _clientKey = clientKey;
            _dpopKey = dpopKey;
            _clock = clock;
        }

        /// <summary>The issuer exactly as the discovery document names it (RFC 8414 section 3.3).</summary>
        public async Task<string> GetIssuerAsync(CancellationToken cancellationToken) =>
            (FreshDiscovery() ?? await WithTimeoutAsync(GetDiscoveryAsync, cancellationToken).ConfigureAwait(false)).Issuer;

        /// <summary>Issuer as discovered (discovery cached for a day), client, both keys' thumbprints, scope and organisations.</summary>
        public async Task<TokenCacheKey> GetCacheKeyAsync(CancellationToken cancellationToken) =>
            new TokenCacheKey(await GetIssuerAsync(cancellationToken).ConfigureAwait(false), _settings.ClientId, _clientKey.Thumbprint, _dpopKey.Thumbprint,
                _settings.Scope, _settings.Organizations.Parent, _settings.Organizations.Child);

        public Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken) =>
            WithTimeoutAsync(async token => await RequestWithNonceAsync(await GetDiscoveryAsync(token).ConfigureAwait(false), token).ConfigureAwait(false),
                cancellationToken);

        // With discovery done, it was the token endpoint that did not answer.
        private Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
            _settings.WithTokenTimeoutAsync(call, "HelseID", () => FreshDiscovery()?.TokenEndpoint ?? _settings.Authority, cancellationToken);

        private async Task<AccessToken> RequestWithNonceAsync(Discovery discovery, CancellationToken cancellationToken)
        {
            Uri endpoint = discovery.TokenEndpoint;
            bool nonceAnswered = false;
            for (int attempt = 1; ; attempt++)
            {
                DateTimeOffset now = _clock.GetUtcNow();
                string? sentNonce = _nonce.Current;
                // A new assertion and a new proof every attempt: HelseID spends the assertion's jti even when it then asks for a nonce.
                using (var request = new ClientCredentialsTokenRequest
                {
                    Address = endpoint.AbsoluteUri,
                    ClientId = _settings.ClientId,
                    ClientCredentialStyle = ClientCredentialStyle.PostBody,
                    ClientAssertion = new OAuthClientAssertion
                    {
                        Type = ClientAssertion.AssertionType,
                        Value = ClientAssertion.Create(_clientKey, _settings.ClientId, discovery.Issuer, _settings.Organizations, now),
                    },
                    Scope = _settings.Scope,
                    DPoPProofToken = DPoPProof.Create(_dpopKey, "POST", endpoint, now, sentNonce),
                })
                {
                    var watch = Stopwatch.StartNew();
                    using (TokenResponse response = await _http.RequestClientCredentialsTokenAsync(request, cancellationToken).ConfigureAwait(false))
                    {
                        HttpResponseMessage? http = response.HttpResponse;
                        if (http is null) throw Unreachable(endpoint, response.Exception);
                        string? nonce = _nonce.Remember(response.DPoPNonce);
                        // Members are read only from a JSON object: anything else is not HelseID answering.
                        bool isObject = response.Json?.ValueKind == JsonValueKind.Object;
                        string? error = isObject ? response.TryGet("error") : null;
                        Edi2TraceScope.Report(new Edi2HttpTrace("POST", endpoint, (int)http.StatusCode, watch.Elapsed, attempt,
                            http.IsSuccessStatusCode ? $"token for client '{_settings.ClientId}'" : "HelseID answered " + (error ?? "no OAuth error"),
                            $"DPoP: <proof{(sentNonce is null ? "" : " with nonce")}>; form: client_id={_settings.ClientId}, scope={_settings.Scope}, client_assertion=<signed assertion>"));

                        if (http.IsSuccessStatusCode)
                        {
                            if (!isObject || response.ErrorType != ResponseErrorType.None) throw Unexpected(http, endpoint, "answered 200 but not with a JSON token response");
                            return ReadToken(response, endpoint, now);
                        }
                        if (error is null) throw Unexpected(http, endpoint, "did not answer with an OAuth error");
                        if (DPoPNonceKeeper.AnswerOnce(error, nonce, ref nonceAnswered)) continue;
                        throw Explain((int)http.StatusCode, error, response.ErrorDescription, nonce != null);
                    }
                }
            }
        }

        private AccessToken ReadToken(TokenResponse response, Uri endpoint, DateTimeOffset requestedAt)
        {
            string? token = response.AccessToken;
            string? tokenType = response.TokenType;
            if (string.IsNullOrEmpty(token))
            {
                throw new Edi2AuthenticationException(AuthenticationErrorReason.InvalidTokenResponse,
                    $"HelseID's token response from {endpoint} has no access_token.", endpoint.ToString(), 200);
            }
            if (!string.Equals(tokenType, "DPoP", StringComparison.OrdinalIgnoreCase))
            {
                throw new Edi2AuthenticationException(AuthenticationErrorReason.InvalidTokenResponse,
                    $"HelseID issued a '{tokenType}' token, not a DPoP token. EDI 2.0 needs DPoP; check that client '{_settings.ClientId}' is set up for DPoP in HelseID self-service.",
                    _settings.ClientId, 200);
            }
            string? rejected = response.TryGet("rejected_scope");
            if (!string.IsNullOrEmpty(rejected) && rejected!.Split(' ').Contains(_settings.Scope))
            {
                throw new Edi2AuthenticationException(AuthenticationErrorReason.InvalidScope,
                    $"HelseID rejected the scope '{rejected}' for client '{_settings.ClientId}'. For a multi-tenant client this means the organisation ({_settings.Organizations}) has not accepted NHN's terms of use.",
                    _settings.ClientId, 200, "rejected_scope", rejected);
            }
            int expiresIn = response.ExpiresIn;
            if (expiresIn <= 0)
            {
                throw new Edi2AuthenticationException(AuthenticationErrorReason.InvalidTokenResponse,
                    $"HelseID's token response from {endpoint} has no usable expires_in.", endpoint.ToString(), 200);
            }
            // Expiry by this machine's clock, from when the request was sent: skew with HelseID cannot make it late.
            return new AccessToken(token!, requestedAt, requestedAt.AddSeconds(expiresIn), response.Scope ?? _settings.Scope, _dpopKey.Thumbprint);
        }

        private Edi2AuthenticationException Explain(int status, string error, string? description, bool sentNonce)
        {
            string said = string.IsNullOrEmpty(description) ? error : $"{error}: {description}";
            string client = $"client '{_settings.ClientId}'";
            string authority = Authority;
            switch (error)
            {
                case "invalid_client":
                    return Fail(AuthenticationErrorReason.InvalidClient, _settings.ClientId,
                        $"HelseID ({authority}) rejected the authentication of {client} ({said}). Check the client id, that this key (kid {_clientKey.KeyId ?? "none"}, jkt {_clientKey.Thumbprint}) is registered for the client in HelseID self-service, that the environment is right, and this machine's clock.");
                case "invalid_scope":
                    return Fail(AuthenticationErrorReason.InvalidScope, _settings.ClientId,
                        $"HelseID ({authority}) refused the scope '{_settings.Scope}' for {client} ({said}). Check that the client configuration has the scope {_settings.Scope}{(_settings.Scope == "nhn:msh/api" ? " (API 'Meldingstjener REST API', audience nhn:msh)" : "")} in HelseID self-service.");
                case "invalid_dpop_proof":
                    return Fail(AuthenticationErrorReason.InvalidDPoPProof, _settings.ClientId,
                        $"HelseID ({authority}) rejected the DPoP proof for {client} ({said}). Check this machine's clock; if it is right, report this as a bug in Edi2.");
                case "unauthorized_client":
                    return Fail(AuthenticationErrorReason.UnauthorizedClient, _settings.ClientId,
                        $"HelseID ({authority}) does not allow {client} to use client credentials ({said}). Check the client's grant types in HelseID self-service.");
                case "invalid_request":
                    return Fail(AuthenticationErrorReason.InvalidRequest, _settings.ClientId,
                        $"HelseID ({authority}) rejected the token request for {client} ({said}). HID-10xx codes concern organisation numbers: check -ParentOrganizationNumber/-ChildOrganizationNumber ({_settings.Organizations}) against the client's setup.");
                case "use_dpop_nonce":
                    return Fail(AuthenticationErrorReason.NonceRejected, _settings.ClientId,
                        sentNonce
                            ? $"HelseID ({authority}) asked for a new DPoP nonce again after the retry with a nonce ({said}). Check this machine's clock."
                            : $"HelseID ({authority}) asked for a DPoP nonce but sent no DPoP-Nonce header ({said}).");
                default:
                    return Fail(AuthenticationErrorReason.TokenEndpointError, _settings.ClientId,
                        $"HelseID ({authority}) refused a token for {client} with HTTP {status} ({said}).");
            }

            Edi2AuthenticationException Fail(AuthenticationErrorReason reason, object target, string message) =>
                new Edi2AuthenticationException(reason, message, target, status, error, description);
        }

        // For messages only: the authority as the user named it. The issuer is used only as discovered.
        private string Authority => _settings.Authority.ToString().TrimEnd('/');

        private Discovery? FreshDiscovery()
        {
            var cached = _discovery;
            return cached != null && cached.ExpiresAt > _clock.GetUtcNow() ? cached : null;
        }

        private async Task<Discovery> GetDiscoveryAsync(CancellationToken cancellationToken)
        {
            var cached = FreshDiscovery();
            if (cached != null) return cached;

            string address = DiscoveryEndpoint.ParseUrl(_settings.Authority.AbsoluteUri).Url;
            using (var request = new DiscoveryDocumentRequest { Address = address, Policy = HttpOnlyOnLoopback() })
            using (DiscoveryDocumentResponse response = await _http.GetDiscoveryDocumentAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (response.IsError) throw DiscoveryFailed(response, address);
                if (!Uri.TryCreate(response.TokenEndpoint, UriKind.Absolute, out var tokenEndpoint))
                {
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.DiscoveryFailed,
                        $"The discovery document at {address} has no valid token_endpoint.", address);
                }
                RequireProofAlgorithm(response.DPoPSigningAlgorithmsSupported?.ToArray() ?? new string[0], address);
                // The policy has checked that the issuer is there and is the authority's (give or take one trailing slash,
                // as a Uri always has a path); from here on it is used exactly as published.
                var discovery = new Discovery(response.Issuer!, tokenEndpoint, _clock.GetUtcNow() + DiscoveryLifetime);
                _discovery = discovery;
                return discovery;
            }
        }

        // Real HelseID is https only; plain http is for a test server on loopback (the fake NHN, the sandbox), as
        // HelseIdClientSettings allows. The key set is not needed: the client never validates tokens.
        private static DiscoveryPolicy HttpOnlyOnLoopback()
        {
            var policy = new DiscoveryPolicy { RequireHttps = true, AllowHttpOnLoopback = true, RequireKeySet = false };
            policy.LoopbackAddresses.Add("::1");
            return policy;
        }

        /// <summary>Fails before any token request when HelseID lists the proof algorithms it takes and ours is not one.</summary>
        private void RequireProofAlgorithm(string[] accepted, string address)
        {
            if (accepted.Length == 0 || accepted.Contains(_dpopKey.Algorithm, StringComparer.Ordinal)) return;
            string list = string.Join(", ", accepted);
            bool clientKeySignsProofs = ReferenceEquals(_dpopKey, _clientKey);
            string advice = clientKeySignsProofs
                ? accepted.Contains("ES256")
                    ? "Leave out -DPoPKey ClientKey: the default ephemeral ES256 key is accepted."
                    : $"Use a client key that signs with one of them (New-Edi2ClientKey -Algorithm {accepted[0]}) and register it in HelseID self-service."
                : accepted.Contains(_clientKey.Algorithm, StringComparer.Ordinal)
                    ? $"Use -DPoPKey ClientKey: the client key signs {_clientKey.Algorithm}."
                    : $"Neither the ephemeral ES256 key nor the client key ({_clientKey.Algorithm}) fits: use a client key that signs with one of them (New-Edi2ClientKey -Algorithm {accepted[0]}), register it in HelseID self-service, and connect with -DPoPKey ClientKey.";
            throw new Edi2AuthenticationException(AuthenticationErrorReason.DPoPAlgorithmNotSupported,
                $"HelseID ({Authority}) takes DPoP proofs signed with {list} only (dpop_signing_alg_values_supported at {address}), and this session's DPoP key ({(clientKeySignsProofs ? "the client key" : "ephemeral")}, {_dpopKey.KeyType}) signs {_dpopKey.Algorithm}. {advice}",
                address);
        }

        private Edi2AuthenticationException DiscoveryFailed(DiscoveryDocumentResponse response, string address)
        {
            if (response.Exception is HttpRequestException e) return Unreachable(_settings.Authority, e);
            HttpResponseMessage? http = response.HttpResponse;
            if (response.ErrorType == ResponseErrorType.PolicyViolation)
            {
                return new Edi2AuthenticationException(AuthenticationErrorReason.DiscoveryFailed,
                    $"The discovery document at {address} does not belong to the authority {Authority}: {response.Error}. Check -Authority.", address);
            }
            if (http is null)
            {
                return new Edi2AuthenticationException(AuthenticationErrorReason.DiscoveryFailed,
                    $"HelseID's discovery document at {address} could not be read: {response.Error} Check -Authority (or -Environment) and the network path.",
                    address, innerException: response.Exception);
            }
            // Duende.IdentityModel also reads the key set (jwks_uri) and reports its failure the same way.
            string? url = http.RequestMessage?.RequestUri?.AbsoluteUri;
            string what = url is null || url == address ? $"HelseID's discovery document at {address}" : $"HelseID's key set at {url} (jwks_uri of {address})";
            return new Edi2AuthenticationException(AuthenticationErrorReason.DiscoveryFailed,
                $"{what} answered HTTP {(int)http.StatusCode} with {ContentType(http)}, not the JSON document. Check -Authority (or -Environment) and the network path.",
                url ?? address, (int)http.StatusCode);
        }

        /// <summary>A transport failure, which Duende.IdentityModel hands back instead of throwing.</summary>
        private static Edi2AuthenticationException Unreachable(Uri target, Exception? e)
        {
            if (!(e is HttpRequestException)) ExceptionDispatchInfo.Capture(e ?? new InvalidOperationException("No response and no exception.")).Throw();
            return new Edi2AuthenticationException(AuthenticationErrorReason.ConnectionFailed,
                $"Could not reach HelseID at {target}: {e!.GetBaseException().Message} Check the address (-Authority or -Environment), DNS, proxy and firewall.",
                target.ToString(), innerException: e);
        }

        private static Edi2AuthenticationException Unexpected(HttpResponseMessage response, Uri endpoint, string what) =>
            new Edi2AuthenticationException(AuthenticationErrorReason.UnexpectedResponse,
                $"HelseID's token endpoint {endpoint} {what}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} with {ContentType(response)}. A proxy or gateway may be answering instead of HelseID; check the network path and -Authority.",
                endpoint.ToString(), (int)response.StatusCode);

        private static string ContentType(HttpResponseMessage response) =>
            response.Content?.Headers.ContentType?.MediaType is string type ? $"content type {type}" : "no content type";

        private sealed class Discovery
        {
            public Discovery(string issuer, Uri tokenEndpoint, DateTimeOffset expiresAt)
            {
                Issuer = issuer;
                TokenEndpoint = tokenEndpoint;
                ExpiresAt = expiresAt;
            }

            public string Issuer { get; }

            public Uri TokenEndpoint { get; }

            public DateTimeOffset ExpiresAt { get; }
        }
    }
}
