using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Api;

namespace Edi2.HelseId
{
    /// <summary>
    /// Gets DPoP-bound tokens from HelseID with client credentials (spec helseid-dpop sections 0-3): discovery,
    /// client assertion, DPoP proof and the <c>use_dpop_nonce</c> round trip. Caching is <see cref="TokenCache"/>'s job.
    /// </summary>
    internal sealed class HelseIdTokenClient
    {
        private static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromHours(24);

        private readonly HttpClient _http;
        private readonly HelseIdClientSettings _settings;
        private readonly SigningKey _clientKey;
        private readonly SigningKey _dpopKey;
        private readonly TimeProvider _clock;
        private Discovery? _discovery;
        // HelseID's nonces stay valid for a while (RFC 9449 section 8.2): the next refresh starts with the last one.
        private volatile string? _nonce;

        public HelseIdTokenClient(HttpClient http, HelseIdClientSettings settings, SigningKey clientKey, SigningKey dpopKey, TimeProvider clock)
        {
            _http = http;
            _settings = settings;
            _clientKey = clientKey;
            _dpopKey = dpopKey;
            _clock = clock;
        }

        public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_settings.TokenRequestTimeout);
                Uri target = _settings.Authority;
                try
                {
                    var discovery = await GetDiscoveryAsync(timeout.Token).ConfigureAwait(false);
                    target = discovery.TokenEndpoint;
                    return await RequestWithNonceAsync(discovery, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.Timeout,
                        $"HelseID at {target} did not answer within {_settings.TokenRequestTimeout.TotalSeconds:0} s. Check the network path (proxy, firewall) to {target.Host}.",
                        target.ToString());
                }
                catch (HttpRequestException e)
                {
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.ConnectionFailed,
                        $"Could not reach HelseID at {target}: {e.GetBaseException().Message} Check the address (-Authority or -Environment), DNS, proxy and firewall.",
                        target.ToString(), innerException: e);
                }
            }
        }

        private async Task<AccessToken> RequestWithNonceAsync(Discovery discovery, CancellationToken cancellationToken)
        {
            for (int attempt = 0; ; attempt++)
            {
                DateTimeOffset now = _clock.GetUtcNow();
                using (var request = new HttpRequestMessage(HttpMethod.Post, discovery.TokenEndpoint))
                {
                    // A new assertion every attempt: HelseID spends the assertion's jti even when it then asks for a nonce.
                    request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["client_id"] = _settings.ClientId,
                        ["scope"] = _settings.Scope,
                        ["client_assertion"] = ClientAssertion.Create(_clientKey, _settings.ClientId, discovery.Issuer, _settings.Organizations, now),
                        ["client_assertion_type"] = ClientAssertion.AssertionType,
                        ["grant_type"] = "client_credentials",
                    });
                    request.Headers.Add("DPoP", DPoPProof.Create(_dpopKey, "POST", discovery.TokenEndpoint, now, _nonce));

                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    using (var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false))
                    {
                        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                        string? nonce = response.Headers.TryGetValues("DPoP-Nonce", out var values) ? values.FirstOrDefault() : null;
                        Edi2TraceScope.Report(new Edi2HttpTrace("POST", discovery.TokenEndpoint, (int)response.StatusCode, watch.Elapsed, attempt + 1,
                            response.IsSuccessStatusCode ? $"token for client '{_settings.ClientId}'" : "HelseID answered " + ErrorCode(body),
                            $"DPoP: <proof{(_nonce is null ? "" : " with nonce")}>; form: client_id={_settings.ClientId}, scope={_settings.Scope}, client_assertion=<signed assertion>"));
                        if (response.IsSuccessStatusCode)
                        {
                            if (nonce != null) _nonce = nonce;
                            return ReadToken(response, body, discovery.TokenEndpoint, now);
                        }

                        var (error, description) = ReadError(response, body, discovery.TokenEndpoint);
                        if (error == "use_dpop_nonce" && nonce != null && attempt == 0)
                        {
                            _nonce = nonce;
                            continue;
                        }
                        throw Explain((int)response.StatusCode, error, description, nonce != null);
                    }
                }
            }
        }

        private AccessToken ReadToken(HttpResponseMessage response, string body, Uri endpoint, DateTimeOffset requestedAt)
        {
            JsonElement json = ParseObject(body)
                ?? throw Unexpected(response, endpoint, "answered 200 but not with a JSON token response");
            string? token = StringMember(json, "access_token");
            string? tokenType = StringMember(json, "token_type");
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
            string? rejected = StringMember(json, "rejected_scope");
            if (!string.IsNullOrEmpty(rejected) && rejected!.Split(' ').Contains(_settings.Scope))
            {
                throw new Edi2AuthenticationException(AuthenticationErrorReason.InvalidScope,
                    $"HelseID rejected the scope '{rejected}' for client '{_settings.ClientId}'. For a multi-tenant client this means the organisation ({_settings.Organizations}) has not accepted NHN's terms of use.",
                    _settings.ClientId, 200, "rejected_scope", rejected);
            }
            double expiresIn = NumberMember(json, "expires_in") ?? 0;
            if (expiresIn <= 0)
            {
                throw new Edi2AuthenticationException(AuthenticationErrorReason.InvalidTokenResponse,
                    $"HelseID's token response from {endpoint} has no usable expires_in.", endpoint.ToString(), 200);
            }
            // Expiry by this machine's clock, from when the request was sent: skew with HelseID cannot make it late.
            return new AccessToken(token!, requestedAt, requestedAt.AddSeconds(expiresIn), StringMember(json, "scope") ?? _settings.Scope, _dpopKey.Thumbprint);
        }

        // Only the OAuth error code, for traces: descriptions can quote what was sent.
        private static string ErrorCode(string body) => (ParseObject(body) is JsonElement e ? StringMember(e, "error") : null) ?? "no OAuth error";

        private static (string Error, string? Description) ReadError(HttpResponseMessage response, string body, Uri endpoint)
        {
            JsonElement? json = ParseObject(body);
            string? error = json is JsonElement e ? StringMember(e, "error") : null;
            if (error is null) throw Unexpected(response, endpoint, "did not answer with an OAuth error");
            return (error, StringMember(json!.Value, "error_description"));
        }

        private Edi2AuthenticationException Explain(int status, string error, string? description, bool sentNonce)
        {
            string said = string.IsNullOrEmpty(description) ? error : $"{error}: {description}";
            string client = $"client '{_settings.ClientId}'";
            string authority = _settings.Authority.ToString().TrimEnd('/');
            switch (error)
            {
                case "invalid_client":
                    return Fail(AuthenticationErrorReason.InvalidClient, _settings.ClientId,
                        $"HelseID ({authority}) rejected the authentication of {client} ({said}). Check the client id, that this key (kid {_clientKey.KeyId ?? "none"}, jkt {_clientKey.Thumbprint}) is registered for the client in HelseID self-service, that the environment is right, and this machine's clock.");
                case "invalid_scope":
                    return Fail(AuthenticationErrorReason.InvalidScope, _settings.ClientId,
                        $"HelseID ({authority}) refused the scope '{_settings.Scope}' for {client} ({said}). Check that the client configuration has the scope nhn:msh/api (API 'Meldingstjener REST API', audience nhn:msh) in HelseID self-service.");
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

        private async Task<Discovery> GetDiscoveryAsync(CancellationToken cancellationToken)
        {
            var cached = _discovery;
            if (cached != null && cached.ExpiresAt > _clock.GetUtcNow()) return cached;

            string authority = _settings.Authority.ToString().TrimEnd('/');
            var address = new Uri(authority + "/.well-known/openid-configuration");
            using (var response = await _http.GetAsync(address, cancellationToken).ConfigureAwait(false))
            {
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                JsonElement? json = response.IsSuccessStatusCode ? ParseObject(body) : null;
                if (json is null)
                {
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.DiscoveryFailed,
                        $"HelseID's discovery document at {address} answered HTTP {(int)response.StatusCode} with {ContentType(response)}, not the JSON document. Check -Authority (or -Environment) and the network path.",
                        address.ToString(), (int)response.StatusCode);
                }
                string? issuer = StringMember(json.Value, "issuer")?.TrimEnd('/');
                string? tokenEndpoint = StringMember(json.Value, "token_endpoint");
                if (!string.Equals(issuer, authority, StringComparison.OrdinalIgnoreCase))
                {
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.DiscoveryFailed,
                        $"The discovery document at {address} names issuer '{issuer}', not '{authority}'. Check -Authority.", address.ToString());
                }
                if (tokenEndpoint is null || !Uri.TryCreate(tokenEndpoint, UriKind.Absolute, out var endpoint))
                {
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.DiscoveryFailed,
                        $"The discovery document at {address} has no valid token_endpoint.", address.ToString());
                }
                var discovery = new Discovery(issuer!, Edi2Endpoints.RequireSecure(endpoint, "token endpoint"), _clock.GetUtcNow() + DiscoveryLifetime);
                _discovery = discovery;
                return discovery;
            }
        }

        private static Edi2AuthenticationException Unexpected(HttpResponseMessage response, Uri endpoint, string what) =>
            new Edi2AuthenticationException(AuthenticationErrorReason.UnexpectedResponse,
                $"HelseID's token endpoint {endpoint} {what}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} with {ContentType(response)}. A proxy or gateway may be answering instead of HelseID; check the network path and -Authority.",
                endpoint.ToString(), (int)response.StatusCode);

        private static string ContentType(HttpResponseMessage response) =>
            response.Content.Headers.ContentType?.MediaType is string type ? $"content type {type}" : "no content type";

        private static JsonElement? ParseObject(string body)
        {
            try
            {
                using (var document = JsonDocument.Parse(body))
                {
                    return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : (JsonElement?)null;
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string? StringMember(JsonElement json, string name) =>
            json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        // Liberal: expires_in as a number or a numeric string.
        private static double? NumberMember(JsonElement json, string name)
        {
            if (!json.TryGetProperty(name, out var value)) return null;
            if (value.ValueKind == JsonValueKind.Number) return value.GetDouble();
            return value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed)
                ? parsed
                : (double?)null;
        }

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
