using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Api;
using Edi2.HelseId;

namespace Edi2
{
    /// <summary>What Connect-Edi2 is told: who the client is and where it connects.</summary>
    public sealed class Edi2ConnectionOptions
    {
        public string ClientId { get; set; } = "";

        public Edi2Environment Environment { get; set; } = Edi2Environment.Test;

        /// <summary>Defaults to the environment's network: Internet for test, Helsenett for production.</summary>
        public Edi2Network? Network { get; set; }

        /// <summary>Overrides the HelseID authority (a local test server, a future NHN host).</summary>
        public Uri? Authority { get; set; }

        /// <summary>Overrides the EDI 2.0 API base.</summary>
        public Uri? ApiBaseUri { get; set; }

        public int ApiVersion { get; set; } = 3;

        /// <summary>The <c>nhn-source-system</c> header: the calling system's name and version.</summary>
        public string SourceSystem { get; set; } = DefaultSourceSystem;

        public string? ParentOrganizationNumber { get; set; }

        public string? ChildOrganizationNumber { get; set; }

        public DPoPKeyMode DPoPKey { get; set; } = DPoPKeyMode.Ephemeral;

        public RetryPolicy Retry { get; set; } = new RetryPolicy();

        public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        public static string DefaultSourceSystem =>
            $"Edi2 PowerShell module, v{typeof(Edi2Session).Assembly.GetName().Version?.ToString(3)}";
    }

    /// <summary>
    /// A connection to EDI 2.0 for one HelseID client: settings, the client key, the token cache and DPoP signer, and
    /// the HTTP client. Safe to share between threads. Its public properties hold no key, token or proof.
    /// </summary>
    public sealed class Edi2Session : IDisposable
    {
        private readonly HttpClient _http;
        private readonly HelseIdTokenProvider _tokens;
        private readonly Edi2HttpPipeline _pipeline;
        private int _disposed;

        private Edi2Session(Edi2ConnectionOptions options, HelseIdTokenProvider tokens, HttpClient http, Uri apiBase, Edi2Network network, TimeProvider clock)
        {
            _http = http;
            _tokens = tokens;
            ClientId = tokens.Settings.ClientId;
            Environment = options.Environment;
            Network = network;
            Authority = tokens.Settings.Authority;
            ApiBaseUri = apiBase;
            ApiVersion = options.ApiVersion;
            SourceSystem = options.SourceSystem;
            ParentOrganizationNumber = tokens.Settings.Organizations.Parent;
            ChildOrganizationNumber = tokens.Settings.Organizations.Child;
            DPoPKeyMode = tokens.DPoPKeyMode;
            ClientScope = new Edi2ClientScope(ClientId, Environment, apiBase);
            _pipeline = new Edi2HttpPipeline(http, tokens, ClientScope.ApiBaseUri, options.ApiVersion.ToString(), options.SourceSystem, options.Retry);
            Api = new Edi2ApiClient(_pipeline, options.ApiVersion);
            Clock = clock;
        }

        public string ClientId { get; }

        public Edi2Environment Environment { get; }

        public Edi2Network Network { get; }

        public Uri Authority { get; }

        /// <summary>The API base as it was given (shown to the user); what it is compared by is <see cref="ClientScope"/>.</summary>
        public Uri ApiBaseUri { get; }

        /// <summary>Client id, environment and normalised API base: what receive state and reservations of this session belong to.</summary>
        public Edi2ClientScope ClientScope { get; }

        public int ApiVersion { get; }

        public string SourceSystem { get; }

        /// <summary>The application name sent with messages and receipts: the source system's name ("My-EPJ" of "My-EPJ, v1.0.2").</summary>
        public string ApplicationName => SplitSourceSystem(SourceSystem).Name;

        /// <summary>The application version sent with messages and receipts: the source system's version, else the module's.</summary>
        public string ApplicationVersion => SplitSourceSystem(SourceSystem).Version;

        public string? ParentOrganizationNumber { get; }

        public string? ChildOrganizationNumber { get; }

        public DPoPKeyMode DPoPKeyMode { get; }

        /// <summary>HelseID, or NHN's test token service (a test-token session, whose <see cref="Authority"/> is the service's address).</summary>
        public Edi2TokenSource TokenSource => _tokens.TokenSource;

