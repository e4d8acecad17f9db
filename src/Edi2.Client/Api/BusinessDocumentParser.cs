using System;
using System.Buffers;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Text.Json;

namespace Edi2.Api
{
    /// <summary>
    /// A push parser over the response bytes: a JSON state machine (any chunk boundary, including inside escapes) that keeps the
    /// base64 characters of the top-level <c>businessDocument</c> string in a fixed buffer until <see cref="Flush"/> decodes them.
    /// </summary>
    internal sealed class BusinessDocumentParser : IDisposable
    {
        private const int Base64Capacity = 64 * 1024; // a multiple of 4
        public const int MaxDecodedPerFlush = Base64Capacity / 4 * 3;
        private const int MaxDepth = 64;
        private const int MaxCapture = 1024;
        private const int MaxLiteral = 256;
        private const int MaxNamesRemembered = 12;
        private const string DocumentMember = "businessDocument";

        private enum State : byte { Start, NameOrObjectEnd, Name, Colon, Value, ValueOrArrayEnd, CommaOrEnd, String, Literal, Done }
        private enum Purpose : byte { Skip, Name, Capture, Document }
        private enum Member : byte { Other, Document, ContentType, ContentTransferEncoding }

        // Which bytes may appear as base64 data (the padding '=' is handled apart).
        private static readonly bool[] Base64Data = BuildBase64Data();

        private readonly bool[] _isObject = new bool[MaxDepth + 1];
        private readonly byte[] _capture = new byte[MaxCapture + 2];
        private readonly byte[] _literal = new byte[MaxLiteral];
        private readonly List<string> _names = new List<string>();
        private byte[]? _base64 = ArrayPool<byte>.Shared.Rent(Base64Capacity);

        private State _state = State.Start;
        private Purpose _purpose;
        private Member _member;
        private int _depth;
        private long _position;        // bytes of JSON consumed
        private bool _stringIsName;    // the current string is a member name (nested names are skipped, not captured)
        private int _escape;           // 0 none, 1 after '\', 2..5 reading the 4 hex digits of \u
        private int _hex;
        private int _captureLength;
        private bool _captureOverflow;
        private int _literalLength;
        private int _base64Count;      // base64 characters buffered, not yet decoded
        private long _dataChars;       // base64 characters seen, padding excluded
        private int _padding;
        private bool _documentStarted;
        private bool _documentClosed;

        public long BytesWritten { get; set; }
        public string? ContentType { get; private set; }
        public string? ContentTransferEncoding { get; private set; }

        private bool InDocument => _state == State.String && _purpose == Purpose.Document;

        /// <summary>Consumes bytes until they run out or the base64 buffer needs a <see cref="Flush"/>; returns how many it took.</summary>
        public int Feed(byte[] buffer, int offset, int count)
        {
            byte[] base64 = _base64 ?? throw new ObjectDisposedException(nameof(BusinessDocumentParser));
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                if (InDocument)
                {
                    if (_base64Count > Base64Capacity - 4) break; // full: the caller flushes, then feeds the rest
                    if (_escape == 0 && _padding == 0)
                    {
                        // The hot loop: plain base64 data characters, copied as they are.
                        int start = i;
                        int room = Base64Capacity - _base64Count;
                        int stop = end - i < room ? end : i + room;
                        while (i < stop && Base64Data[buffer[i]]) base64[_base64Count++] = buffer[i++];
                        _dataChars += i - start;
                        _position += i - start;
                        if (i == end || _base64Count > Base64Capacity - 4) continue;
                        // otherwise buffer[i] is something else ('"', '\', '=', whitespace, invalid): the state machine takes it
                    }
                }
                Step(buffer[i]);
                i++;
                _position++;
            }
            return i - offset;
        }

