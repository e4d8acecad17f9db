using System;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Diagnostics;
using Edi2.HelseId;

namespace Edi2.Api
{
    /// <summary>How hard to try again when the API or the network has a passing problem.</summary>
    public sealed class RetryPolicy
    {
        /// <summary>Attempts in all for an idempotent request (GET, PUT, DELETE).</summary>
        public int MaxAttempts { get; set; } = 4;

        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>A longer Retry-After than this is not waited for; the error is returned instead.</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>How long one attempt may take until the answer's headers arrive.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>The same for a request that uploads a business document (up to 47 MB of JSON).</summary>
        public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>
        /// How long a streamed answer (a business document download) may send no bytes at all before it is given up as
        /// stalled (<see cref="ApiErrorReason.Timeout"/>, retried as a cut download is). <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> turns it off.
        /// </summary>
        public TimeSpan BodyTimeout { get; set; } = TimeSpan.FromSeconds(30);

        internal TimeSpan Backoff(int attempt) => Exponential(BaseDelay, MaxDelay, attempt);

        /// <summary>The wait before try <paramref name="n"/> + 1: <paramref name="first"/>, doubled each time, at most <paramref name="max"/>.</summary>
        internal static TimeSpan Exponential(TimeSpan first, TimeSpan max, int n) =>
            TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Max(0, n - 1))));
    }

    /// <summary>
    /// Sends API requests with <c>Authorization: DPoP</c>, a new proof for every attempt, <c>api-version</c> and
    /// <c>nhn-source-system</c>. On 401 it drops the token and tries once more; it answers a resource-server nonce
    /// challenge once, and keeps the newest nonce of any answer for the next request; it retries idempotent requests
    /// on 429/502/503/504 and transport errors, never a POST.
    /// </summary>
    internal sealed class Edi2HttpPipeline
    {
        private readonly HttpClient _http;
        private readonly HelseIdTokenProvider _tokens;
        // Null for an API that wants neither header (HelseID self-service).
        private readonly string? _apiVersion;
        private readonly string? _sourceSystem;
        private readonly RetryPolicy _retry;
        // The API's own nonce (RFC 9449 section 9), never mixed with HelseID's.
        private readonly DPoPNonceKeeper _nonce = new DPoPNonceKeeper();

        public Edi2HttpPipeline(HttpClient http, HelseIdTokenProvider tokens, Uri apiBase, string? apiVersion, string? sourceSystem, RetryPolicy retry)
        {
            _http = http;
            _tokens = tokens;
            ApiBase = Edi2ClientScope.NormalizeApiBase(apiBase);
            _apiVersion = apiVersion;
            _sourceSystem = sourceSystem;
            _retry = retry;
        }

        public Uri ApiBase { get; }

        public RetryPolicy Retry => _retry;

        /// <summary>
        /// Sends a request whose body <paramref name="content"/> makes fresh for each attempt (so large bodies are streamed again,
        /// never buffered). The caller owns the response.
        /// </summary>
        public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, Func<HttpContent?>? content,
            HttpCompletionOption completion, CancellationToken cancellationToken, string accept = "application/json")
        {
            Uri uri = ApiAddress.Resolve(ApiBase, pathAndQuery); // never another host: the request carries the token
            bool idempotent = method != HttpMethod.Post;
            bool tokenRenewed = false, nonceAnswered = false;
            for (int attempt = 1; ; attempt++)
            {
                AccessToken token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
                var watch = Stopwatch.StartNew();
                HttpResponseMessage response;
                using (var request = new HttpRequestMessage(method, uri) { Content = content?.Invoke() })
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", token.Value);
                    request.Headers.Add("DPoP", _tokens.CreateProof(method, uri, token, _nonce.Current));
                    if (_apiVersion != null) request.Headers.Add("api-version", _apiVersion);
                    if (_sourceSystem != null) request.Headers.Add("nhn-source-system", _sourceSystem);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
                    try
                    {
                        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                        {
                            timeout.CancelAfter(request.Content is BusinessDocumentContent ? _retry.UploadTimeout : _retry.RequestTimeout);
                            response = await _http.SendAsync(request, completion, timeout.Token).ConfigureAwait(false);
                        }
                    }
                    catch (Exception e) when (IsTransport(e, cancellationToken))
                    {
                        string problem = e is OperationCanceledException ? "timed out" : e.GetBaseException().Message;
                        Report(method, uri, null, watch, attempt, problem);
                        if (idempotent && attempt < _retry.MaxAttempts)
                        {
                            await Task.Delay(_retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
                            continue;
                        }
                        throw Unreachable(method, uri, e, idempotent, attempt);
                    }
                }

                int status = (int)response.StatusCode;
                CheckNotRedirected(response, method, uri, watch, attempt);
                string? nonce = _nonce.Remember(response);
                if (status == 401)
                {
                    string? challenge = DPoPError(response);
                    if (DPoPNonceKeeper.AnswerOnce(challenge, nonce, ref nonceAnswered))
                    {
                        Retrying(response, method, uri, watch, attempt, "the API asked for a DPoP nonce");
                        continue;
                    }
                    if (!tokenRenewed)
                    {
                        // The request was refused before it was processed, so even a POST may be sent again.
                        _tokens.Invalidate(token);
                        tokenRenewed = true;
                        Retrying(response, method, uri, watch, attempt, "401, fetching a new token");
                        continue;
                    }
                }
                else if (idempotent && IsTransient(status) && attempt < _retry.MaxAttempts)
                {
                    TimeSpan? retryAfter = RetryAfter(response);
                    if (retryAfter is null || retryAfter <= _retry.MaxRetryAfter)
                    {
                        TimeSpan wait = retryAfter ?? _retry.Backoff(attempt);
                        Retrying(response, method, uri, watch, attempt, $"{status}, trying again in {wait.TotalSeconds:0.#} s");
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                Report(method, uri, status, watch, attempt, null);
                return response;
            }
        }

        /// <summary>
        /// A redirect is not followed (the session's handler has AllowAutoRedirect off; a handler given by the caller that
        /// followed one is caught by where the answer came from): the next hop would get the token and a proof.
        /// </summary>
        private void CheckNotRedirected(HttpResponseMessage response, HttpMethod method, Uri uri, Stopwatch watch, int attempt)
        {
            int status = (int)response.StatusCode;
            Uri? answeredFrom = response.RequestMessage?.RequestUri;
            bool followed = answeredFrom != null && answeredFrom != uri;
            if (!followed && (status < 300 || status > 399)) return;
            string target = followed ? answeredFrom!.AbsoluteUri : response.Headers.Location is Uri location
                ? (location.IsAbsoluteUri ? location : new Uri(uri, location)).AbsoluteUri
                : "(no Location)";
            Report(method, uri, status, watch, attempt, "redirect not followed");
            response.Dispose();
            throw new Edi2ApiException(ApiErrorReason.Redirected,
                $"EDI 2.0 {method} {uri.GetLeftPart(UriPartial.Path)} {(followed ? "was redirected" : $"answered HTTP {status}, a redirect")} to {target}. " +
                $"Edi2 does not follow redirects, so the access token and proof go only to the API base {ApiBase}. Check -ApiBaseUri and the network path (a proxy or gateway may be redirecting).",
                target, status);
        }

        private void Retrying(HttpResponseMessage response, HttpMethod method, Uri uri, Stopwatch watch, int attempt, string why)
        {
            Report(method, uri, (int)response.StatusCode, watch, attempt, why);
            response.Dispose();
        }

        private void Report(HttpMethod method, Uri uri, int? status, Stopwatch watch, int attempt, string? note)
        {
            // For -Debug: what was sent, with the credentials named but never shown.
            string headers = $"Authorization: DPoP <access token>; DPoP: <proof for {method} {uri.GetLeftPart(UriPartial.Path)}>"
                + (_apiVersion is null ? "" : $"; api-version: {_apiVersion}") + (_sourceSystem is null ? "" : $"; nhn-source-system: {_sourceSystem}");
            var trace = new Edi2HttpTrace(method.Method, uri, status, watch.Elapsed, attempt, note, headers);
            Edi2TraceScope.Report(trace);
        }

        private static bool IsTransient(int status) => status == 429 || status == 502 || status == 503 || status == 504;

        // A timeout of the HttpClient surfaces as a cancellation the caller did not ask for.
        private static bool IsTransport(Exception e, CancellationToken cancellationToken) =>
            e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

        private static Edi2ApiException Unreachable(HttpMethod method, Uri uri, Exception e, bool idempotent, int attempts)
        {
            bool timeout = e is OperationCanceledException;
            string what = timeout ? "timed out" : "failed: " + e.GetBaseException().Message;
            string tried = attempts > 1 ? $" after {attempts} attempts" : "";
            string post = idempotent ? "" : " The request may or may not have reached the server: check before sending again.";
            return new Edi2ApiException(timeout ? ApiErrorReason.Timeout : ApiErrorReason.ConnectionFailed,
                $"EDI 2.0 {method} {uri.GetLeftPart(UriPartial.Path)} {what}{tried}. Check the network path (proxy, firewall) to {uri.Host}.{post}",
                uri.ToString(), innerException: e);
        }

        internal static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header?.Delta is TimeSpan delta) return delta;
            if (header?.Date is DateTimeOffset date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
            return null;
        }

        /// <summary>The <c>error</c> parameter of a <c>WWW-Authenticate: DPoP</c> challenge.</summary>
        private static string? DPoPError(HttpResponseMessage response)
        {
            foreach (var challenge in response.Headers.WwwAuthenticate)
            {
                if (!string.Equals(challenge.Scheme, "DPoP", StringComparison.OrdinalIgnoreCase) || challenge.Parameter is null) continue;
                foreach (string part in challenge.Parameter.Split(','))
                {
                    var pair = part.Split(new[] { '=' }, 2);
                    if (pair.Length == 2 && pair[0].Trim().Equals("error", StringComparison.OrdinalIgnoreCase)) return pair[1].Trim().Trim('"');
                }
            }
            return null;
        }
    }
}
