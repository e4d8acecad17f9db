using System;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Api;
using Edi2.HelseId;
using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>
    /// Rotates a HelseID client key through self-service (spec helseid-dpop 2.3): a new key, its public JWK POSTed to
    /// <c>{SelfServiceUri}/v1/client-secret</c> with a DPoP-bound token for <c>nhn:selvbetjening/client</c> signed for with
    /// the current key, and the key store changed only after the server's yes.
    /// <para>
    /// Crash safety: the new key is written to the store's pending place before the POST. A pending key found later
    /// (by this class, or by Connect-Edi2 on that key file) is resolved by asking HelseID for a token with it:
    /// accepted, the rotation is finished (backup, then the pending key becomes current); refused while the current key
    /// is accepted, the pending key is removed; anything else (HelseID unreachable) leaves it for the next run.
    /// </para>
    /// </summary>
    public sealed class ClientKeyRotation : IDisposable
    {
        public const string SelfServiceScope = "nhn:selvbetjening/client";
        public const string ClientSecretPath = "v1/client-secret";

        private readonly ClientKeyRotationOptions _options;
        private readonly HttpClient _http;
        private readonly TimeProvider _clock;

        public ClientKeyRotation(ClientKeyRotationOptions options, HttpMessageHandler? handler = null, TimeProvider? clock = null)
        {
            if (string.IsNullOrWhiteSpace(options.ClientId)) throw new ArgumentException("The HelseID client id is empty.", nameof(options));
            Edi2Endpoints.RequireSecure(options.SelfServiceUri, "self-service URI");
            _options = options;
            _clock = clock ?? TimeProvider.System;
            _http = Edi2Session.NewHttpClient(handler); // the sessions' client: no redirect is followed with a token or an assertion
        }

        /// <summary>Test hook: called after each <see cref="KeyRotationStep"/>; a throw there is a crash at that point.</summary>
        internal Action<KeyRotationStep>? AfterStep { get; set; }

        /// <summary>The address the public key is POSTed to.</summary>
        public Uri ClientSecretEndpoint => new Uri(Edi2ClientScope.NormalizeApiBase(_options.SelfServiceUri), ClientSecretPath);

        /// <summary>
        /// Makes a new key, has self-service register it, then stores it (old key backed up). An unfinished earlier
        /// rotation is resolved first. On a refusal the store is as it was.
        /// </summary>
        public async Task<Edi2ClientKeyRotation> RotateAsync(IClientKeyStore store, CancellationToken cancellationToken = default)
        {
            await ResolvePendingAsync(store, cancellationToken).ConfigureAwait(false);
            string currentText = store.ReadCurrent();
            string previousThumbprint = Thumbprint(currentText, store.Location);

            using (SigningKey newKey = SigningKey.Generate(_options.Algorithm))
            {
                string newText = InFormatOf(currentText, newKey);
                store.WritePending(newText);
                AfterStep?.Invoke(KeyRotationStep.PendingWritten);

                DateTimeOffset? expiration;
                try
                {
                    expiration = await RegisterAsync(currentText, store.Location, newKey.ExportPublicJwk(), cancellationToken).ConfigureAwait(false);
                }
                catch (Edi2KeyRotationException e) when (e.RotationReason == KeyRotationErrorReason.Unreachable)
                {
                    // The POST may have reached self-service: what HelseID accepts now tells.
                    var resolution = await ResolveAsync(store, cancellationToken, e).ConfigureAwait(false);
                    if (resolution.Outcome != PendingKeyOutcome.Finished) throw;
                    return Result(newKey, null, store, resolution.BackupPath!, previousThumbprint);
                }
                catch
                {
                    store.RemovePending();
                    throw;
                }
                AfterStep?.Invoke(KeyRotationStep.ServerAccepted);

                string backup = Commit(store, currentText, newText);
                return Result(newKey, expiration, store, backup, previousThumbprint);
            }
        }

        /// <summary>Finishes or rolls back a rotation that was interrupted (see the class summary for the rule).</summary>
        public Task<PendingKeyResolution> ResolvePendingAsync(IClientKeyStore store, CancellationToken cancellationToken = default) =>
            ResolveAsync(store, cancellationToken, null);

        private async Task<PendingKeyResolution> ResolveAsync(IClientKeyStore store, CancellationToken cancellationToken, Exception? cause)
        {
            string? pendingText = store.ReadPending();
            if (pendingText is null) return new PendingKeyResolution(PendingKeyOutcome.None);
            string currentText = store.ReadCurrent();
            string pendingThumbprint;
            try
            {
                pendingThumbprint = Thumbprint(pendingText, store.Location + KeyFileStore.PendingSuffix);
            }
            catch (Edi2KeyException)
            {
                // Written whole before any POST (KeyFile is atomic), so an unreadable pending key was never sent.
                store.RemovePending();
                return new PendingKeyResolution(PendingKeyOutcome.RolledBack);
            }
            if (pendingThumbprint == Thumbprint(currentText, store.Location))
            {
                store.RemovePending();
                return new PendingKeyResolution(PendingKeyOutcome.AlreadyCommitted, thumbprint: pendingThumbprint);
            }

            bool? pendingAccepted = await IsAcceptedAsync(pendingText, cancellationToken).ConfigureAwait(false);
            if (pendingAccepted == true)
            {
                string backup = Commit(store, currentText, pendingText);
                return new PendingKeyResolution(PendingKeyOutcome.Finished, backup, pendingThumbprint);
            }
            if (pendingAccepted == false && await IsAcceptedAsync(currentText, cancellationToken).ConfigureAwait(false) == true)
            {
                store.RemovePending();
                return new PendingKeyResolution(PendingKeyOutcome.RolledBack);
            }
            throw new Edi2KeyRotationException(KeyRotationErrorReason.Unfinished,
                $"A key rotation of {store.Location} is unfinished, and HelseID at {_options.Authority} could not tell whether self-service took the new key " +
                $"({cause?.Message ?? "neither key got a token"}). The pending key is kept; run Update-Edi2ClientKey (or Connect-Edi2) again when HelseID can be reached.",
                store.Location, cause);
        }

        /// <summary>Backup of the old key, then the pending key made current: after the server's yes, so a failure here is NotSaved.</summary>
        private string Commit(IClientKeyStore store, string currentText, string pendingText)
        {
            try
            {
                string backup = store.WriteBackup(currentText, _clock.GetUtcNow());
                AfterStep?.Invoke(KeyRotationStep.BackupWritten);
                store.CommitPending(pendingText);
                return backup;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || (e is Edi2Exception && !(e is Edi2KeyRotationException)))
            {
                throw new Edi2KeyRotationException(KeyRotationErrorReason.NotSaved,
                    $"HelseID self-service took the new key, but {store.Location} could not be updated: {e.Message} The new key is kept as pending; " +
                    "fix the cause and run Update-Edi2ClientKey (or Connect-Edi2) again, which finishes the rotation.", store.Location, e);
            }
        }

        /// <summary>POST the public JWK; self-service's yes is any 2xx, with the key's expiration when it says one.</summary>
        private async Task<DateTimeOffset?> RegisterAsync(string currentText, string source, string publicJwk, CancellationToken cancellationToken)
        {
            Uri endpoint = ClientSecretEndpoint;
            using (var tokens = Provider(SigningKey.FromText(currentText, null, null, source)))
            {
                var pipeline = new Edi2HttpPipeline(_http, tokens, Edi2ClientScope.NormalizeApiBase(_options.SelfServiceUri), null, null, _options.Retry);
                HttpResponseMessage response;
                try
                {
                    response = await pipeline.SendAsync(HttpMethod.Post, ClientSecretPath,
                        () => new StringContent(publicJwk, Encoding.UTF8, "application/json"), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                }
                catch (Edi2AuthenticationException e) when (e.AuthenticationReason == AuthenticationErrorReason.InvalidScope)
                {
                    throw new Edi2KeyRotationException(KeyRotationErrorReason.NoSelfServiceScope,
                        $"HelseID gives client '{_options.ClientId}' no token for {SelfServiceScope}, so it cannot rotate its own key. Add the scope " +
                        $"{SelfServiceScope} to the client in HelseID self-service, or upload the new public key there by hand (New-Edi2ClientKey). The key is unchanged.",
                        _options.ClientId, e);
                }
                catch (Edi2ApiException e) when (e.ApiReason == ApiErrorReason.ConnectionFailed || e.ApiReason == ApiErrorReason.Timeout)
                {
                    throw new Edi2KeyRotationException(KeyRotationErrorReason.Unreachable,
                        $"HelseID self-service at {endpoint} could not be reached ({e.InnerException?.GetBaseException().Message ?? e.ApiReason.ToString()}). " +
                        "Check the network path (proxy, firewall) and -SelfServiceUri, then run Update-Edi2ClientKey again. The key is unchanged.", endpoint.ToString(), e);
                }
                using (response)
                {
                    string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    int status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode) return ReadExpiration(body);
                    string said = ApiErrors.Problem.Parse(body)?.Text(status) ?? "The server said nothing more.";
                    if (status >= 500)
                    {
                        throw new Edi2KeyRotationException(KeyRotationErrorReason.Unreachable,
                            $"HelseID self-service at {endpoint} answered HTTP {status} {response.ReasonPhrase}. {said} Try again later. The key is unchanged.", endpoint.ToString());
                    }
                    string hint = status == 401 || status == 403
                        ? $" Check that client '{_options.ClientId}' may use HelseID self-service (scope {SelfServiceScope}) and that -SelfServiceUri belongs to this HelseID environment."
                        : " Check -Algorithm and -SelfServiceUri.";
                    throw new Edi2KeyRotationException(KeyRotationErrorReason.Refused,
                        $"HelseID self-service refused the new key for client '{_options.ClientId}': HTTP {status} {response.ReasonPhrase}. {said}{hint} The key is unchanged.",
                        endpoint.ToString());
                }
            }
        }

        /// <summary>{"expiration": "2027-01-01T00:00:00+00:00"}, read liberally (any case, a string or Unix seconds); null if absent.</summary>
        private static DateTimeOffset? ReadExpiration(string body)
        {
            try
            {
                using (var document = JsonDocument.Parse(body))
                {
                    if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
                    foreach (var member in document.RootElement.EnumerateObject())
                    {
                        if (!string.Equals(member.Name, "expiration", StringComparison.OrdinalIgnoreCase)) continue;
                        if (member.Value.ValueKind == JsonValueKind.String
                            && DateTimeOffset.TryParse(member.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)) return when;
                        if (member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt64(out long seconds)) return DateTimeOffset.FromUnixTimeSeconds(seconds);
                    }
                }
            }
            catch (JsonException)
            {
            }
            return null;
        }

        /// <summary>Whether HelseID authenticates the client with this key: true (token, or a refusal about scope only), false (invalid_client), null (no answer).</summary>
        private async Task<bool?> IsAcceptedAsync(string keyText, CancellationToken cancellationToken)
        {
            using (var tokens = Provider(SigningKey.FromText(keyText)))
            {
                try
                {
                    await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (Edi2AuthenticationException e)
                {
                    switch (e.AuthenticationReason)
                    {
                        // HelseID authenticates the client before it looks at the scope (Duende's order).
                        case AuthenticationErrorReason.InvalidScope:
                        case AuthenticationErrorReason.UnauthorizedClient:
                            return true;
                        case AuthenticationErrorReason.InvalidClient:
                            return false;
                        default:
                            return null;
                    }
                }
            }
        }

        private HelseIdTokenProvider Provider(SigningKey clientKey)
        {
            var settings = new HelseIdClientSettings(_options.Authority, _options.ClientId, _options.Organizations, SelfServiceScope)
            {
                TokenRequestTimeout = _options.TokenRequestTimeout,
            };
            return new HelseIdTokenProvider(settings, clientKey, DPoPKeyMode.Ephemeral, _http, new TokenCache(), _clock);
        }

        /// <summary>The new key in the old one's format: PKCS#8 PEM for a PEM key, else a private JWK.</summary>
        internal static string InFormatOf(string currentText, SigningKey newKey) =>
            PemKeyReader.LooksLikePem(currentText.TrimStart('\uFEFF', ' ', '\t', '\r', '\n')) ? newKey.ExportPrivatePem() : newKey.ExportPrivateJwk();

        private static string Thumbprint(string keyText, string source)
        {
            using (var key = SigningKey.FromText(keyText, null, null, source)) return key.Thumbprint;
        }

        private static Edi2ClientKeyRotation Result(SigningKey newKey, DateTimeOffset? expiration, IClientKeyStore store, string backup, string previousThumbprint) =>
            new Edi2ClientKeyRotation
            {
                Thumbprint = newKey.Thumbprint, KeyId = newKey.KeyId ?? "", Algorithm = newKey.Algorithm, Expiration = expiration,
                Path = store.Location, BackupPath = backup, PreviousThumbprint = previousThumbprint,
            };

        public void Dispose() => _http.Dispose();
    }
}
