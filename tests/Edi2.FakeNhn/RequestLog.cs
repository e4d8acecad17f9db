using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn;

/// <summary>
/// Every request the fake answered, in the order the answers started. Thread-safe. An entry is added
/// just before the response headers go out, so once a client has a response its entry is in the log.
/// </summary>
public sealed class RequestLog
{
    private readonly object _gate = new();
    private readonly List<LoggedRequest> _entries = new();

    public IReadOnlyList<LoggedRequest> Snapshot()
    {
        lock (_gate)
        {
            return _entries.ToArray();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    internal void Add(LoggedRequest entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }

    /// <summary>Middleware: opens an entry for each request and records it when the response starts (or ends).</summary>
    internal async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var entry = new LoggedRequest(context.Request);
        context.Items[typeof(LoggedRequest)] = entry;
        context.Response.OnStarting(() =>
        {
            Complete(entry, context);
            return Task.CompletedTask;
        });

        try
        {
            await next(context);
        }
        finally
        {
            // The response never started when the client went away (or on a crash); record it anyway.
            entry.ClientAborted = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted;
            Complete(entry, context);
        }
    }

    /// <summary>The entry of the current request, for endpoints to fill in what they decoded.</summary>
    internal static LoggedRequest? Current(HttpContext context) =>
        context.Items.TryGetValue(typeof(LoggedRequest), out var value) ? value as LoggedRequest : null;

    private void Complete(LoggedRequest entry, HttpContext context)
    {
        if (!entry.TryMarkRecorded())
        {
            return;
        }

        entry.StatusCode = context.Response.StatusCode;
        entry.ResponseDPoPNonce = context.Response.Headers.TryGetValue("DPoP-Nonce", out var nonce) ? nonce.ToString() : null;
        Add(entry);
    }
}

/// <summary>One request and what the fake made of it. The decoded fields are read without trusting the JWTs.</summary>
public sealed class LoggedRequest
{
    private int _recorded;

    internal LoggedRequest(HttpRequest request)
    {
        Timestamp = DateTimeOffset.UtcNow;
        Method = request.Method;
        Path = request.Path.Value ?? "";
        QueryString = request.QueryString.Value ?? "";
        Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        ApiVersion = request.Headers.TryGetValue("api-version", out var version) ? version.ToString() : null;
    }

    /// <summary>When the request arrived (real clock, not the fake's shifted one).</summary>
    public DateTimeOffset Timestamp { get; }

    public string Method { get; }

    public string Path { get; }

    /// <summary>The raw query string including the leading '?', or empty.</summary>
    public string QueryString { get; }

    /// <summary>The response status (for an aborted request: the status the fake had set when the client left).</summary>
    public int StatusCode { get; internal set; }

    /// <summary>Request headers, name to value (several values joined with ", "); includes DPoP.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The api-version header of an EDI 2.0 API call ("2", "3"), or null.</summary>
    public string? ApiVersion { get; }

    /// <summary>Form fields of a form POST (token endpoint), name to value.</summary>
    public IReadOnlyDictionary<string, string> Form { get; internal set; } = new Dictionary<string, string>();

    public string? ClientId { get; internal set; }

    /// <summary>The JSON body of a test token service request, as sent.</summary>
    public string? JsonBody { get; internal set; }

    /// <summary>jti of the client_assertion sent.</summary>
    public string? AssertionJti { get; internal set; }

    /// <summary>jti of the DPoP proof sent.</summary>
    public string? ProofJti { get; internal set; }

    public string? ProofNonce { get; internal set; }

    public string? ProofHtu { get; internal set; }

    public string? ProofHtm { get; internal set; }

    /// <summary>
    /// The error the fake answered with, if any: the OAuth error (token endpoint, and the API's 401s), or the
    /// API's errorCode as text for its other errors.
    /// </summary>
    public string? Error { get; internal set; }

    public string? ErrorDescription { get; internal set; }

    /// <summary>The DPoP-Nonce header the fake sent back, if any.</summary>
    public string? ResponseDPoPNonce { get; internal set; }

    /// <summary>True when the answer came from the fault queue instead of real validation.</summary>
    public bool InjectedFault { get; internal set; }

    /// <summary>True when the client went away before the fake answered (e.g. a client timeout).</summary>
    public bool ClientAborted { get; internal set; }

    internal bool TryMarkRecorded() => Interlocked.Exchange(ref _recorded, 1) == 0;

    public override string ToString() =>
        $"{Method} {Path}{QueryString} -> {StatusCode}{(Error is null ? "" : $" {Error}: {ErrorDescription}")}";
}