        /// <summary>
        /// Decodes the buffered base64 into <paramref name="output"/> when the buffer is full or the document string has closed;
        /// keeps a partial quantum for the next chunk. Returns the decoded byte count (0 when there is nothing to write yet).
        /// </summary>
        public int Flush(byte[] output)
        {
            byte[] base64 = _base64 ?? throw new ObjectDisposedException(nameof(BusinessDocumentParser));
            if (_base64Count == 0 || (!_documentClosed && _base64Count <= Base64Capacity - 4)) return 0;
            int whole = _base64Count & ~3;
            if (whole == 0) return 0;
            var status = Base64.DecodeFromUtf8(new ReadOnlySpan<byte>(base64, 0, whole), new Span<byte>(output), out int consumed, out int written, isFinalBlock: true);
            if (status != OperationStatus.Done || consumed != whole)
                throw Malformed($"the businessDocument is not valid base64 (status {status} near byte {_position} of the response)");
            Buffer.BlockCopy(base64, whole, base64, 0, _base64Count - whole);
            _base64Count -= whole;
            return written;
        }

        /// <summary>Called at the end of the stream: throws unless the whole JSON object, with its document, has arrived.</summary>
        public void Finish()
        {
            if (_state == State.Done) return;
            if (InDocument)
                throw EndedEarly($"The download ended early: the business-document response stopped in the middle of the document, after {BytesWritten} decoded bytes had been written ({_position} bytes of JSON received). Nothing complete was received; discard the partial output.");
            if (_documentClosed)
                throw EndedEarly($"The download ended early: the business-document response stopped after the document ({BytesWritten} bytes decoded) but before the end of the JSON ({_position} bytes received). The response is incomplete.");
            if (_position == 0 || _state == State.Start)
                throw EndedEarly("The download ended early: the business-document response was empty (0 bytes decoded). Nothing was received.");
            throw EndedEarly($"The download ended early: the business-document response stopped after {_position} bytes of JSON, before the businessDocument member (0 bytes decoded). Nothing was received.");
        }

        public void Dispose()
        {
            byte[]? base64 = _base64;
            _base64 = null;
            if (base64 != null) ArrayPool<byte>.Shared.Return(base64);
        }

        private void Step(byte b)
        {
            switch (_state)
            {
                case State.Start:
                    if (IsWhitespace(b)) return;
                    if (_position < 3 && (b == 0xEF || b == 0xBB || b == 0xBF)) return; // UTF-8 byte order mark
                    if (b == (byte)'{') { Push(isObject: true); _state = State.NameOrObjectEnd; return; }
                    if (b == (byte)'<')
                        throw Malformed("the business-document response is not JSON: it starts with '<' (an HTML or XML page, perhaps from a proxy or a login portal)", atPosition: false);
                    if (b == (byte)'[' || b == (byte)'"' || IsLiteralByte(b))
                        throw Malformed($"the business-document response is not a JSON object: it starts with {Describe(b)}", atPosition: false);
                    throw Malformed($"the business-document response is not JSON: it starts with {Describe(b)}", atPosition: false);

                case State.NameOrObjectEnd:
                case State.Name:
                    if (IsWhitespace(b)) return;
                    if (b == (byte)'"') { BeginString(Purpose.Name); return; }
                    if (b == (byte)'}' && _state == State.NameOrObjectEnd) { Pop(); EndValue(); return; }
                    throw Malformed($"expected a member name but found {Describe(b)}");

                case State.Colon:
                    if (IsWhitespace(b)) return;
                    if (b == (byte)':') { _state = State.Value; return; }
                    throw Malformed($"expected ':' after a member name but found {Describe(b)}");

                case State.Value:
                case State.ValueOrArrayEnd:
                    if (IsWhitespace(b)) return;
                    if (b == (byte)']' && _state == State.ValueOrArrayEnd) { Pop(); EndValue(); return; }
                    StartValue(b);
                    return;

                case State.CommaOrEnd:
                    if (IsWhitespace(b)) return;
                    bool inObject = _isObject[_depth];
                    if (b == (byte)',') { _state = inObject ? State.Name : State.Value; return; }
                    if (b == (byte)'}' && inObject) { Pop(); EndValue(); return; }
                    if (b == (byte)']' && !inObject) { Pop(); EndValue(); return; }
                    throw Malformed($"expected ',' or '{(inObject ? '}' : ']')}' but found {Describe(b)}");

                case State.String:
                    StepString(b);
                    return;

                case State.Literal:
                    if (IsLiteralByte(b))
                    {
                        if (_literalLength == MaxLiteral) throw Malformed($"a number or literal longer than {MaxLiteral} characters");
                        _literal[_literalLength++] = b;
                        return;
                    }
                    EndLiteral();
                    Step(b); // the byte that ended the literal belongs to what follows
                    return;

                case State.Done:
                    if (IsWhitespace(b)) return;
                    throw Malformed($"unexpected {Describe(b)} after the end of the JSON object");
            }
        }

