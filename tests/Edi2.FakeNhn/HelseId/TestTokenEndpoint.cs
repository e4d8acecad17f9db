using System;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.HelseId;

/// <summary>
/// POST /v2/create-test-token-with-key (and the older path without v2): NHN's test token service as the spec
/// describes it (helseid-dpop section 5). X-Auth-Key must be a key of <see cref="FakeTestTokenOptions"/> (else 401);
/// the JSON body is read with names in any casing, as ASP.NET binds them; audience is required (else a 400 validation
/// problem). The token comes from the fake HelseID's own issuer, so the fake API takes it, bound to cnfJkt when given.
/// </summary>
internal sealed class TestTokenEndpoint
{
    public const string Path = "/v2/create-test-token-with-key";
    public const string OlderPath = "/create-test-token-with-key";
    public const string HerIdClaimType = "nhn:msh/client/claims/herid";

    /// <summary>What the service puts in a token where the request names nothing (the demo's values).</summary>
    public const string DefaultClientId = "ttt-default-client";
    public const string DefaultOrgNumber = "123456789";

    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Pascal = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, PropertyNamingPolicy = new PascalCase() };

    private readonly Func<FakeHelseIdEndpoints?> _endpoints;
    private readonly FakeTestTokenOptions _options;
    private readonly AccessTokenIssuer _issuer;

    public TestTokenEndpoint(Func<FakeHelseIdEndpoints?> endpoints, FakeTestTokenOptions options, AccessTokenIssuer issuer)
    {
        _endpoints = endpoints;
        _options = options;
        _issuer = issuer;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var endpoints = _endpoints();
        if (endpoints is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var log = RequestLog.Current(context);
        string body;
        using (var reader = new StreamReader(context.Request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        if (log is not null)
        {
            log.JsonBody = body;
        }

        if (!_options.IsApiKey(context.Request.Headers["X-Auth-Key"].ToString()))
        {
            await Problem(context, log, StatusCodes.Status401Unauthorized, "Unauthorized", "The X-Auth-Key header is missing or holds no valid API key.");
            return;
        }

        JsonElement request;
        try
        {
            using var document = JsonDocument.Parse(body);
            request = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            await Problem(context, log, StatusCodes.Status400BadRequest, "One or more validation errors occurred.", null, ("$", e.Message));
            return;
        }

        if (request.ValueKind != JsonValueKind.Object || Text(request, "audience") is not { Length: > 0 } audience)
        {
            await Problem(context, log, StatusCodes.Status400BadRequest, "One or more validation errors occurred.", null, ("Audience", "The Audience field is required."));
            return;
        }

        var client = Member(request, "clientClaimsParameters");
        var jkt = Text(client, "cnfJkt");
        var refusal = _options.TakeRefusal()
            ?? (jkt is not null && !IsThumbprint(jkt) ? $"cnfJkt '{jkt}' is not a base64url SHA-256 JWK thumbprint." : null);
        if (refusal is not null)
        {
            if (log is not null)
            {
                log.Error = "isError";
                log.ErrorDescription = refusal;
            }

            await Answer(context, new { isError = true, successResponse = (object?)null, errorResponse = new { errorMessage = refusal } });
            return;
        }

        var scopes = Member(client, "scope") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!).ToArray()
            : [];
        var herid = Member(request, "apiSpecificClaims") is { ValueKind: JsonValueKind.Array } claims
            ? claims.EnumerateArray().Where(c => Text(c, "type") is HerIdClaimType or "herid").Select(c => Text(c, "value")).FirstOrDefault()
            : null;
        var clientId = Text(client, "clientId") ?? DefaultClientId;
        if (log is not null)
        {
            log.ClientId = clientId;
        }

        var (token, _) = _issuer.Issue(endpoints.Issuer, new AccessTokenRequest
        {
            Client = new RegisteredClient(clientId, Text(client, "orgnrParent") ?? DefaultOrgNumber, herid, scopes, false, [], [], "Test token client", []),
            Audience = audience,
            Scopes = scopes,
            Jkt = jkt,
            ClientKeyType = "RSA",
            OrgNumberParent = Text(client, "orgnrParent") ?? DefaultOrgNumber,
            OrgNumberChild = Text(client, "orgnrChild"),
        });
        await Answer(context, new { isError = false, successResponse = new { accessTokenJwt = token, dPoPProof = "" }, errorResponse = new { errorMessage = "" } });
    }

    private Task Answer(HttpContext context, object answer)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return context.Response.WriteAsJsonAsync(answer, _options.PascalCaseResponse ? Pascal : Camel, context.RequestAborted);
    }

    /// <summary>An ASP.NET problem document (RFC 9457), as the service's framework would answer.</summary>
    private static Task Problem(HttpContext context, LoggedRequest? log, int status, string title, string? detail, params (string Field, string Message)[] errors)
    {
        if (log is not null)
        {
            log.Error = title;
            log.ErrorDescription = detail ?? string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"));
        }

        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new
        {
            title,
            status,
            detail,
            errors = errors.Length == 0 ? null : errors.ToDictionary(e => e.Field, e => new[] { e.Message }),
        }, Camel, "application/problem+json", context.RequestAborted);
    }

    private static bool IsThumbprint(string value) => value.Length == 43 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static JsonElement? Member(JsonElement? element, string name)
    {
        if (element is not { ValueKind: JsonValueKind.Object } e)
        {
            return null;
        }

        foreach (var property in e.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement? element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>TestTokenTool's casing: "isError" becomes "IsError".</summary>
    private sealed class PascalCase : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];
    }
}
