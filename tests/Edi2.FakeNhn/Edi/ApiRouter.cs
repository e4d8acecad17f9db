using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.Edi;

/// <summary>One authenticated, authorized-to-start API call, with its route values.</summary>
internal sealed class ApiCall
{
    public required HttpContext Context { get; init; }

    public required ApiCaller Caller { get; init; }

    /// <summary>{id} of /messages/{id}/...</summary>
    public Guid Id { get; init; }

    /// <summary>{herId} or {appRecSenderHerId} of the v2 paths.</summary>
    public int HerId { get; init; }

    public HttpRequest Request => Context.Request;

    public int Version => Caller.Version;
}

/// <summary>
/// The EDI 2.0 API at the server root, one route table for both versions. Paths and query names match
/// case-insensitively (ASP.NET's default, and KS sends camelCase to PascalCase names); the api-version header
/// picks the behaviour. Order of checks, as ASP.NET with API versioning would do them: route (404/405),
/// api-version (400), authentication (401), nhn-source-system (400), route values (400), then the endpoint.
/// </summary>
internal sealed class ApiRouter
{
    private static readonly HashSet<string> ApiRoots = new(StringComparer.OrdinalIgnoreCase) { "ping", "notifications", "messages", "mshconfigurations" };

    private readonly List<Route> _routes;
    private readonly ApiAuthentication _authentication;
    private readonly FakeNhnState _nhn;
    private readonly FakeEdiState _edi;

    public ApiRouter(ApiAuthentication authentication, FakeNhnState nhn, FakeEdiState edi, V3Endpoints v3, V2Endpoints v2, NotificationStreamEndpoint stream, BusinessDocumentEndpoint document)
    {
        _authentication = authentication;
        _nhn = nhn;
        _edi = edi;
        _routes =
        [
            new("GET", "ping", 3, v3.PingAsync),
            new("GET", "notifications", 3, v3.GetNotificationsAsync),
            new("GET", "notifications/stream", 3, stream.HandleAsync),
            new("POST", "messages", 3, v3.PostMessageAsync),
            new("GET", "messages/{id}", 3, v3.GetMessageAsync),
            new("GET", "messages/{id}/business-document", 3, document.HandleAsync),
            new("GET", "messages/{id}/status", 3, v3.GetStatusAsync),
            new("POST", "messages/{id}/apprec", 3, v3.PostAppRecAsync),
            new("PUT", "messages/{id}/downloaded", 3, v3.MarkDownloadedAsync),
            new("PUT", "mshconfigurations", 3, v3.PutConfigurationsAsync),
            new("DELETE", "mshconfigurations", 3, v3.DeleteConfigurationsAsync),

            new("GET", "messages", 2, v2.GetMessagesAsync),
            new("POST", "messages", 2, v2.PostMessageAsync),
            new("GET", "messages/{id}", 2, v2.GetMessageAsync),
            new("GET", "messages/{id}/business-document", 2, document.HandleAsync),
            new("GET", "messages/{id}/status", 2, v2.GetStatusAsync),
            new("GET", "messages/{id}/apprec", 2, v2.GetAppRecInfoAsync),
            new("POST", "messages/{id}/apprec/{herId}", 2, v2.PostAppRecAsync),
            new("PUT", "messages/{id}/read/{herId}", 2, v2.MarkReadAsync),
        ];
    }

    /// <summary>Middleware: API paths are answered here, everything else (HelseID) goes on.</summary>
    public async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        var segments = (context.Request.Path.Value ?? "").Trim('/').Split('/');
        if (!ApiRoots.Contains(segments[0]))
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var onPath = _routes.Where(r => r.Matches(segments)).ToArray();
        if (onPath.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var versionHeader = request.Headers["api-version"];
        var version = versionHeader.ToString() switch { "2" => 2, "3" => 3, _ => 0 };
        if (version == 0)
        {
            await Problems.WriteVersionProblemAsync(context, versionHeader.Count == 0 ? null : versionHeader.ToString());
            return;
        }

        var route = onPath.FirstOrDefault(r => r.Version == version && HttpMethods.Equals(r.Method, request.Method));
        if (route is null)
        {
            if (onPath.Any(r => HttpMethods.Equals(r.Method, request.Method)))
            {
                await Problems.WriteVersionProblemAsync(context, versionHeader.ToString()); // exists, but in the other version
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = string.Join(", ", onPath.Where(r => r.Version == version).Select(r => r.Method).Distinct());
            }

            return;
        }

        var authentication = _authentication.Authenticate(request, RequestLog.Current(context));
        if (authentication.Token is null)
        {
            await ApiAuthentication.WriteChallengeAsync(context, version, authentication);
            return;
        }

        _authentication.IssueNonceOnSuccess(context.Response);

        try
        {
            if (string.IsNullOrWhiteSpace(request.Headers["nhn-source-system"].ToString()))
            {
                throw ApiException.Validation("The nhn-source-system header is required.");
            }

            var call = new ApiCall
            {
                Context = context,
                Caller = new ApiCaller(authentication.Token, version, _nhn, _edi),
                Id = route.Id(segments),
                HerId = route.HerId(segments),
            };
            await route.Handler(call);
        }
        catch (ApiException error)
        {
            if (context.Response.HasStarted)
            {
                throw;
            }

            if (RequestLog.Current(context) is { } log)
            {
                log.Error = error.ErrorCode.ToString(CultureInfo.InvariantCulture);
                log.ErrorDescription = error.Detail;
            }

            await Problems.WriteAsync(context, version, error);
        }
    }

    private sealed class Route
    {
        private readonly string[] _template;

        public Route(string method, string template, int version, Func<ApiCall, Task> handler)
        {
            Method = method;
            _template = template.Split('/');
            Version = version;
            Handler = handler;
        }

        public string Method { get; }

        public int Version { get; }

        public Func<ApiCall, Task> Handler { get; }

        public bool Matches(string[] segments)
        {
            if (segments.Length != _template.Length)
            {
                return false;
            }

            for (var i = 0; i < segments.Length; i++)
            {
                if (!_template[i].StartsWith('{') && !string.Equals(_template[i], segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>{id} as a GUID; model binding would say 400 for anything else.</summary>
        public Guid Id(string[] segments)
        {
            var index = Array.IndexOf(_template, "{id}");
            if (index < 0)
            {
                return Guid.Empty;
            }

            return Guid.TryParse(segments[index], out var id) ? id : throw ApiException.Validation($"The value '{segments[index]}' is not valid for id.");
        }

        /// <summary>{herId}: an int32 in 1..2147483647 (the v2 OpenAPI's range).</summary>
        public int HerId(string[] segments)
        {
            var index = Array.IndexOf(_template, "{herId}");
            if (index < 0)
            {
                return 0;
            }

            return int.TryParse(segments[index], NumberStyles.None, CultureInfo.InvariantCulture, out var herId) && herId >= 1
                ? herId
                : throw ApiException.Validation($"The value '{segments[index]}' is not valid for herId.");
        }
    }
}
