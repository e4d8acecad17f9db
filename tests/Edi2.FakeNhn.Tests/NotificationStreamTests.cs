using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;
using static Edi2.FakeNhn.Tests.EdiApiCaller;

namespace Edi2.FakeNhn.Tests;

/// <summary>GET /notifications/stream: connected, backlog after Offset, live pushes, keep-alives, knobs to drop or answer 204.</summary>
public sealed class NotificationStreamTests : IClassFixture<EdiApiFixture>
{
    private readonly FakeNhnServer _server;
    private readonly EdiApiCaller _api;

    public NotificationStreamTests(EdiApiFixture fixture)
    {
        fixture.Reset();
        _server = fixture.Server;
        _api = fixture.Api;
    }

    [Fact]
    public async Task Connected_then_backlog_then_live_pushes_with_keep_alives()
    {
        _server.Api.StreamKeepAliveInterval = TimeSpan.FromMilliseconds(150);
        var start = _server.Edi.LastOffset;
        var backlog = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB));
        _server.Edi.AddNotifications(HerSub, 1); // not asked for

        using var stream = await SseStream.OpenAsync(_api, $"/notifications/stream?HerIds={HerB}&Offset={start}");
        Assert.Equal("text/event-stream", stream.MediaType);

        Assert.Equal(("connected", ""), await stream.NextEventAsync());
        var first = await stream.NextEventAsync();
        Assert.Equal("notification", first.Event);
        Assert.Equal(backlog, Json(first).GetProperty("relatedMessageId").GetGuid());

        Assert.Contains(": keep-alive", await stream.CommentsUntilEventAsync(() => Task.CompletedTask, expectQuiet: true));

        Guid live = default;
        await stream.CommentsUntilEventAsync(() =>
        {
            live = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB));
            return Task.CompletedTask;
        });
        var pushed = stream.LastEvent!.Value;
        Assert.Equal("notification", pushed.Event);
        var json = Json(pushed);
        Assert.Equal(live, json.GetProperty("relatedMessageId").GetGuid());
        Assert.Equal(_server.Edi.LastOffset, json.GetProperty("offset").GetInt64());
        Assert.Equal(HerB, json.GetProperty("notificationReceiverHerId").GetInt32());
    }

    [Fact]
    public async Task Without_offset_the_stream_starts_at_the_end()
    {
        _server.Edi.AddNotifications(HerB, 2);

        using var stream = await SseStream.OpenAsync(_api, $"/notifications/stream?HerIds={HerB}");
        Assert.Equal("connected", (await stream.NextEventAsync()).Event);
        var live = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB));

        Assert.Equal(live, Json(await stream.NextEventAsync()).GetProperty("relatedMessageId").GetGuid());
    }

    [Fact]
    public async Task Drop_after_N_events_then_resume_from_the_last_offset()
    {
        // HerA: no other test streams it, and the countdown is shared by all streams (a lingering one could use it up).
        var start = _server.Edi.LastOffset;
        _server.Edi.AddNotifications(HerA, 3);
        _server.Api.StreamDropAfterEvents = 2;

        long last;
        using (var stream = await SseStream.OpenAsync(_api, $"/notifications/stream?HerIds={HerA}&Offset={start}"))
        {
            await stream.NextEventAsync();
            await stream.NextEventAsync();
            last = Json(await stream.NextEventAsync()).GetProperty("offset").GetInt64();
            await Assert.ThrowsAnyAsync<IOException>(() => stream.NextEventAsync());
        }

        Assert.Null(_server.Api.StreamDropAfterEvents); // one drop per setting
        using var resumed = await SseStream.OpenAsync(_api, $"/notifications/stream?HerIds={HerA}&Offset={last}");
        await resumed.NextEventAsync();
        Assert.Equal(_server.Edi.LastOffset, Json(await resumed.NextEventAsync()).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Answer_204_or_problem_details_before_streaming()
    {
        _server.Api.StreamAnswer204 = true;
        using (var request = _api.Request(HttpMethod.Get, $"/notifications/stream?HerIds={HerB}"))
        using (var response = await _api.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        _server.Api.StreamAnswer204 = false;
        var refused = await _api.GetAsync($"/notifications/stream?HerIds={HerSub}");
        Assert.Equal((HttpStatusCode.Forbidden, 1202), (refused.Status, refused.ErrorCode));
        Assert.Equal("application/problem+json", refused.MediaType);
    }

    [Fact]
    public async Task Disposing_the_server_ends_an_open_stream_at_once()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: Seed());
        using var api = await CreateAsync(server);
        server.Edi.SetConfiguration(HerB, HelseIdCaller.ClientId, clientLocked: false);
        using var stream = await SseStream.OpenAsync(api, $"/notifications/stream?HerIds={HerB}");
        await stream.NextEventAsync();

        var stopwatch = Stopwatch.StartNew();
        await server.DisposeAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"Dispose took {stopwatch.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await stream.NextEventAsync();
            throw new EndOfStreamException(); // a clean end is fine too
        });
    }

    private static JsonElement Json((string Event, string Data) sse) => JsonSerializer.Deserialize<JsonElement>(sse.Data);

    /// <summary>A minimal SSE reader over a real HTTP response.</summary>
    private sealed class SseStream : IDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;

        private SseStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public string? MediaType => _response.Content.Headers.ContentType?.MediaType;

        public (string Event, string Data)? LastEvent { get; private set; }

        public static async Task<SseStream> OpenAsync(EdiApiCaller api, string pathAndQuery)
        {
            using var request = api.Request(HttpMethod.Get, pathAndQuery);
            request.Headers.Accept.ParseAdd("text/event-stream");
            var response = await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Assert.Fail($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}"); // only now: a stream never ends
            }

            return new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        public async Task<(string Event, string Data)> NextEventAsync()
        {
            await CommentsUntilEventAsync(() => Task.CompletedTask);
            return LastEvent!.Value;
        }

        /// <summary>
        /// Runs <paramref name="trigger"/>, then reads until an event (returning the comments seen), or, with
        /// <paramref name="expectQuiet"/>, until the first comment.
        /// </summary>
        public async Task<List<string>> CommentsUntilEventAsync(Func<Task> trigger, bool expectQuiet = false)
        {
            await trigger();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var comments = new List<string>();
            string? name = null;
            var data = new List<string>();
            while (true)
            {
                var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The stream ended.");
                if (line.StartsWith(':'))
                {
                    comments.Add(line);
                    if (expectQuiet)
                    {
                        return comments;
                    }
                }
                else if (line.StartsWith("event:"))
                {
                    name = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:"))
                {
                    data.Add(line["data:".Length..].TrimStart(' '));
                }
                else if (line.Length == 0 && name is not null)
                {
                    Assert.False(expectQuiet, $"Expected quiet, got event {name}.");
                    LastEvent = (name, string.Join("\n", data));
                    return comments;
                }
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _response.Dispose();
        }
    }
}
