using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace Edi2.FakeNhn.Edi;

/// <summary>AppRecError as both versions send and return it (code list 8221).</summary>
internal sealed class AppRecErrorDto
{
    public string? ErrorCode { get; set; }

    public string? Details { get; set; }

    public string? Description { get; set; }

    public string? Oid { get; set; }

    public static AppRecErrorDto From(AppRecErrorInfo error) =>
        new() { ErrorCode = error.ErrorCode, Details = error.Details, Description = error.Description, Oid = error.Oid };
}

/// <summary>Checks shared by v2 and v3 sends and AppRecs. Each returns the validation errors it found.</summary>
internal static class MessageRequests
{
    /// <summary>The payload rules: application/xml, base64, valid base64, at most the size limit.</summary>
    public static byte[] DecodeDocument(string? businessDocument, string? contentType, string? contentTransferEncoding, long maxBytes, List<string> errors)
    {
        if (string.IsNullOrEmpty(businessDocument))
        {
            errors.Add("The BusinessDocument field is required.");
        }

        if (string.IsNullOrEmpty(contentType))
        {
            errors.Add("The ContentType field is required.");
        }
        else if (!contentType.Equals("application/xml", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"ContentType '{contentType}' is not supported; only 'application/xml' is.");
        }

        if (string.IsNullOrEmpty(contentTransferEncoding))
        {
            errors.Add("The ContentTransferEncoding field is required.");
        }
        else if (!contentTransferEncoding.Equals("base64", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"ContentTransferEncoding '{contentTransferEncoding}' is not supported; only 'base64' is.");
        }

        if (string.IsNullOrEmpty(businessDocument))
        {
            return [];
        }

        var document = ApiJson.TryDecodeBase64(businessDocument);
        if (document is null)
        {
            errors.Add("BusinessDocument is not valid base64.");
            return [];
        }

        if (document.Length > maxBytes)
        {
            errors.Add($"The business document is {document.Length} bytes; the limit is {maxBytes} bytes (35 MB).");
        }

        return document;
    }

    /// <summary>"Ok" | "Rejected" | "OkErrorInMessagePart", also as 1/2/3 (NHN's doc numbering; NAV sent "1"/"2"/"3").</summary>
    public static string? ParseAppRecStatus(JsonElement? value, List<string> errors)
    {
        if (value is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            errors.Add("The AppRecStatus field is required.");
            return null;
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        var status = text?.Trim() switch
        {
            { } s when s.Equals("Ok", StringComparison.OrdinalIgnoreCase) || s == "1" => "Ok",
            { } s when s.Equals("Rejected", StringComparison.OrdinalIgnoreCase) || s == "2" => "Rejected",
            { } s when s.Equals("OkErrorInMessagePart", StringComparison.OrdinalIgnoreCase) || s == "3" => "OkErrorInMessagePart",
            _ => null,
        };
        if (status is null)
        {
            errors.Add($"The value '{text ?? element.GetRawText()}' is not valid for AppRecStatus (Ok, Rejected, OkErrorInMessagePart).");
        }

        return status;
    }

    /// <summary>"AppRecErrorList must be populated if AppRecResult is 'Avvist'" (v2 OpenAPI); each error needs a code.</summary>
    public static IReadOnlyList<AppRecErrorInfo> AppRecErrors(string? status, List<AppRecErrorDto>? list, List<string> errors)
    {
        var result = (list ?? []).Select(e => new AppRecErrorInfo(e.ErrorCode, e.Details, e.Description, e.Oid)).ToArray();
        if (status == "Rejected" && result.Length == 0)
        {
            errors.Add("AppRecErrorList must be populated if AppRecStatus is Rejected.");
        }

        if (result.Any(e => string.IsNullOrWhiteSpace(e.ErrorCode)))
        {
            errors.Add("Every AppRecError needs an ErrorCode.");
        }

        return result;
    }

    public static void ThrowIfAny(List<string> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiException.Validation(errors.ToArray());
        }
    }
}
