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
    /// <summary>
    /// GET /notifications/stream (server-sent events). NHN resumes by notification offset, not Last-Event-ID, so after
    /// a break the stream is opened again from the last offset delivered: nothing lost, nothing twice.
    /// </summary>
    internal sealed class NotificationStream
    {
        // Give up after this many failed connects in a row; a delivered event resets the count.
        internal const int MaxFailuresInARow = 10;

        private readonly Edi2HttpPipeline _pipeline;
        private readonly IReadOnlyCollection<int> _herIds;
        private long? _offset;

        public NotificationStream(Edi2HttpPipeline pipeline, IReadOnlyCollection<int> herIds, long? offset)
        {
            _pipeline = pipeline;
            _herIds = herIds;
            _offset = offset;
        }

        public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

        public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

        public async IAsyncEnumerable<Edi2Notification> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            int failures = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var parameters = _herIds.Select(h => ("HerIds", h.ToString())).ToList();
                if (_offset is long offset) parameters.Add(("Offset", offset.ToString()));
                string path = Edi2ApiClient.Query("notifications/stream", parameters);

                HttpResponseMessage? response = null;
                Stream? body = null;
                try
                {
                    response = await _pipeline.SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken, "text/event-stream")
                        .ConfigureAwait(false);
                }
                catch (Edi2ApiException e) when (e.ApiReason == ApiErrorReason.ConnectionFailed || e.ApiReason == ApiErrorReason.Timeout)
                {
                    response = null;
                    if (++failures >= MaxFailuresInARow) throw;
                }

                if (response != null)
                {
                    int status = (int)response.StatusCode;
                    if (status == 204)
                    {
                        response.Dispose();
                        yield break;
                    }
                    if (!response.IsSuccessStatusCode)
                    {
                        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                        var error = ApiErrors.FromResponse(response, text, ApiTarget.HerIds(_herIds));
                        response.Dispose();
                        bool passing = status == 408 || status == 429 || status >= 500;
                        if (!passing || ++failures >= MaxFailuresInARow) throw error;
                    }
                    else
                    {
                        body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    }
                }

                if (body != null)
                {
                    using (response)
                    using (var reader = new StreamReader(body, Encoding.UTF8))
                    {
                        while (true)
                        {
                            ServerSentEvent? sse;
                            try
                            {
                                sse = await ServerSentEvent.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
                            }
                            catch (Exception e) when (e is IOException || e is HttpRequestException)
                            {
                                failures++;
                                break;
                            }
                            if (sse is null) break; // end of stream: reconnect
                            if (sse.Event != "notification" || sse.Data.Length == 0) continue;

                            var notification = JsonSerializer.Deserialize<NotificationDto>(sse.Data, Edi2Json.Options)?.ToModel();
                            if (notification is null) continue;
                            failures = 0;
                            _offset = notification.Offset;
                            yield return notification;
                        }
                    }
                    if (failures >= MaxFailuresInARow)
                    {
                        throw new Edi2ApiException(ApiErrorReason.ConnectionFailed,
                            $"The notification stream broke {failures} times in a row; giving up.", _herIds.ToArray());
                    }
                }

                double backoff = Math.Min(MaxReconnectDelay.TotalMilliseconds, ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, failures - 1)));
                await Task.Delay(TimeSpan.FromMilliseconds(backoff), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One event of a text/event-stream (WHATWG HTML, server-sent events): comments skipped, data lines joined.</summary>
    internal sealed class ServerSentEvent
    {
        private ServerSentEvent(string @event, string data)
        {
            Event = @event;
            Data = data;
        }

        public string Event { get; }

        public string Data { get; }

        /// <summary>The next event, or null at the end of the stream.</summary>
        public static async Task<ServerSentEvent?> ReadAsync(TextReader reader, CancellationToken cancellationToken)
        {
            string type = "message";
            var data = new StringBuilder();
            bool any = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string? line = await reader.ReadLineAsync().ConfigureAwait(false);
                if (line is null) return null; // a half-received event is dropped: it is sent again after reconnecting
                if (line.Length == 0)
                {
                    if (any) return new ServerSentEvent(type, data.ToString());
                    continue;
                }
                if (line[0] == ':') continue; // comment, e.g. keep-alive

                int colon = line.IndexOf(':');
                string field = colon < 0 ? line : line.Substring(0, colon);
                string value = colon < 0 ? "" : line.Substring(colon + 1);
                if (value.StartsWith(" ", StringComparison.Ordinal)) value = value.Substring(1);
                any = true;
                if (field == "event") type = value;
                else if (field == "data") data.Append(data.Length > 0 ? "\n" : "").Append(value);
            }
        }
    }
}