        /// <summary>The <c>jkt</c> the tokens are bound to.</summary>
        public string DPoPKeyThumbprint => _tokens.DPoPKey.Thumbprint;

        /// <summary>The client key's RFC 7638 thumbprint (which key HelseID must have registered).</summary>
        public string ClientKeyThumbprint { get; private set; } = "";

        public DateTimeOffset? TokenExpiresAt => _tokens.CurrentToken?.ExpiresAt;

        public string? Scope => _tokens.CurrentToken?.Scope;

        /// <summary>The API calls of this session.</summary>
        public Edi2ApiClient Api { get; }

        public bool IsDisposed => _disposed != 0;

        internal TimeProvider Clock { get; }

        /// <summary>Builds a session and gets its first token at once, so a wrong client id or key fails here, not later.</summary>
        public static Task<Edi2Session> ConnectAsync(Edi2ConnectionOptions options, SigningKey clientKey, CancellationToken cancellationToken = default,
            HttpMessageHandler? handler = null, TimeProvider? clock = null)
        {
            return WithFirstTokenAsync(Create(options, clientKey, handler, clock), cancellationToken);
        }

        // Fail fast: a wrong client id, key or API key fails at connect, not at the first call.
        private static async Task<Edi2Session> WithFirstTokenAsync(Edi2Session session, CancellationToken cancellationToken)
        {
            try
            {
                await session._tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
                return session;
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        private static void RequireApiVersion(Edi2ConnectionOptions options)
        {
            if (options.ApiVersion != 2 && options.ApiVersion != 3)
            {
                throw new ArgumentException($"API version {options.ApiVersion} is not supported; use 3 (or 2).", nameof(options));
            }
        }

        /// <summary>Builds a session without contacting anyone. The session owns <paramref name="clientKey"/> from here on.</summary>
        public static Edi2Session Create(Edi2ConnectionOptions options, SigningKey clientKey, HttpMessageHandler? handler = null, TimeProvider? clock = null) =>
            Build(options, options.Authority ?? Edi2Endpoints.Authority(options.Environment), options.ClientId, handler, clock,
                (settings, http) => new HelseIdTokenProvider(settings, clientKey, options.DPoPKey, http, clock: clock));

        // What both kinds of session share: the API base and network, the HelseID settings, the one HttpClient.
        private static Edi2Session Build(Edi2ConnectionOptions options, Uri authority, string clientId, HttpMessageHandler? handler, TimeProvider? clock,
            Func<HelseIdClientSettings, HttpClient, HelseIdTokenProvider> tokensFor)
        {
            RequireApiVersion(options);
            var network = options.Network ?? Edi2Endpoints.DefaultNetwork(options.Environment);
            var apiBase = Edi2Endpoints.RequireSecure(options.ApiBaseUri ?? Edi2Endpoints.ApiBase(options.Environment, network), "API base URI");
            var settings = new HelseIdClientSettings(authority, clientId,
                new OrganizationNumbers(options.ParentOrganizationNumber, options.ChildOrganizationNumber))
            {
                TokenRequestTimeout = options.TokenRequestTimeout,
            };
            var http = NewHttpClient(handler);
            var tokens = tokensFor(settings, http);
            return new Edi2Session(options, tokens, http, apiBase, network, clock ?? TimeProvider.System) { ClientKeyThumbprint = tokens.ClientKey?.Thumbprint ?? "" };
        }

        /// <summary>
        /// Builds a session whose tokens come from NHN's test token service, and gets its first token at once. Test
        /// environment only: production (or the production API address) is refused before any request.
        /// </summary>
        public static Task<Edi2Session> ConnectWithTestTokenAsync(Edi2ConnectionOptions options, Edi2TestTokenOptions testToken,
            CancellationToken cancellationToken = default, HttpMessageHandler? handler = null, TimeProvider? clock = null)
        {
            return WithFirstTokenAsync(CreateWithTestToken(options, testToken, handler, clock), cancellationToken);
        }

        /// <summary>A test-token session, without contacting anyone; <c>options.ClientId</c> may be empty (<see cref="Edi2TestTokenOptions.DefaultClientId"/>).</summary>
        public static Edi2Session CreateWithTestToken(Edi2ConnectionOptions options, Edi2TestTokenOptions testToken, HttpMessageHandler? handler = null, TimeProvider? clock = null)
        {
            string productionApiHost = Edi2Endpoints.ApiBase(Edi2Environment.Production, Edi2Network.Helsenett).Host;
            if (options.Environment == Edi2Environment.Production
                || (options.ApiBaseUri is Uri given && given.IsAbsoluteUri && string.Equals(given.Host, productionApiHost, StringComparison.OrdinalIgnoreCase)))
            {
                throw new Edi2AuthenticationException(AuthenticationErrorReason.TestTokenNotForProduction,
                    "NHN's test token service issues tokens for the test environment only, so Edi2 does not use it for production. For production, connect as your HelseID client (Connect-Edi2 -ClientId <id> -KeyPath <file> -Environment Production).",
                    options.ApiBaseUri?.ToString() ?? "Production");
            }
            string clientId = string.IsNullOrWhiteSpace(options.ClientId) ? Edi2TestTokenOptions.DefaultClientId : options.ClientId;
            return Build(options, Edi2Endpoints.TestTokenEndpoint(testToken.Uri), clientId, handler, clock,
                (settings, http) => HelseIdTokenProvider.ForTestTokenService(settings, testToken, http, clock: clock));
        }

        // One HttpClient per session, for HelseID and the API alike, so both go through the same proxy settings.
        // No redirects: one would carry the token, a proof or (for a 307 from the token endpoint) the client assertion to another host.
        internal static HttpClient NewHttpClient(HttpMessageHandler? handler) =>
            new HttpClient(handler ?? new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate, AllowAutoRedirect = false })
            {
                Timeout = System.Threading.Timeout.InfiniteTimeSpan, // each request has its own timeout
            };

        /// <summary>
        /// Switches the session to a new client key (after Update-Edi2ClientKey): the next token is signed for with it.
        /// The session owns <paramref name="clientKey"/> from here on.
        /// </summary>
        public void UseClientKey(SigningKey clientKey)
        {
            if (IsDisposed) throw new ObjectDisposedException(ToString());
            _tokens.UseClientKey(clientKey);
            ClientKeyThumbprint = clientKey.Thumbprint;
        }

        /// <summary>The current access token (fetching one if needed). A secret: for diagnostics and other NHN APIs.</summary>
        public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken = default) =>
            (await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false)).Value;

