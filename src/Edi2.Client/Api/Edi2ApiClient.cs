using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Model;

namespace Edi2.Api
{
    /// <summary>Application receipt status (AppRec, HIS 80415).</summary>
    public enum AppRecStatus
    {
        Ok,
        Rejected,
        OkErrorInMessagePart,
    }

    /// <summary>
    /// One typed method per EDI 2.0 operation, for API version 3 and, where the operation exists there, version 2.
    /// Everything that can be checked before a request (HER-id counts, document size and XML, receipt errors) is.
    /// </summary>
    public sealed class Edi2ApiClient
    {
        public const int MaxHerIdsPerRequest = Edi2HerIds.MaxPerRequest;

        private readonly Edi2HttpPipeline _pipeline;

        internal Edi2ApiClient(Edi2HttpPipeline pipeline, int apiVersion)
        {
            _pipeline = pipeline;
            ApiVersion = apiVersion;
        }

        public int ApiVersion { get; }

        public Uri ApiBase => _pipeline.ApiBase;

        private bool V3 => ApiVersion >= 3;

        // ---- v3: health and notifications ----

        public async Task<Edi2Ping> PingAsync(CancellationToken cancellationToken = default)
        {
            RequireV3("Test-Edi2Connection's ping");
            var ping = await GetAsync<PingResponse>("ping", ApiTarget.None, cancellationToken).ConfigureAwait(false);
            return new Edi2Ping { Response = ping.Response ?? "", ServerTime = ping.TimestampUtc };
        }

        /// <summary>One page of notifications newer than <paramref name="offset"/>.</summary>
        public async Task<IReadOnlyList<Edi2Notification>> GetNotificationsAsync(IReadOnlyCollection<int> herIds, long offset, int count = 100,
            CancellationToken cancellationToken = default)
        {
            RequireV3("Notifications");
            CheckHerIds(herIds);
            if (count < 1 || count > 1000) throw new ArgumentOutOfRangeException(nameof(count), count, "NotificationsToFetch must be 1 to 1000.");
            if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset cannot be negative.");
            string query = Query("notifications", herIds.Select(h => ("HerIds", h.ToString())).Concat(new[]
            {
                ("Offset", offset.ToString()), ("NotificationsToFetch", count.ToString()),
            }));
            var page = await GetAsync<NotificationsResponse>(query, ApiTarget.HerIds(herIds), cancellationToken,
                p => p.Notifications != null && NoNulls(p.Notifications), "a notifications page (an object with a notifications list)").ConfigureAwait(false);
            return page.Notifications!.Select(n => n.ToModel()).ToList();
        }

        /// <summary>Every notification newer than <paramref name="offset"/>, page after page until the server has no more.</summary>
        public async IAsyncEnumerable<Edi2Notification> GetAllNotificationsAsync(IReadOnlyCollection<int> herIds, long offset, int pageSize = 100,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var page in GetNotificationPagesAsync(herIds, offset, pageSize, cancellationToken).ConfigureAwait(false))
            {
                foreach (var notification in page)
                {
                    yield return notification;
                }
            }
        }

