using System;
using System.Buffers;
using System.Buffers.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// GET /messages/{id}/business-document (both versions, same body). The JSON is written in chunks with a
/// Content-Length, like a server streaming a 35 MB document: a dropped connection then shows half a body.
/// </summary>
internal sealed class BusinessDocumentEndpoint
{
    private const int SourceChunk = 48 * 1024; // a multiple of 3, so chunks encode without padding in between

    private static readonly byte[] Prefix = ApiJson.Utf8("{\"businessDocument\":\"");
    private static readonly byte[] Suffix = ApiJson.Utf8("\",\"contentType\":\"application/xml\",\"contentTransferEncoding\":\"base64\"}");

    public async Task HandleAsync(ApiCall call)
    {
        var message = call.Caller.ReadableMessage(call.Id);

        var document = message.Document;
        var response = call.Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = Prefix.Length + Base64.GetMaxEncodedToUtf8Length(document.Length) + Suffix.Length;

        var aborted = call.Context.RequestAborted;
        await response.Body.WriteAsync(Prefix, aborted);
        var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(SourceChunk));
        try
        {
            for (var offset = 0; offset < document.Length; offset += SourceChunk)
            {
                var chunk = document.Slice(offset, Math.Min(SourceChunk, document.Length - offset));
                Base64.EncodeToUtf8(chunk.Span, buffer, out _, out var written);
                await response.Body.WriteAsync(buffer.AsMemory(0, written), aborted);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await response.Body.WriteAsync(Suffix, aborted);
    }
}
