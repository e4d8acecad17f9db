using System.Diagnostics;
using Edi2.Api;
using Edi2.Model;

namespace Edi2.Client.Tests.Api;

/// <summary>The SSE notification stream, its backlog, live events and reconnects.</summary>
public class NotificationStreamTests
{
    [Fact]
    public async Task Delivers_the_backlog_then_live_notifications()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Edi.AddNotifications(ApiTestContext.Ours, 3);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var seen = new List<Edi2Notification>();
        await foreach (var n in ctx.Api.StreamNotificationsAsync([ApiTestContext.Ours], 0, cancel.Token))
        {
            seen.Add(n);
            if (seen.Count == 3) ctx.Nhn.Edi.AddInboundMessage(ApiTestContext.Foreign, [ApiTestContext.Ours], MsgHead.Bytes(ApiTestContext.Foreign, ApiTestContext.Ours));
            if (seen.Count == 4) break;
        }

        Assert.Equal(4, seen.Select(n => n.Id).Distinct().Count());
        Assert.Equal(seen.Select(n => n.Offset).OrderBy(o => o), seen.Select(n => n.Offset));
    }

    [Fact]
    public async Task Reconnects_from_the_last_offset_without_loss_or_duplicates()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Edi.AddNotifications(ApiTestContext.Ours, 10);
        ctx.Nhn.Api.StreamDropAfterEvents = 4;
        ctx.Nhn.Requests.Clear();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var seen = new List<Edi2Notification>();
        await foreach (var n in ctx.Api.StreamNotificationsAsync([ApiTestContext.Ours], 0, cancel.Token))
        {
            seen.Add(n);
            if (seen.Count == 10) break;
        }

        Assert.Equal(10, seen.Select(n => n.Id).Distinct().Count());
        Assert.Equal(seen.Select(n => n.Offset).OrderBy(o => o), seen.Select(n => n.Offset));
        // Each reconnect resumes from the last offset delivered (events in flight when the connection was reset may
        // never have reached the client, so that can still be 0 the first time).
        var streams = ctx.ApiRequests("/notifications/stream");
        Assert.True(streams.Count >= 2, "reconnected");
        var resumedFrom = streams.Select(r => long.Parse(System.Web.HttpUtility.ParseQueryString(r.QueryString)["Offset"]!)).ToList();
        Assert.Equal(resumedFrom.OrderBy(o => o), resumedFrom);
        Assert.All(resumedFrom.Skip(1), o => Assert.True(o == 0 || seen.Any(n => n.Offset == o), $"resumed from {o}"));
    }

    [Fact]
    public async Task A_204_ends_the_stream()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Api.StreamAnswer204 = true;
        var seen = new List<Edi2Notification>();
        await foreach (var n in ctx.Api.StreamNotificationsAsync([ApiTestContext.Ours], 0)) seen.Add(n);
        Assert.Empty(seen);
    }

    [Fact]
    public async Task A_503_before_streaming_is_retried_and_a_403_ends_it()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Edi.AddNotifications(ApiTestContext.Ours, 1);
        ctx.Nhn.Faults.FailNext("GET", "/notifications/stream", 1, Edi2.FakeNhn.Edi.ApiFault.Status(503, "", "text/plain"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var n in ctx.Api.StreamNotificationsAsync([ApiTestContext.Ours], 0, cancel.Token))
        {
            Assert.Equal(ApiTestContext.Ours, n.ReceiverHerId);
            break;
        }

        var e = await Assert.ThrowsAsync<Edi2ApiException>(async () =>
        {
            await foreach (var _ in ctx.Api.StreamNotificationsAsync([ApiTestContext.Foreign], 0)) { }
        });
        Assert.Equal(ApiErrorReason.Forbidden, e.ApiReason);
    }

    [Fact]
    public async Task Cancellation_ends_a_quiet_stream()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in ctx.Api.StreamNotificationsAsync([ApiTestContext.Ours], null, cancel.Token)) { }
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // reads that ignore the token, as .NET Framework's response stream does once a read has started
    public async Task Cancellation_ends_a_silent_stream_within_a_second(bool readsIgnoreTheToken)
    {
        // The server sends "connected" and then nothing at all, not even a keep-alive: the read is pending when
        // cancellation comes (Ctrl+C in Get-Edi2Notification -Wait), and must end it without waiting for a byte.
        if (readsIgnoreTheToken) NotificationStream.WrapBodyForTests.Value = body => new TokenIgnoringStream(body);
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Api.StreamKeepAliveInterval = TimeSpan.FromMinutes(10);
        ctx.Nhn.Requests.Clear();
        using var cancel = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in ctx.Api.StreamNotificationsAsync([ApiTestContext.Ours], null, cancel.Token)) { }
        });
        var open = Stopwatch.StartNew();
        while (ctx.ApiRequests("/notifications/stream").Count == 0 && open.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        Assert.NotEmpty(ctx.ApiRequests("/notifications/stream"));
        await Task.Delay(500);
        Assert.False(reading.IsCompleted, "the stream is open and quiet");

        var stopping = Stopwatch.StartNew();
        cancel.Cancel();
        var first = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(5)));
        stopping.Stop();

        Assert.True(first == reading, $"the enumeration was still reading {stopping.Elapsed.TotalSeconds:0.0} s after cancellation");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(1), $"took {stopping.Elapsed.TotalMilliseconds:0} ms");
    }
}

/// <summary>Passes reads on without their cancellation token, like .NET Framework's HttpWebRequest response stream.</summary>
internal sealed class TokenIgnoringStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, CancellationToken.None);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, CancellationToken.None);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
