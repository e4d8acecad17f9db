using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// An API error, thrown by endpoints and written in the caller's API version: v3 mshApiProblemDetails
/// (with errorCode), v2 ErrorMessage (NHN's v2 texts: errorCode 1000 for validation, else 0).
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(int status, int errorCode, string detail, IReadOnlyList<string>? validationErrors = null, string? v2Error = null, int v2ErrorCode = 0)
        : base(detail)
    {
        Status = status;
        ErrorCode = errorCode;
        Detail = detail;
        ValidationErrors = validationErrors;
        V2Error = v2Error ?? detail;
        V2ErrorCode = v2ErrorCode;
    }

    public int Status { get; }

    /// <summary>v3 errorCode: 1001 invalid request, 1010 not found, 1100/1102 AppRec rules, 1201/1202 authorization, 1210 locked.</summary>
    public int ErrorCode { get; }

    public string Detail { get; }

    public IReadOnlyList<string>? ValidationErrors { get; }

    public string V2Error { get; }

    public int V2ErrorCode { get; }

    public static ApiException Validation(params string[] errors) =>
        new(StatusCodes.Status400BadRequest, 1001, "One or more validation errors occurred.", errors, "Model validation error occurred", 1000);

    /// <summary>A domain rule (AppRec rules, unknown receivers...): 400 with its own code.</summary>
    public static ApiException BadRequest(int errorCode, string detail) => new(StatusCodes.Status400BadRequest, errorCode, detail);

    public static ApiException NotAuthorizedForHerIds(IEnumerable<int> herIds)
    {
        var ids = ApiJson.JoinIds(herIds);
        return new(StatusCodes.Status403Forbidden, 1202, $"The client is not authorized for HER-id(s): {ids}.", v2Error: $"Not authorized for HerId(s): {ids}");
    }

    public static ApiException NotConfigured(IEnumerable<int> herIds) =>
        new(StatusCodes.Status403Forbidden, 1202,
            $"There is no MSH configuration for HER-id(s): {ApiJson.JoinIds(herIds)}. Create one with PUT /mshconfigurations.");

    public static ApiException NotAuthorizedForMessage(Guid id, IEnumerable<int> addressees)
    {
        var ids = ApiJson.JoinIds(addressees);
        return new(StatusCodes.Status403Forbidden, 1201,
            $"The client is not authorized for any addressee (sender, receiver or copy receiver) of message {id}.",
            v2Error: $"Not authorized for HerId(s): {ids}");
    }

    public static ApiException MessageNotFound(Guid id) =>
        new(StatusCodes.Status404NotFound, 1010, $"Message {id} was not found.", v2Error: "Could not find database document");

    public static ApiException Locked(int herId) =>
        new(StatusCodes.Status423Locked, 1210, $"HER-id {herId} is locked by another HelseID client (clientLocked).");

    public static ApiException UnsupportedMediaType(string? contentType) =>
        new(StatusCodes.Status415UnsupportedMediaType, 0, $"Content type '{contentType}' is not supported; send application/json.");
}

/// <summary>Writes error bodies in each version's format.</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int version, ApiException error) => version == 2
        ? WriteV2Async(context, error.Status, error.V2Error, error.V2ErrorCode, error.ValidationErrors)
        : WriteV3Async(context, error.Status, error.Detail, error.ErrorCode, error.ValidationErrors);

    /// <summary>v3 mshApiProblemDetails: RFC 9110 problem details plus errorCode, requestId, validationErrors, stackTrace, timestamp.</summary>
    public static Task WriteV3Async(HttpContext context, int status, string? detail, int errorCode, IReadOnlyList<string>? validationErrors = null)
    {
        var body = new ProblemBody(
            TypeFor(status),
            ReasonPhrases.GetReasonPhrase(status),
            status,
            detail,
            context.Request.Path.Value,
            errorCode,
            Guid.NewGuid().ToString(),
            validationErrors?.ToArray(),
            null,
            // NHN's sample shows the timestamp without an offset; it is UTC here.
            NorwegianTime.Format(DateTime.SpecifyKind(DateTime.UtcNow, DateTimeKind.Unspecified)));
        return ApiJson.WriteAsync(context, status, body, "application/problem+json; charset=utf-8");
    }

    /// <summary>v2 ErrorMessage {error, errorCode, validationErrors, stackTrace, requestId}.</summary>
    public static Task WriteV2Async(HttpContext context, int status, string error, int errorCode, IReadOnlyList<string>? validationErrors = null) =>
        ApiJson.WriteAsync(context, status, new ErrorMessageBody(error, errorCode, validationErrors?.ToArray(), null, Guid.NewGuid().ToString()));

    /// <summary>
    /// Asp.Versioning's answers when the api-version header is missing or names no version of the resource.
    /// They come before any version is chosen, so they are plain problem details.
    /// </summary>
    public static Task WriteVersionProblemAsync(HttpContext context, string? version)
    {
        var (type, title, detail) = version is null
            ? ("https://docs.api-versioning.org/problems#unspecified", "Unspecified API version", "An API version is required, but was not specified.")
            : ("https://docs.api-versioning.org/problems#unsupported", "Unsupported API version",
                $"The HTTP resource that matches the request URI '{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}' does not support the API version '{version}'.");
        var body = new VersionProblemBody(type, title, StatusCodes.Status400BadRequest, detail, version is null ? "ApiVersionUnspecified" : "UnsupportedApiVersion");
        return ApiJson.WriteAsync(context, StatusCodes.Status400BadRequest, body, "application/problem+json; charset=utf-8");
    }

    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        423 => "https://tools.ietf.org/html/rfc4918#section-11.3",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };

    private sealed record ProblemBody(
        string Type, string Title, int Status, string? Detail, string? Instance, int ErrorCode, string RequestId,
        string[]? ValidationErrors, string? StackTrace, string Timestamp);

    private sealed record ErrorMessageBody(string Error, int ErrorCode, string[]? ValidationErrors, string? StackTrace, string RequestId);

    private sealed record VersionProblemBody(string Type, string Title, int Status, string Detail, string Code);
}
