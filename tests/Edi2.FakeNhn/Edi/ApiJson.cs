using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Edi2.FakeNhn.Edi;

/// <summary>JSON in and out the way an ASP.NET Core API does it: camelCase out (nulls included), case-insensitive in.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Keeps '+' in base64 and "problem+json" readable; still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task WriteAsync<T>(HttpContext context, int status, T value, string contentType = "application/json; charset=utf-8")
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>
    /// Reads a JSON body as ASP.NET's model binding would: a JSON content type (else 415), a body that parses
    /// into <typeparamref name="T"/> (else 400 with the parser's message as the validation error).
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpContext context)
        where T : class
    {
        var request = context.Request;
        if (!IsJson(request.ContentType))
        {
            throw ApiException.UnsupportedMediaType(request.ContentType);
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, context.RequestAborted);
            return value ?? throw ApiException.Validation("A non-empty request body is required.");
        }
        catch (JsonException ex)
        {
            throw ApiException.Validation(ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's body size limit (413) and friends.
            throw new ApiException(ex.StatusCode, 0, ex.Message);
        }
    }

    /// <summary>application/json, text/json and application/*+json, as the v2 OpenAPI lists.</summary>
    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var type = mediaType.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Base64 check and decode that does not throw.</summary>
    public static byte[]? TryDecodeBase64(string text)
    {
        var buffer = new byte[text.Length / 4 * 3 + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer.AsSpan(0, written).ToArray() : null;
    }

    public static string JoinIds(IEnumerable<int> herIds) => string.Join(", ", herIds);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
