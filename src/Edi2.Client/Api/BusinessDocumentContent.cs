using System;
using System.Buffers;
using System.Buffers.Text;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Api
{
    /// <summary>
    /// The JSON body of <c>POST /messages</c> (v3): <c>{ &lt;other members&gt;, "businessDocument":"&lt;base64&gt;" }</c>, with the base64
    /// encoded from the document stream chunk by chunk, so a 35 MB document is never held as one string or one array. The length is
    /// exact (<see cref="TryComputeLength"/>) when the document stream can seek. Sendable once: build a new instance for each attempt.
    /// </summary>
    internal sealed class BusinessDocumentContent : HttpContent
    {
        private const int RawChunk = 48 * 1024; // a multiple of 3, so only the last chunk is padded
        private const int EncodedChunk = RawChunk / 3 * 4;
        private static readonly byte[] Suffix = { (byte)'"', (byte)'}' };
        private static readonly byte[] MemberStart = Encoding.UTF8.GetBytes("\"businessDocument\":\"");
        private static readonly byte[] CommaMemberStart = Encoding.UTF8.GetBytes(",\"businessDocument\":\"");

        private readonly byte[] _prefix;
        private readonly Stream _document;
        private readonly bool _leaveOpen;
        private readonly IProgress<long>? _progress;
        private int _sent;

        /// <param name="otherMembersJson">UTF-8 JSON of an object with the other members (e.g. from System.Text.Json); may be <c>{}</c>.
        /// Must not contain <c>businessDocument</c>.</param>
        /// <param name="document">The document, read from its current position to its end.</param>
        /// <param name="leaveOpen">True to leave <paramref name="document"/> open when this content is disposed.</param>
        /// <param name="progress">Told the document bytes sent so far (before encoding), after each chunk.</param>
        public BusinessDocumentContent(byte[] otherMembersJson, Stream document, bool leaveOpen = false, IProgress<long>? progress = null)
        {
            if (otherMembersJson is null) throw new ArgumentNullException(nameof(otherMembersJson));
            if (document is null) throw new ArgumentNullException(nameof(document));
            if (!document.CanRead) throw new ArgumentException("The business-document stream cannot be read.", nameof(document));
            _prefix = BuildPrefix(otherMembersJson);
            _document = document;
            _leaveOpen = leaveOpen;
            _progress = progress;
            Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            if (Interlocked.Exchange(ref _sent, 1) != 0)
                throw new InvalidOperationException("This business-document content has already been sent; build a new one for each attempt.");

            byte[] raw = ArrayPool<byte>.Shared.Rent(RawChunk);
            byte[] encoded = ArrayPool<byte>.Shared.Rent(EncodedChunk);
            try
            {
                await stream.WriteAsync(_prefix, 0, _prefix.Length).ConfigureAwait(false);
                long total = 0;
                while (true)
                {
                    int filled = 0;
                    int read;
                    while (filled < RawChunk && (read = await _document.ReadAsync(raw, filled, RawChunk - filled).ConfigureAwait(false)) > 0)
                        filled += read;
                    if (filled == 0) break;
                    int written = Encode(raw, filled, encoded);
                    await stream.WriteAsync(encoded, 0, written).ConfigureAwait(false);
                    total += filled;
                    _progress?.Report(total);
                    if (filled < RawChunk) break; // the document ended inside this chunk
                }
                await stream.WriteAsync(Suffix, 0, Suffix.Length).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
                ArrayPool<byte>.Shared.Return(encoded);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            if (_document.CanSeek)
            {
                long remaining = Math.Max(0, _document.Length - _document.Position);
                length = _prefix.Length + (remaining + 2) / 3 * 4 + Suffix.Length;
                return true;
            }
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_leaveOpen) _document.Dispose();
            base.Dispose(disposing);
        }

        private static int Encode(byte[] raw, int count, byte[] encoded)
        {
            // Whole chunks are a multiple of 3 bytes, so padding only ever appears after the last one.
            Base64.EncodeToUtf8(new ReadOnlySpan<byte>(raw, 0, count), new Span<byte>(encoded), out _, out int written, isFinalBlock: true);
            return written;
        }

        /// <summary>The other members' object with its closing brace replaced by <c>,"businessDocument":"</c> (no comma when empty).</summary>
        private static byte[] BuildPrefix(byte[] json)
        {
            int start = json.Length >= 3 && json[0] == 0xEF && json[1] == 0xBB && json[2] == 0xBF ? 3 : 0;
            bool empty = true;
            try
            {
                var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(json, start, json.Length - start));
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    throw new ArgumentException("The other members of the message must be a JSON object.", nameof(json));
                while (reader.Read())
                {
                    if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        empty = false;
                        if (string.Equals(reader.GetString(), "businessDocument", StringComparison.OrdinalIgnoreCase))
                            throw new ArgumentException("The other members of the message must not contain businessDocument; the document stream supplies it.", nameof(json));
                    }
                }
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"The other members of the message are not valid JSON: {e.Message}", nameof(json), e);
            }

            int close = json.Length - 1;
            while (close >= start && IsWhitespace(json[close])) close--;
            // The reader checked one complete object, so json[close] is its closing brace.
            byte[] member = empty ? MemberStart : CommaMemberStart;
            var prefix = new byte[close - start + member.Length];
            Buffer.BlockCopy(json, start, prefix, 0, close - start);
            Buffer.BlockCopy(member, 0, prefix, close - start, member.Length);
            return prefix;
        }

        private static bool IsWhitespace(byte b) => b == (byte)' ' || b == (byte)'\n' || b == (byte)'\r' || b == (byte)'\t';
    }
}