        /// <summary>A DPoP proof for a request to another API that accepts this session's tokens.</summary>
        public async Task<string> CreateProofAsync(HttpMethod method, Uri target, CancellationToken cancellationToken = default) =>
            _tokens.CreateProof(method, target, await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false));

        /// <summary>The claims of the current token (client id, organisation numbers, herid, scope, cnf), without the signature.</summary>
        public IReadOnlyDictionary<string, object?> GetTokenClaims()
        {
            var token = _tokens.CurrentToken;
            if (token is null) return new Dictionary<string, object?>();
            return JwtParts.Read(token.Value).Claims;
        }

        /// <summary>
        /// The client claims HelseID put in the current token: organisation numbers, tenancy, client name and the API's
        /// own claims such as <c>nhn:msh/client/claims/herid</c> ("0" = every HER-id of the organisation).
        /// </summary>
        public IReadOnlyDictionary<string, object?> ClientClaims =>
            GetTokenClaims()
                .Where(c => c.Key.StartsWith("helseid://claims/client/", StringComparison.Ordinal) || c.Key.StartsWith("nhn:msh/client/claims/", StringComparison.Ordinal))
                .ToDictionary(c => c.Key, c => c.Value);

        internal static (string Name, string Version) SplitSourceSystem(string sourceSystem)
        {
            var match = System.Text.RegularExpressions.Regex.Match(sourceSystem, @"^(?<name>.+?),?\s+v?(?<version>\d[\w.\-]*)$");
            return match.Success
                ? (match.Groups["name"].Value, match.Groups["version"].Value)
                : (sourceSystem, typeof(Edi2Session).Assembly.GetName().Version?.ToString(3) ?? "1.0");
        }

        public override string ToString() =>
            $"Edi2 session for client '{ClientId}' ({Environment}, {ApiBaseUri}{(TokenSource == Edi2TokenSource.TestTokenService ? ", test tokens" : "")})";

        /// <summary>Forgets the token and wipes the keys from memory. The session cannot be used afterwards.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _tokens.Dispose();
            _http.Dispose();
        }
    }
}
