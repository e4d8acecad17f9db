using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// GET /notifications/stream (v3, server-sent events): "event: connected" with empty data, then one
/// "event: notification" per notification after Offset (or from the end without one), and new ones as they
/// happen, with ": keep-alive" comments in quiet times. Errors before the stream starts are ordinary problem
/// details. Ends when the client leaves or the server stops; knobs can drop it or answer 204.
/// </summary>
internal sealed class NotificationStreamEndpoint
{
    private static readonly byte[] Connected = Encoding.UTF8.GetBytes("event: connected\ndata: \n\n");
    private static readonly byte[] KeepAlive = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    private readonly FakeEdiState _edi;
    private readonly FakeApiOptions _options;
    private readonly CancellationToken _stopping;

    public NotificationStreamEndpoint(FakeEdiState edi, FakeApiOptions options, CancellationToken stopping)
    {
        _edi = edi;
        _options = options;
        _stopping = stopping;
    }

    public async Task HandleAsync(ApiCall call)
    {
        var (herIds, offset) = V3Endpoints.NotificationQuery(call, offsetRequired: false);
        var context = call.Context;
        if (_options.StreamAnswer204)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        var wanted = herIds.ToHashSet();
        var last = offset ?? _edi.LastOffset;
        try
        {
            await WriteAsync(response, Connected, stop.Token);
            if (_options.TakeImmediateStreamDrop())
            {
                await ConnectionDrop.DropAsync(context);
                return;
            }

            while (!stop.IsCancellationRequested)
            {
                // Take the signal before reading, so a notification added in between still wakes us.
                var added = _edi.NotificationAdded;
                var batch = _edi.NotificationsAfter(wanted, last, 100);
                foreach (var notification in batch)
                {
                    var json = JsonSerializer.Serialize(notification, ApiJson.Options);
                    await WriteAsync(response, Encoding.UTF8.GetBytes($"event: notification\ndata: {json}\n\n"), stop.Token);
                    last = notification.Offset;
                    if (_options.CountStreamEvent())
                    {
                        await ConnectionDrop.DropAsync(context); // the armed drop: the stream breaks off, unfinished
                        return;
                    }
                }

                if (batch.Count > 0)
                {
                    continue;
                }

                var quiet = Task.Delay(_options.StreamKeepAliveInterval, stop.Token);
                if (await Task.WhenAny(added, quiet) == quiet)
                {
                    await quiet; // throws when stopping
                    await WriteAsync(response, KeepAlive, stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // the client left or the server is stopping: the stream just ends
        }
    }

    private static async Task WriteAsync(HttpResponse response, byte[] bytes, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(bytes, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