        /// <summary>
        /// The pages of <see cref="GetAllNotificationsAsync"/>, each non-empty; the next is read only when asked for, so a
        /// caller can stop (or count pages) between them.
        /// </summary>
        public async IAsyncEnumerable<IReadOnlyList<Edi2Notification>> GetNotificationPagesAsync(IReadOnlyCollection<int> herIds, long offset,
            int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var page = await GetNotificationsAsync(herIds, offset, pageSize, cancellationToken).ConfigureAwait(false);
                // An empty page ends the listing: a short page does not, as a server may cap the page size.
                if (page.Count == 0) yield break;
                yield return page;
                long next = page.Max(n => n.Offset);
                if (next <= offset) yield break;
                offset = next;
            }
        }

        /// <summary>
        /// Follows the notification stream (server-sent events), reconnecting from the last offset it delivered after
        /// an end of stream, a network error, 408, 429 or 5xx. Ends when the server answers 204 or the token is cancelled.
        /// </summary>
        public IAsyncEnumerable<Edi2Notification> StreamNotificationsAsync(IReadOnlyCollection<int> herIds, long? offset,
            CancellationToken cancellationToken = default)
        {
            RequireV3("The notification stream");
            CheckHerIds(herIds);
            return new NotificationStream(_pipeline, herIds, offset).ReadAsync(cancellationToken);
        }

        // ---- messages ----

        public async Task<Edi2Message> GetMessageAsync(Guid id, CancellationToken cancellationToken = default)
        {
            var dto = await GetAsync<MessageDto>($"{Messages}/{id}", ApiTarget.Message(id), cancellationToken).ConfigureAwait(false);
            var message = dto.ToModel();
            if (message.Id == Guid.Empty) message.Id = id;
            return message;
        }

        /// <summary>v2: unread messages for the receivers, one page (at most 100; mark them read to get the next).</summary>
        public async Task<IReadOnlyList<Edi2Message>> GetUnreadMessagesAsync(IReadOnlyCollection<int> receiverHerIds, int count = 100,
            bool includeMetadata = true, CancellationToken cancellationToken = default)
        {
            if (V3) throw NotInVersion("Listing unread messages", "v3 receives through notifications (Get-Edi2Notification)");
            CheckHerIds(receiverHerIds);
            if (count < 1 || count > 100) throw new ArgumentOutOfRangeException(nameof(count), count, "MessagesToFetch must be 1 to 100.");
            string query = Query("Messages", receiverHerIds.Select(h => ("ReceiverHerIds", h.ToString())).Concat(new[]
            {
                ("IncludeMetadata", includeMetadata ? "true" : "false"), ("MessagesToFetch", count.ToString()),
            }));
            var list = await GetAsync<List<MessageDto>>(query, ApiTarget.HerIds(receiverHerIds), cancellationToken, NoNulls, "a list of messages").ConfigureAwait(false);
            return list.Select(m => m.ToModel()).ToList();
        }

        /// <summary>
        /// Downloads the business document into <paramref name="destination"/>, decoding the base64 as it arrives.
        /// A download that ends early throws (Incomplete): what was written then is not a whole document.
        /// </summary>
        public async Task<BusinessDocumentInfo> DownloadBusinessDocumentAsync(Guid id, Stream destination, CancellationToken cancellationToken = default)
        {
            var target = ApiTarget.Message(id);
            using (var response = await SendAsync(HttpMethod.Get, $"{Messages}/{id}/business-document", null, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await FailureAsync(response, target).ConfigureAwait(false);
                using (var body = WithBodyTimeout(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), response, id))
                {
                    try
                    {
                        return await BusinessDocumentReader.CopyToAsync(body, destination, cancellationToken).ConfigureAwait(false);
                    }
                    catch (BusinessDocumentFormatException e) when (!e.EndedEarly)
                    {
                        throw new Edi2ApiException(ApiErrorReason.UnexpectedResponse,
                            $"Message {id}'s business document came back in a form that is not EDI 2.0's: {e.Message}", id, (int)response.StatusCode, innerException: e);
                    }
                    catch (Exception e) when (e is BusinessDocumentFormatException || e is IOException || e is HttpRequestException)
                    {
                        throw new Edi2ApiException(ApiErrorReason.Incomplete,
                            $"The download of message {id}'s business document did not complete: {e.Message} Nothing complete was received; try again.",
                            id, (int)response.StatusCode, innerException: e);
                    }
                }
            }
        }

        /// <summary>
        /// Sends a business document. v3 needs sender, receivers, type and application; v2 reads them from the MsgHead.
        /// A <c>progress</c> is told the document bytes sent so far, chunk by chunk (a retried attempt starts again at 0).
        /// </summary>
        public async Task<Guid> SendMessageAsync(Edi2Document document, int senderHerId, IReadOnlyCollection<int> receiverHerIds, string messageType,
            string applicationName, string applicationVersion, CancellationToken cancellationToken = default, IProgress<long>? progress = null)
        {
            document.Validate();
            byte[] members;
            ApiTarget target;
            if (V3)
            {
                CheckHerIds(receiverHerIds);
                if (string.IsNullOrWhiteSpace(messageType)) throw new ArgumentException("API v3 needs the message type (FinnKode 8279, e.g. DIALOG_HELSEFAGLIG).", nameof(messageType));
                members = JsonSerializer.SerializeToUtf8Bytes(new SendMessageV3Members
                {
                    SenderHerId = senderHerId, ReceiverHerIds = receiverHerIds.ToArray(), MessageTypeIdentificator = messageType,
                    ApplicationName = applicationName, ApplicationVersion = applicationVersion,
                }, Edi2Json.Options);
                target = ApiTarget.HerIds(new[] { senderHerId });
            }
            else
            {
                members = JsonSerializer.SerializeToUtf8Bytes(new SendMessageV2Members
                {
                    ReceiverHerIdsSubset = receiverHerIds.Count > 0 ? receiverHerIds.ToArray() : null,
                }, Edi2Json.Options);
                target = ApiTarget.None;
            }
            return await PostForIdAsync(Messages, () => new BusinessDocumentContent(members, document.Open(), progress: progress), target, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Marks a received message downloaded (v3) or read (v2) for one receiver.</summary>
        public Task MarkDownloadedAsync(Guid id, int receiverHerId, CancellationToken cancellationToken = default) =>
            V3
                ? SendExpectingNoContentAsync(HttpMethod.Put, $"messages/{id}/downloaded", Json(new DownloadedRequest { ReceiverHerId = receiverHerId }),
                    ApiTarget.MessageFor(id, receiverHerId), cancellationToken)
                : SendExpectingNoContentAsync(HttpMethod.Put, $"Messages/{id}/read/{receiverHerId}", null, ApiTarget.MessageFor(id, receiverHerId), cancellationToken);

        /// <summary>Has NHN generate and send an application receipt for a received message. Returns the receipt's message id.</summary>
        public Task<Guid> SendAppRecAsync(Guid messageId, int senderHerId, AppRecStatus status, IReadOnlyCollection<Edi2AppRecError> errors,
            string applicationName, string applicationVersion, CancellationToken cancellationToken = default)
        {
            CheckReceipt(status, errors);
            var errorList = errors.Count == 0 ? null : errors.Select(AppRecErrorDto.From).ToList();
            var target = ApiTarget.MessageFor(messageId, senderHerId);
            return V3
                ? PostForIdAsync($"messages/{messageId}/apprec", Json(new AppRecV3Request
                {
                    AppRecSenderHerId = senderHerId, AppRecStatus = status.ToString(), AppRecErrorList = errorList,
                    ApplicationName = applicationName, ApplicationVersion = applicationVersion,
                }), target, cancellationToken)
                : PostForIdAsync($"Messages/{messageId}/apprec/{senderHerId}", Json(new AppRecV2Request
                {
                    AppRecStatus = status.ToString(), AppRecErrorList = errorList,
                }), target, cancellationToken);
        }

        /// <summary>
        /// The receipt rule (HIS 80415): an Ok receipt has an empty error list, any other status at least one error. Throws
        /// <see cref="ArgumentException"/> before anything is sent.
        /// </summary>
        public static void CheckReceipt(AppRecStatus status, IReadOnlyCollection<Edi2AppRecError> errors)
        {
            if (errors is null) throw new ArgumentNullException(nameof(errors));
            if (status != AppRecStatus.Ok && errors.Count == 0)
            {
                throw new ArgumentException($"A receipt with status {status} needs at least one error (code list 8221, e.g. E10). Nothing was sent.", nameof(errors));
            }
            if (status == AppRecStatus.Ok && errors.Count > 0)
            {
                throw new ArgumentException($"An Ok receipt carries no errors, but {errors.Count} were given ({string.Join(", ", errors.Select(e => e.ErrorCode))}). " +
                    "Send it as OkErrorInMessagePart or Rejected, or leave the errors out. Nothing was sent.", nameof(errors));
            }
        }

        /// <summary>Delivery and receipt state per receiver of a sent message.</summary>
        public async Task<IReadOnlyList<Edi2MessageStatus>> GetMessageStatusAsync(Guid id, CancellationToken cancellationToken = default)
        {
            var target = ApiTarget.Message(id);
            if (V3)
            {
                var v3 = await GetAsync<StatusListResponse>($"messages/{id}/status", target, cancellationToken,
                    r => r.StatusList is null || (NoNulls(r.StatusList) && r.StatusList.All(s => NoNulls(s.ApprecInfo?.AppRecErrorList))), "a status list").ConfigureAwait(false);
                return (v3.StatusList ?? new List<StatusDto>()).Select(s => Status(id, s, s.ApprecInfo)).ToList();
            }
            // v2 keeps the receipt errors apart, under /apprec.
            var states = await GetAsync<List<StatusDto>>($"Messages/{id}/status", target, cancellationToken, NoNulls, "a list of states").ConfigureAwait(false);
            var receipts = await GetAsync<List<ApprecInfoDto>>($"Messages/{id}/apprec", target, cancellationToken,
                l => NoNulls(l) && l.All(r => NoNulls(r.AppRecErrorList)), "a list of receipts").ConfigureAwait(false);
            return states.Select(s => Status(id, s, receipts.FirstOrDefault(r => r.ReceiverHerId == s.ReceiverHerId))).ToList();
        }

        // ---- v3: MSH configurations (reservations) ----

        /// <summary>Creates or updates the configurations; <see cref="MshConfiguration.ClientLocked"/> reserves a HER-id for this client.</summary>
        public Task PutConfigurationsAsync(IReadOnlyCollection<MshConfiguration> configurations, CancellationToken cancellationToken = default)
        {
            RequireV3("MSH configurations (reservations)");
            var herIds = configurations.Select(c => c.HerId).ToList();
            CheckHerIds(herIds);
            var body = new ConfigurationsRequest { Configurations = configurations.Select(ConfigurationDto.From).ToList() };
            return SendExpectingNoContentAsync(HttpMethod.Put, "mshconfigurations", Json(body), ApiTarget.HerIds(herIds), cancellationToken);
        }

        /// <summary>Deletes the configurations of the HER-ids, releasing any reservation.</summary>
        public Task DeleteConfigurationsAsync(IReadOnlyCollection<int> herIds, CancellationToken cancellationToken = default)
        {
            RequireV3("MSH configurations (reservations)");
            CheckHerIds(herIds);
            return SendExpectingNoContentAsync(HttpMethod.Delete, Query("mshconfigurations", herIds.Select(h => ("HerIds", h.ToString()))),
                null, ApiTarget.HerIds(herIds), cancellationToken);
        }

        // ---- raw access for Invoke-Edi2Request ----

        /// <summary>
        /// Any request against the API base (Invoke-Edi2Request), with the same authentication, retries and error
        /// mapping as the typed calls. Returns the answer's text; a failure throws <see cref="Edi2ApiException"/>.
        /// </summary>
        public async Task<Edi2RawResponse> InvokeAsync(HttpMethod method, string pathAndQuery, string? jsonBody, CancellationToken cancellationToken = default)
        {
            Func<HttpContent>? content = jsonBody is null ? null : () => new StringContent(jsonBody, Encoding.UTF8, "application/json");
            using (var response = await SendAsync(method, pathAndQuery, content, cancellationToken).ConfigureAwait(false))
            {
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) throw ApiErrors.FromResponse(response, body, ApiTarget.None);
                return new Edi2RawResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body,
                    response.Headers.Location?.ToString());
            }
        }

        // ---- plumbing ----

        private string Messages => V3 ? "messages" : "Messages";

        private static Edi2MessageStatus Status(Guid id, StatusDto s, ApprecInfoDto? receipt) => new Edi2MessageStatus
        {
            MessageId = id,
            ReceiverHerId = s.ReceiverHerId,
            TransportDeliveryState = s.TransportDeliveryState ?? "",
            Sent = s.Sent,
            AppRecStatus = NormalizeAppRecStatus(receipt?.AppRecStatus ?? s.AppRecStatus),
            AppRecErrors = (receipt?.AppRecErrorList ?? new List<AppRecErrorDto>()).Select(e => e.ToModel()).ToArray(),
            AppRecId = receipt?.AppRecId,
        };

        // v2 has been seen sending the numeric values "1", "2", "3", and the Norwegian "Avvist".
        internal static string? NormalizeAppRecStatus(string? status)
        {
            switch (status?.Trim())
            {
                case null: case "": return null;
                case "1": return "Ok";
                case "2": case "Avvist": return "Rejected";
                case "3": return "OkErrorInMessagePart";
                default: return status.Trim();
            }
        }

        private async Task<T> GetAsync<T>(string pathAndQuery, ApiTarget target, CancellationToken cancellationToken, Func<T, bool>? whole = null,
            string expected = "the expected JSON")
        {
            using (var response = await SendAsync(HttpMethod.Get, pathAndQuery, null, cancellationToken).ConfigureAwait(false))
            {
                return await ReadAsync(response, target, whole, expected).ConfigureAwait(false);
            }
        }

        private async Task<Guid> PostForIdAsync(string path, Func<HttpContent> content, ApiTarget target, CancellationToken cancellationToken)
        {
            using (var response = await SendAsync(HttpMethod.Post, path, content, cancellationToken).ConfigureAwait(false))
            {
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) throw ApiErrors.FromResponse(response, body, target);
                // v3: 202 {"id":"…"}; v2: 201 with the id as a JSON string.
                try
                {
                    using (var document = JsonDocument.Parse(body))
                    {
                        var root = document.RootElement;
                        if (root.ValueKind == JsonValueKind.String && Guid.TryParse(root.GetString(), out Guid plain)) return plain;
                        var dto = JsonSerializer.Deserialize<IdResponse>(body, Edi2Json.Options);
                        if (dto?.Id is Guid id) return id;
                    }
                }
                catch (JsonException)
                {
                }
                throw Unexpected(response, body, target, "the new message's id");
            }
        }

        private async Task SendExpectingNoContentAsync(HttpMethod method, string pathAndQuery, Func<HttpContent>? content, ApiTarget target,
            CancellationToken cancellationToken)
        {
            using (var response = await SendAsync(method, pathAndQuery, content, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await FailureAsync(response, target).ConfigureAwait(false);
                // EDI 2.0 answers 204. A success with a body that is not JSON (a cut page, a portal's HTML) did not come from
                // it, and the change may never have been made: refuse it, so that a receive does not move past an unmarked message.
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (body.Trim().Length > 0 && !IsJson(body)) throw Unexpected(response, body, target, "an empty answer (204) or JSON");
            }
        }

        private static bool IsJson(string body)
        {
            try
            {
                using (JsonDocument.Parse(body))
                {
                    return true;
                }
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, Func<HttpContent?>? content, CancellationToken cancellationToken,
            HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead) =>
            _pipeline.SendAsync(method, pathAndQuery, content, completion, cancellationToken);

        /// <summary>The retry policy of the session (downloads retried whole by <see cref="Workflows.MessageFiles"/> use it too).</summary>
        internal RetryPolicy Retry => _pipeline.Retry;

        private Stream WithBodyTimeout(Stream body, HttpResponseMessage response, object target) =>
            Retry.BodyTimeout == System.Threading.Timeout.InfiniteTimeSpan
                ? body
                : new BodyTimeoutStream(body, Retry.BodyTimeout, response.RequestMessage?.Method ?? HttpMethod.Get, response.RequestMessage?.RequestUri ?? ApiBase, target);

        /// <summary>
        /// The JSON answer as <typeparamref name="T"/>; <paramref name="whole"/> says whether it has what a right answer has
        /// (a 200 of <c>{"unexpected":[]}</c> parses, but is no notifications page).
        /// </summary>
        private static async Task<T> ReadAsync<T>(HttpResponseMessage response, ApiTarget target, Func<T, bool>? whole = null, string expected = "the expected JSON")
        {
            string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw ApiErrors.FromResponse(response, body, target);
            try
            {
                var value = JsonSerializer.Deserialize<T>(body, Edi2Json.Options);
                if (value != null && (whole is null || whole(value))) return value;
            }
            catch (JsonException)
            {
            }
            throw Unexpected(response, body, target, expected);
        }

        /// <summary>A list the answer may leave out, but not one with a null where an object belongs (<c>[null]</c>).</summary>
        private static bool NoNulls<T>(IEnumerable<T>? items) where T : class => items is null || items.All(item => item != null);

        private static async Task<Edi2ApiException> FailureAsync(HttpResponseMessage response, ApiTarget target) =>
            ApiErrors.FromResponse(response, await response.Content.ReadAsStringAsync().ConfigureAwait(false), target);

        private static Edi2ApiException Unexpected(HttpResponseMessage response, string body, ApiTarget target, string expected) =>
            new Edi2ApiException(ApiErrorReason.UnexpectedResponse,
                $"EDI 2.0 {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.StatusCode} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"} ({body.Length} characters), not {expected}. A proxy or gateway may be in the way.",
                target.Value ?? response.RequestMessage?.RequestUri?.ToString(), (int)response.StatusCode);

        private static Func<HttpContent> Json(object body)
        {
            byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Edi2Json.Options);
            return () =>
            {
                var content = new ByteArrayContent(bytes);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                return content;
            };
        }

        internal static string Query(string path, IEnumerable<(string Name, string Value)> parameters) =>
            path + "?" + string.Join("&", parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

        private static void CheckHerIds(IReadOnlyCollection<int> herIds) => Edi2HerIds.CheckRequest(herIds, "herIds");

        private void RequireV3(string what)
        {
            if (!V3) throw NotInVersion(what, "connect with -ApiVersion 3");
        }

        private Edi2ApiException NotInVersion(string what, string instead) =>
            new Edi2ApiException(ApiErrorReason.NotSupportedInVersion,
                $"{what} is not part of EDI 2.0 API version {ApiVersion}; {instead}.", ApiVersion);
    }
}
