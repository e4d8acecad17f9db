using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Diagnostics;

namespace Edi2.HelseId
{
    /// <summary>
    /// Gets tokens from NHN's test token service (spec helseid-dpop section 5): a JSON POST with the API key in
    /// <c>X-Auth-Key</c>, asking for audience <c>nhn:msh</c>, scope <c>nhn:msh/api</c>, the herid claim and
    /// <c>cnfJkt</c> = the session's DPoP key thumbprint, so the session signs its own proof for every call. It sends
    /// exactly the fields the spec lists and reads the answer's names case-insensitively (their casing is INFERRED).
    /// </summary>
    internal sealed class TestTokenClient : ITokenSource, IDisposable
    {
        public const string Audience = "nhn:msh";
        public const string HerIdClaimType = "nhn:msh/client/claims/herid";
        private const string ApiKeyHeader = "X-Auth-Key";
        private const string NoClientKey = "";

        private readonly HttpClient _http;
        private readonly HelseIdClientSettings _settings;
        private readonly SecureString _apiKey;
        private readonly string _herIdClaim;
        private readonly SigningKey _dpopKey;
        private readonly TimeProvider _clock;

        public TestTokenClient(HttpClient http, HelseIdClientSettings settings, Edi2TestTokenOptions options, SigningKey dpopKey, TimeProvider clock)
        {
            _http = http;
            _settings = settings;
            _apiKey = options.ApiKey.Copy();
            _herIdClaim = options.HerIdClaim;
            _dpopKey = dpopKey;
            _clock = clock;
        }

        private Uri Endpoint => _settings.Authority;

        // The service's address stands for the issuer and there is no client key; the herid claim asked for is part of the scope slot, as a token depends on it.
        public Task<TokenCacheKey> GetCacheKeyAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new TokenCacheKey(Endpoint.AbsoluteUri, _settings.ClientId, NoClientKey, _dpopKey.Thumbprint,
                _settings.Scope + " herid=" + _herIdClaim, _settings.Organizations.Parent, _settings.Organizations.Child));