        private void StartValue(byte b)
        {
            if (_depth == 1 && _member == Member.Document)
            {
                if (b != (byte)'"')
                    throw Malformed($"the businessDocument member is {DescribeValue(b)}, not a base64 string; the server sent no document");
                _documentStarted = true;
                BeginString(Purpose.Document);
                return;
            }
            switch (b)
            {
                case (byte)'"':
                    bool capture = _depth == 1 && (_member == Member.ContentType || _member == Member.ContentTransferEncoding);
                    BeginString(capture ? Purpose.Capture : Purpose.Skip);
                    return;
                case (byte)'{':
                    Push(isObject: true);
                    _state = State.NameOrObjectEnd;
                    return;
                case (byte)'[':
                    Push(isObject: false);
                    _state = State.ValueOrArrayEnd;
                    return;
            }
            if (b == (byte)'-' || (b >= (byte)'0' && b <= (byte)'9') || b == (byte)'t' || b == (byte)'f' || b == (byte)'n')
            {
                _literal[0] = b;
                _literalLength = 1;
                _state = State.Literal;
                return;
            }
            throw Malformed($"expected a value but found {Describe(b)}");
        }

        private void EndValue()
        {
            _state = _depth == 0 ? State.Done : State.CommaOrEnd;
            if (_depth == 0 && !_documentClosed)
            {
                string seen = _names.Count == 0 ? "none" : string.Join(", ", _names);
                throw Malformed($"the business-document response has no businessDocument member (members: {seen})", atPosition: false);
            }
        }

        private void Push(bool isObject)
        {
            if (_depth == MaxDepth) throw Malformed($"the JSON nests deeper than {MaxDepth} levels");
            _isObject[++_depth] = isObject;
        }

        private void Pop() => _depth--;

        private void EndLiteral()
        {
            var literal = new ReadOnlySpan<byte>(_literal, 0, _literalLength);
            if (!literal.SequenceEqual("true"u8) && !literal.SequenceEqual("false"u8) && !literal.SequenceEqual("null"u8) && !IsJsonNumber(literal))
                throw Malformed("found a value that is neither a number, a string, true, false nor null");
            EndValue();
        }


        private void BeginString(Purpose purpose)
        {
            _state = State.String;
            _purpose = purpose;
            _escape = 0;
            _captureLength = 0;
            _captureOverflow = false;
            _stringIsName = purpose == Purpose.Name;
            if (purpose == Purpose.Name && _depth != 1) _purpose = Purpose.Skip; // only top-level names matter
        }

