using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.Edi;

/// <summary>One way for a request to go wrong. Made with the factory methods.</summary>
public sealed class ApiFault
{
    private ApiFault()
    {
    }

    /// <summary>Answer with this status (and body) instead of handling the request.</summary>
    public int? StatusCode { get; private init; }

    public string Body { get; private init; } = "";

    /// <summary>The body as bytes: <see cref="Body"/> in UTF-8, or bytes given as they are (invalid UTF-8 included).</summary>
    public byte[] BodyBytes { get; private init; } = [];

    public string ContentType { get; private init; } = "application/json";

    /// <summary>Sent as a Retry-After header in whole seconds.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Wait this long, then handle the request normally.</summary>
    public TimeSpan? HoldFor { get; private init; }

    /// <summary>Write the real response but abort the connection after this many body bytes.</summary>
    public long? DropAfterBytes { get; private init; }

    /// <summary>With <see cref="DropAfterBytes"/>: after those bytes, send nothing for this long (then drop the connection).</summary>
    public TimeSpan? StallFor { get; private init; }

    /// <summary>A canned answer (a 503 from a proxy, a 429 with Retry-After, an HTML error page...).</summary>
    public static ApiFault Status(int code, string body = "", string contentType = "application/json", TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(contentType);
        if (retryAfter is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        }

        return new ApiFault { StatusCode = code, Body = body, BodyBytes = Encoding.UTF8.GetBytes(body), ContentType = contentType, RetryAfter = retryAfter };
    }

    /// <summary>A canned answer whose body is sent byte for byte (fuzzing: invalid UTF-8, cut multi-byte characters).</summary>
    public static ApiFault Status(int code, byte[] body, string contentType)
    {
        ArgumentNullException.ThrowIfNull(body);
        var fault = Status(code, "", contentType);
        return new ApiFault { StatusCode = fault.StatusCode, Body = Encoding.UTF8.GetString(body), BodyBytes = body.ToArray(), ContentType = contentType };
    }

    /// <summary>A slow server: the request is held, then handled as usual (client time-out tests).</summary>
    public static ApiFault Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new ApiFault { HoldFor = delay };
    }

    /// <summary>A connection that breaks half-way through the (real) response body.</summary>
    public static ApiFault DropConnectionAfterBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return new ApiFault { DropAfterBytes = bytes };
    }

    /// <summary>
    /// A server or proxy that stalls mid-body: the headers and the first <paramref name="bytes"/> body bytes of the real
    /// response are sent, then nothing for <paramref name="stall"/> (the connection stays open), then the connection drops.
    /// </summary>
    public static ApiFault StallAfterBytes(long bytes, TimeSpan stall)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(stall, TimeSpan.Zero);
        return new ApiFault { DropAfterBytes = bytes, StallFor = stall };
    }

    public override string ToString() =>
        StatusCode is { } code ? $"Status {code}" : HoldFor is { } delay ? $"Delay {delay}"
        : StallFor is { } stall ? $"StallAfterBytes {DropAfterBytes} for {stall}" : $"DropConnectionAfterBytes {DropAfterBytes}";
}