        public Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken) =>
            _settings.WithTokenTimeoutAsync(RequestAsync, "The test token service", () => Endpoint, cancellationToken);

        private async Task<AccessToken> RequestAsync(CancellationToken cancellationToken)
        {
            DateTimeOffset requestedAt = _clock.GetUtcNow();
            using (var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(RequestBody()) })
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                string apiKey = new NetworkCredential("", _apiKey).Password; // once per request: the header, and what to redact
                request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);
                var watch = Stopwatch.StartNew();
                HttpResponseMessage response;
                try
                {
                    response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException e)
                {
                    Trace(null, watch.Elapsed, "no answer: " + e.GetBaseException().Message);
                    throw new Edi2AuthenticationException(AuthenticationErrorReason.ConnectionFailed,
                        $"Could not reach the test token service at {Endpoint}: {e.GetBaseException().Message} Check -TestTokenUri, DNS, proxy and firewall.",
                        Endpoint.ToString(), innerException: e);
                }
                using (response)
                {
                    string text = response.Content is null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    JsonElement? json = ParseObject(text);
                    int status = (int)response.StatusCode;
                    string? said = Redact(ServiceSaid(json, text, response), apiKey);
                    Trace(status, watch.Elapsed, response.IsSuccessStatusCode && json is JsonElement ok && !IsError(ok)
                        ? $"test token for client '{_settings.ClientId}'"
                        : "the test token service answered " + (said ?? "no error text"));
                    return Interpret(response, status, json, said, requestedAt);
                }
            }
        }

        private AccessToken Interpret(HttpResponseMessage response, int status, JsonElement? json, string? said, DateTimeOffset requestedAt)
        {
            string saying = said is null ? "" : $": {said}";
            if (status == 401 || status == 403)
            {
                throw Fail(AuthenticationErrorReason.TestTokenApiKeyRejected, status,
                    $"The test token service at {Endpoint} refused the API key (HTTP {status}{saying}). Check -TestTokenApiKey: the key is made in HelseID self-service for test (https://selvbetjening.test.nhn.no/ttt) and works in the test environment only.",
                    said);
            }
            if (json is JsonElement body && (response.IsSuccessStatusCode ? IsError(body) : status >= 400 && status < 500))
            {
                throw Fail(AuthenticationErrorReason.TestTokenRefused, status,
                    $"The test token service at {Endpoint} did not issue a token for audience {Audience}, scope {_settings.Scope} (HTTP {status}{saying}). Check -ParentOrganizationNumber ({_settings.Organizations}) and -TestTokenHerId ({_herIdClaim}).",
                    said);
            }
            if (!response.IsSuccessStatusCode || !(json is JsonElement answer))
            {
                string type = response.Content?.Headers.ContentType?.MediaType is string media ? $"content type {media}" : "no content type";
                throw Fail(AuthenticationErrorReason.UnexpectedResponse, status,
                    $"The test token service at {Endpoint} answered HTTP {status} {response.ReasonPhrase} with {type}{saying}, not a test token response. A proxy or gateway may be answering instead; check -TestTokenUri and the network path.",
                    said);
            }

            string? token = Member(Member(answer, "successResponse"), "accessTokenJwt") is JsonElement jwt && jwt.ValueKind == JsonValueKind.String ? jwt.GetString() : null;
            if (string.IsNullOrEmpty(token)) throw InvalidAnswer("answered without an access token (successResponse.accessTokenJwt)");
            IReadOnlyDictionary<string, object?> claims;
            try
            {
                claims = JwtParts.Read(token!).Claims;
            }
            catch (Exception e) when (e is ArgumentException || e is FormatException || e is JsonException)
            {
                throw InvalidAnswer("answered with an access token that is not a JWT");
            }
            string? jkt = claims.TryGetValue("cnf", out object? cnf) && cnf is IDictionary<string, object?> confirmation
                && confirmation.TryGetValue("jkt", out object? bound) ? bound as string : null;
            if (jkt != _dpopKey.Thumbprint)
            {
                throw InvalidAnswer(jkt is null
                    ? $"issued a token bound to no key (no cnf.jkt), though cnfJkt asked for this session's DPoP key ({_dpopKey.Thumbprint}); the API refuses such a token"
                    : $"issued a token bound to another key (cnf.jkt {jkt}) than this session's DPoP key ({_dpopKey.Thumbprint}, sent as cnfJkt); the API would refuse every call with it");
            }
            if (!(Seconds(claims, "exp") is long exp)) throw InvalidAnswer("issued a token without exp");
            // The lifetime the service gave (exp - iat), counted from when the request was sent by this machine's clock, as for HelseID.
            long lifetime = Seconds(claims, "iat") is long iat ? exp - iat : exp - requestedAt.ToUnixTimeSeconds();
            if (lifetime <= 0) throw InvalidAnswer("issued a token that has already expired");
            return new AccessToken(token!, requestedAt, requestedAt.AddSeconds(lifetime), ScopeOf(claims) ?? _settings.Scope, _dpopKey.Thumbprint);
        }

        /// <summary>The request the spec lists for EDI 2.0, in the camelCase of NHN's own demo.</summary>
        private byte[] RequestBody()
        {
            using (var buffer = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteString("audience", Audience);
                    writer.WriteBoolean("withoutDefaultUserClaims", true);
                    writer.WriteStartObject("clientClaimsParameters");
                    writer.WriteStartArray("scope");
                    writer.WriteStringValue(_settings.Scope);
                    writer.WriteEndArray();
                    writer.WriteString("clientId", _settings.ClientId);
                    if (_settings.Organizations.Parent is string parent) writer.WriteString("orgnrParent", parent);
                    if (_settings.Organizations.Child is string child) writer.WriteString("orgnrChild", child);
                    writer.WriteString("cnfJkt", _dpopKey.Thumbprint);
                    writer.WriteEndObject();
                    writer.WriteStartArray("apiSpecificClaims");
                    writer.WriteStartObject();
                    writer.WriteString("type", HerIdClaimType);
                    writer.WriteString("value", _herIdClaim);
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                return buffer.ToArray();
            }
        }

        private void Trace(int? status, TimeSpan elapsed, string note) =>
            Edi2TraceScope.Report(new Edi2HttpTrace("POST", Endpoint, status, elapsed, 1, note,
                $"{ApiKeyHeader}: <api key>; body: audience={Audience}, scope={_settings.Scope}, clientId={_settings.ClientId}, organisations {_settings.Organizations}, cnfJkt={_dpopKey.Thumbprint}, herid={_herIdClaim}"));

        private static bool IsError(JsonElement answer) => Member(answer, "isError") is JsonElement flag && flag.ValueKind == JsonValueKind.True;

        /// <summary>What the service said: its errorMessage, an OAuth error, ASP.NET's validation problem, or a short text body.</summary>
        private static string? ServiceSaid(JsonElement? json, string text, HttpResponseMessage response)
        {
            if (json is JsonElement body)
            {
                var parts = new List<string>();
                foreach (var said in new[] { Text(Member(Member(body, "errorResponse"), "errorMessage")), Text(Member(body, "error")), Text(Member(body, "error_description")), Text(Member(body, "title")), Text(Member(body, "detail")) })
                {
                    if (!string.IsNullOrWhiteSpace(said)) parts.Add(said!.Trim());
                }
                if (Member(body, "errors") is JsonElement errors && errors.ValueKind == JsonValueKind.Object)
                {
                    parts.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.ValueKind == JsonValueKind.Array ? e.Value.EnumerateArray().Select(v => v.ToString()) : new[] { e.Value.ToString() })}"));
                }
                return parts.Count == 0 ? null : Shorten(string.Join("; ", parts));
            }
            // A plain text answer is quoted; an HTML page (a proxy's) is not read.
            bool plain = response.Content?.Headers.ContentType?.MediaType is string media && media.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
            return plain && !string.IsNullOrWhiteSpace(text) ? Shorten(text.Trim()) : null;
        }

        private static string Shorten(string text) => text.Length <= 300 ? text : text.Substring(0, 300) + "...";

        /// <summary>A service that echoes the request must not get the API key into a message or trace.</summary>
        private static string? Redact(string? text, string key)
        {
            if (text is null) return null;
            return key.Length == 0 ? text : text.Replace(key, "<api key>");
        }

        private static JsonElement? ParseObject(string text)
        {
            try
            {
                using (var document = JsonDocument.Parse(text))
                {
                    return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : (JsonElement?)null;
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>A member by name, whatever its casing (the service's casing is INFERRED).</summary>
        private static JsonElement? Member(JsonElement? element, string name)
        {
            if (!(element is JsonElement e) || e.ValueKind != JsonValueKind.Object) return null;
            foreach (var property in e.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
            }
            return null;
        }

        private static string? Text(JsonElement? element) => element is JsonElement e && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

        private static long? Seconds(IReadOnlyDictionary<string, object?> claims, string name) =>
            claims.TryGetValue(name, out object? value) ? value is long whole ? whole : value is double real ? (long)real : (long?)null : null;

        /// <summary>The token's scope claim: a JSON array in HelseID tokens, a string in some.</summary>
        private static string? ScopeOf(IReadOnlyDictionary<string, object?> claims) =>
            !claims.TryGetValue("scope", out object? scope) ? null
            : scope is object?[] list ? string.Join(" ", list.OfType<string>())
            : scope as string;

        private Edi2AuthenticationException InvalidAnswer(string what) =>
            new Edi2AuthenticationException(AuthenticationErrorReason.InvalidTokenResponse,
                $"The test token service at {Endpoint} {what}.", Endpoint.ToString(), 200);

        private Edi2AuthenticationException Fail(AuthenticationErrorReason reason, int status, string message, string? said) =>
            new Edi2AuthenticationException(reason, message, Endpoint.ToString(), status, errorDescription: said);

        public void Dispose() => _apiKey.Dispose();
    }
}