        private void StepString(byte b)
        {
            if (_escape == 0)
            {
                if (b == (byte)'"') { EndString(); return; }
                if (b == (byte)'\\') { _escape = 1; Capture(b); return; }
                if (b < 0x20)
                {
                    if (_purpose == Purpose.Document && IsWhitespace(b)) return; // a line-wrapped document
                    throw Malformed("a control character inside a JSON string");
                }
                Capture(b);
                if (_purpose == Purpose.Document) DocumentChar(b);
                return;
            }
            Capture(b);
            if (_escape == 1)
            {
                int c;
                switch (b)
                {
                    case (byte)'"': c = '"'; break;
                    case (byte)'\\': c = '\\'; break;
                    case (byte)'/': c = '/'; break;
                    case (byte)'b': c = '\b'; break;
                    case (byte)'f': c = '\f'; break;
                    case (byte)'n': c = '\n'; break;
                    case (byte)'r': c = '\r'; break;
                    case (byte)'t': c = '\t'; break;
                    case (byte)'u': _escape = 2; _hex = 0; return;
                    default: throw Malformed($"an invalid escape '\\{(b >= 0x20 && b < 0x7F ? ((char)b).ToString() : "?")}' inside a JSON string");
                }
                _escape = 0;
                if (_purpose == Purpose.Document) DocumentChar(c);
                return;
            }
            int digit = HexValue(b);
            if (digit < 0) throw Malformed("an invalid \\u escape inside a JSON string (four hexadecimal digits expected)");
            _hex = (_hex << 4) | digit;
            if (++_escape == 6)
            {
                _escape = 0;
                if (_purpose == Purpose.Document) DocumentChar(_hex);
            }
        }

        private void Capture(byte b)
        {
            if (_purpose != Purpose.Name && _purpose != Purpose.Capture) return;
            if (_captureLength == MaxCapture) { _captureOverflow = true; return; }
            _capture[1 + _captureLength++] = b;
        }

        private void EndString()
        {
            switch (_purpose)
            {
                case Purpose.Skip:
                    if (_stringIsName) _state = State.Colon; else EndValue();
                    return;
                case Purpose.Name:
                    string? name = _captureOverflow ? null : DecodeCaptured();
                    _member = Member.Other;
                    if (name != null)
                    {
                        if (_names.Count < MaxNamesRemembered) _names.Add(name);
                        if (string.Equals(name, DocumentMember, StringComparison.OrdinalIgnoreCase))
                        {
                            if (_documentStarted) throw Malformed("the businessDocument member appears twice");
                            _member = Member.Document;
                        }
                        else if (string.Equals(name, "contentType", StringComparison.OrdinalIgnoreCase)) _member = Member.ContentType;
                        else if (string.Equals(name, "contentTransferEncoding", StringComparison.OrdinalIgnoreCase)) _member = Member.ContentTransferEncoding;
                    }
                    _state = State.Colon;
                    return;
                case Purpose.Capture:
                    if (_captureOverflow) throw Malformed($"the {(_member == Member.ContentType ? "contentType" : "contentTransferEncoding")} member is longer than {MaxCapture} bytes");
                    string value = DecodeCaptured();
                    if (_member == Member.ContentType) ContentType = value; else ContentTransferEncoding = value;
                    EndValue();
                    return;
                case Purpose.Document:
                    CompletePadding();
                    _documentClosed = true;
                    EndValue();
                    return;
            }
        }