/// <summary>
/// Faults queued by tests, matched by method and path. A fault is applied before anything else looks at
/// the request (so an injected 503 spends no proof jti); a dropped connection cuts the real answer.
/// </summary>
public sealed class ApiFaults
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = new();
    private readonly CancellationToken _stopping;

    internal ApiFaults(CancellationToken stopping)
    {
        _stopping = stopping;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests with this method ("*" for any) and a path matching
    /// <paramref name="pathPattern"/> get <paramref name="fault"/>. The pattern is compared case-insensitively,
    /// segment by segment, and "*" stands for exactly one segment: "/messages/*/business-document".
    /// Faults queue up in the order they were added.
    /// </summary>
    public void FailNext(string method, string pathPattern, int count, ApiFault fault)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentException.ThrowIfNullOrWhiteSpace(pathPattern);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            _entries.Add(new Entry(method, Segments(pathPattern), fault) { Remaining = count });
        }
    }

    /// <summary>
    /// From now on, each request with this method and path fails with probability <paramref name="probability"/>, with a
    /// fault <paramref name="make"/> draws (soak tests). <paramref name="random"/> is used under the faults' lock, so a
    /// seeded one gives the same sequence of draws (not of requests: their order depends on the client's concurrency).
    /// Counted by neither <see cref="Pending"/> nor a count; <see cref="Clear"/> ends it.
    /// </summary>
    public void FailAtRandom(string method, string pathPattern, double probability, Random random, Func<Random, ApiFault> make)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentException.ThrowIfNullOrWhiteSpace(pathPattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(make);
        lock (_gate)
        {
            _entries.Add(new Entry(method, Segments(pathPattern), null!) { Probability = probability, Random = random, Make = make });
        }
    }

    /// <summary>How many faulted requests are still to come.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                var total = 0;
                foreach (var entry in _entries)
                {
                    total += entry.Remaining;
                }

                return total;
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>Middleware: runs right after the request log, before routing to the API or HelseID.</summary>
    internal async Task ApplyAsync(HttpContext context, RequestDelegate next)
    {
        var fault = Take(context.Request.Method, context.Request.Path.Value ?? "");
        if (fault is null)
        {
            await next(context);
            return;
        }

        if (RequestLog.Current(context) is { } log)
        {
            log.InjectedFault = true;
        }

        if (fault.HoldFor is { } delay)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            try
            {
                await Task.Delay(delay, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up, or the server is stopping
            }

            await next(context);
            return;
        }

        if (fault.DropAfterBytes is { } limit)
        {
            var original = context.Response.Body;
            context.Response.Body = new DroppingStream(original, limit, context, fault.StallFor, _stopping);
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }

            return;
        }

        var response = context.Response;
        response.StatusCode = fault.StatusCode!.Value;
        if (fault.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (fault.BodyBytes.Length > 0)
        {
            response.ContentType = fault.ContentType;
            var bytes = fault.BodyBytes;
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
        else
        {
            response.ContentLength = 0;
        }
    }

    private ApiFault? Take(string method, string path)
    {
        lock (_gate)
        {
            if (_entries.Count == 0)
            {
                return null;
            }

            var segments = Segments(path);
            foreach (var entry in _entries)
            {
                if (entry.Remaining > 0 && entry.Matches(method, segments))
                {
                    entry.Remaining--;
                    return entry.Fault;
                }

                if (entry.Make is { } make && entry.Matches(method, segments) && entry.Random!.NextDouble() < entry.Probability)
                {
                    return make(entry.Random);
                }
            }

            return null;
        }
    }

    private static string[] Segments(string path) => path.Trim('/').Split('/');

    private sealed class Entry
    {
        public Entry(string method, string[] pattern, ApiFault fault)
        {
            Method = method;
            Pattern = pattern;
            Fault = fault;
        }

        public string Method { get; }

        public string[] Pattern { get; }

        public ApiFault Fault { get; }

        public int Remaining { get; set; }

        public double Probability { get; init; }

        public Random? Random { get; init; }

        public Func<Random, ApiFault>? Make { get; init; }

        public bool Matches(string method, string[] segments)
        {
            if (Method != "*" && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (segments.Length != Pattern.Length)
            {
                return false;
            }

            for (var i = 0; i < segments.Length; i++)
            {
                if (Pattern[i] != "*" && !string.Equals(Pattern[i], segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Passes the first <c>limit</c> body bytes through, then flushes and aborts the connection; later
    /// writes vanish, so the endpoint finishes normally while the client sees a broken response.
    /// </summary>
    private sealed class DroppingStream : Stream
    {
        private readonly Stream _inner;
        private readonly HttpContext _context;
        private readonly TimeSpan? _stall;
        private readonly CancellationToken _stopping;
        private long _remaining;
        private bool _dropped;

        public DroppingStream(Stream inner, long limit, HttpContext context, TimeSpan? stall, CancellationToken stopping)
        {
            _inner = inner;
            _remaining = limit;
            _context = context;
            _stall = stall;
            _stopping = stopping;
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_dropped)
            {
                return;
            }

            var take = (int)Math.Min(_remaining, buffer.Length);
            if (take > 0)
            {
                await _inner.WriteAsync(buffer[..take], cancellationToken);
                _remaining -= take;
            }

            if (_remaining == 0)
            {
                await DropAsync();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => _dropped ? Task.CompletedTask : _inner.FlushAsync(cancellationToken);

        public override void Flush() => FlushAsync().GetAwaiter().GetResult();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private async Task DropAsync()
        {
            _dropped = true;
            if (_stall is { } stall)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(_context.RequestAborted, _stopping);
                try
                {
                    await _inner.FlushAsync(stop.Token);
                    await Task.Delay(stall, stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // the client gave up (as it should), or the server is stopping
                }
            }

            await ConnectionDrop.DropAsync(_context, _inner);
        }
    }
}

/// <summary>
/// Breaks a connection in the middle of a response the way a failing proxy or network does: the client
/// gets every byte written so far, then the connection ends before the response does ("the response ended
/// prematurely"). A bare HttpContext.Abort() may reset the connection before the client has read even the
/// headers, and a reset makes the client's network stack throw away what it had not read yet.
/// </summary>
internal static class ConnectionDrop
{
    public static async Task DropAsync(HttpContext context, Stream? body = null)
    {
        try
        {
            await (body ?? context.Response.Body).FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // the client is gone already
        }

        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            // Kestrel hands flushed bytes to the socket on its own schedule; give it a moment, then send FIN.
            await Task.Delay(50);
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // already closed
            }
        }

        context.Abort();
    }
}
