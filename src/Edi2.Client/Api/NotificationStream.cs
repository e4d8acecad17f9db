using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
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

        /// <summary>
        /// Tests wrap the response body here, e.g. in a stream that ignores cancellation tokens as .NET Framework's does,
        /// to show that cancelling still ends a pending read there.
        /// </summary>
        internal static readonly AsyncLocal<Func<Stream, Stream>?> WrapBodyForTests = new AsyncLocal<Func<Stream, Stream>?>();

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
                        if (WrapBodyForTests.Value is Func<Stream, Stream> wrap) body = wrap(body);
                    }
                }

                if (body != null)
                {
                    // SseParser (System.Net.ServerSentEvents): comments skipped, data lines joined, a half-received event at
                    // the end dropped (it is sent again after reconnecting from the last offset).
                    IAsyncEnumerator<SseItem<NotificationDto?>> events = SseParser.Create(body, ParseEvent)
                        .EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                    Task<bool>? pending = null;
                    try
                    {
                        while (true)
                        {
                            bool more;
                            try
                            {
                                pending = events.MoveNextAsync().AsTask();
                                more = await UntilCancelled(pending, cancellationToken).ConfigureAwait(false);
                                pending = null;
                            }
                            catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
                            {
                                throw new OperationCanceledException("The notification stream was cancelled.", e, cancellationToken);
                            }
                            catch (Exception e) when (e is IOException || e is HttpRequestException)
                            {
                                pending = null;
                                failures++;
                                break;
                            }
                            catch (JsonException e)
                            {
                                pending = null;
                                throw new Edi2ApiException(ApiErrorReason.UnexpectedResponse,
                                    $"The notification stream sent a notification event that is not EDI 2.0's notification JSON ({e.Message}) after offset {_offset?.ToString() ?? "(none)"}. A proxy or gateway may be in the way; Get-Edi2Notification without -Wait reads the same notifications page by page.",
                                    _herIds.ToArray(), innerException: e);
                            }
                            if (!more) break; // end of stream: reconnect

                            var notification = events.Current.Data?.ToModel();
                            if (notification is null) continue;
                            failures = 0;
                            _offset = notification.Offset;
                            yield return notification;
                        }
                    }
                    finally
                    {
                        if (pending is null || pending.IsCompleted)
                        {
                            await events.DisposeAsync().ConfigureAwait(false);
                            response!.Dispose();
                        }
                        else
                        {
                            // Cancelled during a read that does not watch the token (.NET Framework's response stream ignores
                            // it once a read has started): leave that read behind and close the response in the background,
                            // as closing may wait for the server. The read then fails, unobserved by anyone but this.
                            _ = pending.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                            var abandoned = response!;
                            _ = Task.Run(() => abandoned.Dispose());
                        }
                    }
                    if (failures >= MaxFailuresInARow)
                    {
                        throw new Edi2ApiException(ApiErrorReason.ConnectionFailed,
                            $"The notification stream broke {failures} times in a row; giving up.", _herIds.ToArray());
                    }
                }

                await Task.Delay(RetryPolicy.Exponential(ReconnectDelay, MaxReconnectDelay, failures), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// The read, or an OperationCanceledException as soon as the token is cancelled, whether or not the read watches the
        /// token: .NET's response stream ends a pending read when its token is cancelled, .NET Framework's does not. So
        /// Ctrl+C stops a stream at once even while the server sends nothing.
        /// </summary>
        private static async Task<bool> UntilCancelled(Task<bool> read, CancellationToken cancellationToken)
        {
            if (read.IsCompleted || !cancellationToken.CanBeCanceled) return await read.ConfigureAwait(false);
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(state => ((TaskCompletionSource<bool>)state!).TrySetCanceled(), cancelled))
            {
                Task<bool> first = await Task.WhenAny(read, cancelled.Task).ConfigureAwait(false);
                return await first.ConfigureAwait(false);
            }
        }

        /// <summary>A "notification" event's JSON; other events (e.g. "connected") and empty data give null.</summary>
        private static NotificationDto? ParseEvent(string eventType, ReadOnlySpan<byte> data) =>
            eventType == "notification" && data.Length > 0 ? JsonSerializer.Deserialize<NotificationDto>(data, Edi2Json.Options) : null;
    }
}