        private string DecodeCaptured()
        {
            _capture[0] = (byte)'"';
            _capture[1 + _captureLength] = (byte)'"';
            try
            {
                var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(_capture, 0, _captureLength + 2));
                reader.Read();
                return reader.GetString() ?? string.Empty;
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException)
            {
                throw Malformed("a JSON string that is not valid UTF-8 or has an invalid escape", inner: e);
            }
        }

        private void DocumentChar(int c)
        {
            if (c == ' ' || c == '\r' || c == '\n' || c == '\t') return;
            if (c == '=')
            {
                if (++_padding > 2) throw Malformed("the businessDocument is not valid base64 (too much '=' padding)");
                _base64![_base64Count++] = (byte)'=';
                return;
            }
            if (c > 0x7F || !Base64Data[c])
                throw Malformed($"the businessDocument is not valid base64: it contains the character U+{c:X4}{(c > 0x20 && c < 0x7F ? " '" + (char)c + "'" : "")}");
            if (_padding > 0) throw Malformed("the businessDocument is not valid base64: data follows the '=' padding");
            _base64![_base64Count++] = (byte)c;
            _dataChars++;
        }

        private void CompletePadding()
        {
            int remainder = (int)(_dataChars % 4);
            if (remainder == 1) throw Malformed("the businessDocument is not valid base64: its length is not a whole number of bytes");
            int needed = remainder == 0 ? 0 : 4 - remainder;
            if (_padding > needed) throw Malformed("the businessDocument is not valid base64 (misplaced '=' padding)");
            while (_padding < needed) { _base64![_base64Count++] = (byte)'='; _padding++; } // tolerate missing padding
        }

        private BusinessDocumentFormatException Malformed(string what, bool atPosition = true, Exception? inner = null)
        {
            string where = atPosition ? $" (at byte {_position} of the response)" : "";
            string decoded = BytesWritten > 0 ? $" {BytesWritten} decoded bytes had already been written; discard them." : "";
            return new BusinessDocumentFormatException($"Could not read the business document: {what}{where}.{decoded}", BytesWritten, endedEarly: false, inner);
        }

        private BusinessDocumentFormatException EndedEarly(string message) =>
            new BusinessDocumentFormatException(message, BytesWritten, endedEarly: true);

        private static string Describe(byte b) =>
            b > 0x20 && b < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";

        private static string DescribeValue(byte b)
        {
            switch (b)
            {
                case (byte)'n': return "null";
                case (byte)'t':
                case (byte)'f': return "a boolean";
                case (byte)'{': return "an object";
                case (byte)'[': return "an array";
            }
            return b == (byte)'-' || (b >= (byte)'0' && b <= (byte)'9') ? "a number" : $"not a JSON value ({Describe(b)})";
        }

        private static bool IsWhitespace(byte b) => b == (byte)' ' || b == (byte)'\n' || b == (byte)'\r' || b == (byte)'\t';

        private static bool IsLiteralByte(byte b) =>
            (b >= (byte)'a' && b <= (byte)'z') || (b >= (byte)'0' && b <= (byte)'9') || b == (byte)'-' || b == (byte)'+' || b == (byte)'.' || b == (byte)'E';

        private static int HexValue(byte b)
        {
            if (b >= (byte)'0' && b <= (byte)'9') return b - '0';
            if (b >= (byte)'a' && b <= (byte)'f') return b - 'a' + 10;
            if (b >= (byte)'A' && b <= (byte)'F') return b - 'A' + 10;
            return -1;
        }

        // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
        private static bool IsJsonNumber(ReadOnlySpan<byte> s)
        {
            int i = 0;
            if (i < s.Length && s[i] == (byte)'-') i++;
            if (i == s.Length) return false;
            if (s[i] == (byte)'0') i++;
            else if (s[i] >= (byte)'1' && s[i] <= (byte)'9') { while (i < s.Length && IsDigit(s[i])) i++; }
            else return false;
            if (i < s.Length && s[i] == (byte)'.')
            {
                i++;
                int digits = i;
                while (i < s.Length && IsDigit(s[i])) i++;
                if (i == digits) return false;
            }
            if (i < s.Length && (s[i] == (byte)'e' || s[i] == (byte)'E'))
            {
                i++;
                if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-')) i++;
                int digits = i;
                while (i < s.Length && IsDigit(s[i])) i++;
                if (i == digits) return false;
            }
            return i == s.Length;
        }

        private static bool IsDigit(byte b) => b >= (byte)'0' && b <= (byte)'9';

        private static bool[] BuildBase64Data()
        {
            var table = new bool[256];
            for (int c = 'A'; c <= 'Z'; c++) table[c] = true;
            for (int c = 'a'; c <= 'z'; c++) table[c] = true;
            for (int c = '0'; c <= '9'; c++) table[c] = true;
            table['+'] = true;
            table['/'] = true;
            return table;
        }
    }
}
