using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Api
{
    /// <summary>
    /// Streams the base64 <c>businessDocument</c> of an EDI 2.0 business-document response (<c>GET /messages/{id}/business-document</c>)
    /// straight into a destination stream, with bounded memory: a document of 35 MB is about 47 MB of base64 in one JSON string,
    /// which neither a string nor <see cref="Utf8JsonReader"/> (one token at a time) can hold cheaply.
    /// </summary>
    internal static class BusinessDocumentReader
    {
        private const int ReadChunk = 64 * 1024;

        /// <summary>
        /// Reads the response JSON from <paramref name="json"/> in chunks, decoding the base64 <c>businessDocument</c> member into
        /// <paramref name="destination"/>. Member names match case-insensitively, in any order; other members of any kind are skipped.
        /// The base64 may use JSON escapes (<c>\u002B</c>, <c>\/</c>) and contain whitespace (spaces, <c>\r</c>, <c>\n</c>, <c>\t</c>).
        /// </summary>
        /// <exception cref="BusinessDocumentFormatException">Malformed JSON, missing or non-string member, invalid base64, or the stream ended early.</exception>
        public static async Task<BusinessDocumentInfo> CopyToAsync(Stream json, Stream destination, CancellationToken cancellationToken)
        {
            if (json is null) throw new ArgumentNullException(nameof(json));
            if (destination is null) throw new ArgumentNullException(nameof(destination));

            var parser = new BusinessDocumentParser();
            byte[] input = ArrayPool<byte>.Shared.Rent(ReadChunk);
            byte[] output = ArrayPool<byte>.Shared.Rent(BusinessDocumentParser.MaxDecodedPerFlush);
            try
            {
                int read;
                while ((read = await json.ReadAsync(input, 0, ReadChunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    int offset = 0;
                    while (offset < read)
                    {
                        offset += parser.Feed(input, offset, read - offset);
                        int decoded = parser.Flush(output);
                        if (decoded > 0)
                        {
                            await destination.WriteAsync(output, 0, decoded, cancellationToken).ConfigureAwait(false);
                            parser.BytesWritten += decoded;
                        }
                    }
                }
                parser.Finish();
                return new BusinessDocumentInfo(parser.ContentType, parser.ContentTransferEncoding, parser.BytesWritten);
            }
            finally
            {
                parser.Dispose();
                ArrayPool<byte>.Shared.Return(input);
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }
}
