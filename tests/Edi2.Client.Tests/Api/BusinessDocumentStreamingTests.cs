using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edi2.Api;

namespace Edi2.Client.Tests.Api;

/// <summary>
/// The business document in both directions: <see cref="BusinessDocumentContent"/> writes the POST body with streamed base64,
/// <see cref="BusinessDocumentReader"/> decodes a response's base64 into a stream. Round trips, the JSON servers really send
/// (escapes, casing, order, extra members, whitespace), any chunk boundary, every kind of bad response, and allocation bounds.
/// </summary>
public class BusinessDocumentStreamingTests
{
    private const int LargeSize = 35 * 1024 * 1024;

    // Built once for the class: the 35 MB document and its POST body.
    private static readonly Lazy<(byte[] Document, byte[] Json)> Large = new(() =>
    {
        byte[] document = RandomBytes(LargeSize, seed: 35);
        using var content = new BusinessDocumentContent(OtherMembers(), new MemoryStream(document));
        var json = new MemoryStream(capacity: LargeSize / 3 * 4 + 1024);
        content.CopyToAsync(json).GetAwaiter().GetResult();
        return (document, json.ToArray());
    });

    // ---- round trips ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(1024 * 1024 + 7)]
    public async Task Content_and_reader_round_trip(int size)
    {
        byte[] document = RandomBytes(size, seed: size);
        using var content = new BusinessDocumentContent(OtherMembers(), new MemoryStream(document));

        long? advertised = content.Headers.ContentLength;
        var body = new MemoryStream();
        await content.CopyToAsync(body);

        Assert.Equal(body.Length, advertised);
        Assert.Equal("application/json", content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", content.Headers.ContentType.CharSet);

        using (var parsed = JsonDocument.Parse(body.ToArray()))
        {
            var root = parsed.RootElement;
            Assert.Equal(Convert.ToBase64String(document), root.GetProperty("businessDocument").GetString());
            Assert.Equal(8142519, root.GetProperty("senderHerId").GetInt32());
            Assert.Equal(2, root.GetProperty("receiverHerIds").GetArrayLength());
            Assert.Equal("DIALOG_INNBYGGER_EKONTAKT", root.GetProperty("messageTypeIdentificator").GetString());
            Assert.Equal("application/xml", root.GetProperty("contentType").GetString());
            Assert.Equal("base64", root.GetProperty("contentTransferEncoding").GetString());
            Assert.Equal("Edi2", root.GetProperty("applicationName").GetString());
            Assert.Equal("x+y", root.GetProperty("transportMetadataOverrides").GetProperty("note").GetString());
        }

        body.Position = 0;
        var decoded = new MemoryStream();
        var info = await BusinessDocumentReader.CopyToAsync(body, decoded, CancellationToken.None);

        Assert.Equal(size, info.Length);
        Assert.Equal("application/xml", info.ContentType);
        Assert.Equal("base64", info.ContentTransferEncoding);
        Assert.Equal(SHA256.HashData(document), SHA256.HashData(decoded.ToArray()));
    }

    [Fact]
    public async Task A_35_MB_document_round_trips()
    {
        var (document, json) = Large.Value;
        using (var content = new BusinessDocumentContent(OtherMembers(), new MemoryStream(document)))
            Assert.Equal(json.Length, content.Headers.ContentLength);
        Assert.EndsWith("\"}", Encoding.ASCII.GetString(json, json.Length - 2, 2));

        var decoded = new MemoryStream(capacity: LargeSize);
        var info = await BusinessDocumentReader.CopyToAsync(new MemoryStream(json, writable: false), decoded, CancellationToken.None);

        Assert.Equal(LargeSize, info.Length);
        Assert.Equal(SHA256.HashData(document), SHA256.HashData(decoded.GetBuffer().AsSpan(0, (int)decoded.Length)));
    }

    // ---- the content -----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("{}")]
    [InlineData("  { \r\n }  ")]
    [InlineData("\uFEFF{}")]
    public async Task An_empty_members_object_gives_just_the_document(string members)
    {
        using var content = new BusinessDocumentContent(Encoding.UTF8.GetBytes(members), new MemoryStream(new byte[] { 1, 2, 3, 4 }));
        string json = await content.ReadAsStringAsync();

        using var parsed = JsonDocument.Parse(json);
        Assert.Single(parsed.RootElement.EnumerateObject());
        Assert.Equal("AQIDBA==", parsed.RootElement.GetProperty("businessDocument").GetString());
    }

    [Fact]
    public async Task Members_with_trailing_whitespace_before_the_brace_stay_valid_json()
    {
        using var content = new BusinessDocumentContent(Encoding.UTF8.GetBytes("{\n  \"a\": [1, {\"b\": \"}\"}]\n}\n"), new MemoryStream(new byte[] { 0xFF }));
        using var parsed = JsonDocument.Parse(await content.ReadAsStringAsync());
        Assert.Equal("}", parsed.RootElement.GetProperty("a")[1].GetProperty("b").GetString());
        Assert.Equal("/w==", parsed.RootElement.GetProperty("businessDocument").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":1")]
    [InlineData("{\"a\":1} {}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"BusinessDocument\":\"x\"}")]
    public void Members_that_are_not_one_object_without_the_document_are_refused(string members)
    {
        Assert.Throws<ArgumentException>(() => new BusinessDocumentContent(Encoding.UTF8.GetBytes(members), new MemoryStream()));
    }

    [Fact]
    public async Task A_non_seekable_document_has_no_length_but_the_same_body()
    {
        byte[] document = RandomBytes(100_003, seed: 5);
        using var content = new BusinessDocumentContent(OtherMembers(), new TrickleStream(new MemoryStream(document), canSeek: false));
        Assert.Null(content.Headers.ContentLength);

        var body = new MemoryStream();
        await content.CopyToAsync(body);
        using var parsed = JsonDocument.Parse(body.ToArray());
        Assert.Equal(Convert.ToBase64String(document), parsed.RootElement.GetProperty("businessDocument").GetString());
    }

    [Fact]
    public async Task The_length_counts_from_the_current_position()
    {
        byte[] document = RandomBytes(1000, seed: 6);
        var stream = new MemoryStream(document) { Position = 10 };
        using var content = new BusinessDocumentContent(Encoding.UTF8.GetBytes("{}"), stream);
        long? advertised = content.Headers.ContentLength;
        byte[] body = await content.ReadAsByteArrayAsync();

        Assert.Equal(body.Length, advertised);
        using var parsed = JsonDocument.Parse(body);
        Assert.Equal(Convert.ToBase64String(document, 10, 990), parsed.RootElement.GetProperty("businessDocument").GetString());
    }

    [Fact]
    public async Task Content_is_sent_once()
    {
        using var content = new BusinessDocumentContent(Encoding.UTF8.GetBytes("{}"), new MemoryStream(new byte[10]));
        await content.CopyToAsync(Stream.Null);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => content.CopyToAsync(Stream.Null));
        Assert.Contains("already been sent", e.Message);
    }

    [Fact]
    public void Dispose_closes_the_document_unless_left_open()
    {
        var closed = new MemoryStream(new byte[3]);
        new BusinessDocumentContent(Encoding.UTF8.GetBytes("{}"), closed).Dispose();
        Assert.False(closed.CanRead);

        var kept = new MemoryStream(new byte[3]);
        new BusinessDocumentContent(Encoding.UTF8.GetBytes("{}"), kept, leaveOpen: true).Dispose();
        Assert.True(kept.CanRead);
    }

    // ---- the reader on real-world JSON -----------------------------------------------------------------------------------

    [Fact]
    public async Task Reader_decodes_json_from_JsonSerializer_with_escaped_plus()
    {
        byte[] document = PlusAndSlashHeavy(30_000);
        string base64 = Convert.ToBase64String(document);
        Assert.Contains("+", base64);
        Assert.Contains("/", base64);

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new { businessDocument = base64, contentType = "application/xml", contentTransferEncoding = "base64" });
        Assert.Contains("\\u002B", Encoding.ASCII.GetString(json));

        var (info, decoded) = await Read(json);
        Assert.Equal(document, decoded);
        Assert.Equal("application/xml", info.ContentType);
        Assert.Equal("base64", info.ContentTransferEncoding);
        Assert.Equal(document.Length, info.Length);
    }

    public static TheoryData<string, string> Variants()
    {
        // {0} is the document's base64 (already escaped as the variant needs).
        return new TheoryData<string, string>
        {
            { "escaped slash", "{\"businessDocument\":\"{slashes}\",\"contentType\":\"application/xml\",\"contentTransferEncoding\":\"base64\"}" },
            { "PascalCase", "{\"BusinessDocument\":\"{b64}\",\"ContentType\":\"application/xml\",\"ContentTransferEncoding\":\"base64\"}" },
            { "other order", "{\"contentTransferEncoding\":\"base64\",\"contentType\":\"application/xml\",\"businessDocument\":\"{b64}\"}" },
            { "extra members around", "{\"id\":\"3f2c\\\"q\\\\\\u00e6\",\"n\":-12.5e+3,\"deep\":{\"a\":[1,[2,{\"businessDocument\":5}],null,true,false,{}],\"b\":\"\\/x\"},\"empty\":[]," +
                "\"businessDocument\":\"{b64}\",\"after\":[{\"x\":{\"y\":[[[]]]}}],\"contentType\":\"application/xml\",\"flag\":false,\"nothing\":null,\"contentTransferEncoding\":\"base64\",\"z\":0}" },
            { "whitespace between tokens", "\r\n {\n\t\"contentType\" :\r\n \"application/xml\" ,\n  \"businessDocument\"\t:\t\"{b64}\"\n ,\"contentTransferEncoding\" : \"base64\"\r\n}\r\n" },
            { "whitespace inside the base64", "{\"businessDocument\":\"{wrapped}\",\"contentType\":\"application/xml\",\"contentTransferEncoding\":\"base64\"}" },
            { "every character escaped", "{\"businessDocument\":\"{unicode}\",\"contentType\":\"application\\/xml\",\"contentTransferEncoding\":\"\\u0062ase64\"}" },
            { "escaped member names", "{\"business\\u0044ocument\":\"{b64}\",\"content\\u0054ype\":\"application/xml\",\"contentTransferEncoding\":\"base64\"}" },
            { "raw line breaks inside the base64 (lenient: not strict JSON)", "{\"businessDocument\":\"{rawwrapped}\",\"contentType\":\"application/xml\",\"contentTransferEncoding\":\"base64\"}" },
            { "byte order mark", "\uFEFF{\"businessDocument\":\"{b64}\",\"contentType\":\"application/xml\",\"contentTransferEncoding\":\"base64\"}" },
        };
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Reader_accepts_what_servers_send(string variant, string template)
    {
        _ = variant;
        byte[] document = PlusAndSlashHeavy(3000);
        byte[] json = Encoding.UTF8.GetBytes(Render(template, document));

        var (info, decoded) = await Read(json);
        Assert.Equal(document, decoded);
        Assert.Equal("application/xml", info.ContentType);
        Assert.Equal("base64", info.ContentTransferEncoding);

        // The same bytes fed one at a time: every chunk boundary, including inside \u escapes and between the bytes of a BOM.
        var (_, trickled) = await Read(json, oneByteAtATime: true);
        Assert.Equal(document, trickled);
    }

    [Fact]
    public async Task Reader_accepts_missing_padding_and_absent_metadata()
    {
        var (info, decoded) = await Read("{\"businessDocument\":\"AQI\"}"u8.ToArray());
        Assert.Equal(new byte[] { 1, 2 }, decoded);
        Assert.Null(info.ContentType);
        Assert.Null(info.ContentTransferEncoding);

        (info, decoded) = await Read("{\"businessDocument\":\"\",\"contentType\":null}"u8.ToArray());
        Assert.Empty(decoded);
        Assert.Null(info.ContentType);
        Assert.Equal(0, info.Length);
    }

    [Fact]
    public async Task Reader_round_trips_a_large_body_one_byte_at_a_time()
    {
        byte[] document = RandomBytes(200_001, seed: 7);
        using var content = new BusinessDocumentContent(OtherMembers(), new TrickleStream(new MemoryStream(document), canSeek: true));
        byte[] body = await content.ReadAsByteArrayAsync();

        var (info, decoded) = await Read(body, oneByteAtATime: true);
        Assert.Equal(document.Length, info.Length);
        Assert.Equal(SHA256.HashData(document), SHA256.HashData(decoded));
    }

    [Fact]
    public async Task Reader_honours_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BusinessDocumentReader.CopyToAsync(new MemoryStream(RenderBytes(10)), new MemoryStream(), cancelled.Token));
    }

    // ---- the reader on bad responses ---------------------------------------------------------------------------------------

    [Fact]
    public async Task A_stream_cut_inside_the_document_says_it_ended_early_and_how_much_was_decoded()
    {
        byte[] document = RandomBytes(300_000, seed: 8);
        using var content = new BusinessDocumentContent(OtherMembers(), new MemoryStream(document));
        byte[] body = await content.ReadAsByteArrayAsync();
        byte[] cut = body.AsSpan(0, body.Length / 2).ToArray();

        var decoded = new MemoryStream();
        var e = await Assert.ThrowsAsync<BusinessDocumentFormatException>(() => BusinessDocumentReader.CopyToAsync(new MemoryStream(cut), decoded, CancellationToken.None));

        Assert.True(e.EndedEarly);
        Assert.True(e.BytesWritten > 0);
        Assert.Equal(decoded.Length, e.BytesWritten);
        Assert.Contains("ended early", e.Message);
        Assert.Contains(e.BytesWritten.ToString(), e.Message);
        AssertNoDocumentIn(e.Message, document);
    }

    [Theory]
    [InlineData("{\"contentType\":\"application/xml\",\"businessDoc")]
    [InlineData("{\"contentType\":\"application/xml\",")]
    [InlineData("{\"contentType\":\"appli")]
    [InlineData("{\"contentType\":\"application/xml\",\"businessDocument\"")]
    [InlineData("{\"contentType\":\"application/xml\",\"businessDocument\":")]
    [InlineData("{\"extra\":[1,2,{\"a\":tr")]
    public async Task A_stream_cut_before_the_document_says_nothing_was_received(string json)
    {
        var e = await ReadFails(Encoding.UTF8.GetBytes(json));
        Assert.True(e.EndedEarly);
        Assert.Equal(0, e.BytesWritten);
        Assert.Contains("ended early", e.Message);
        Assert.Contains("before the businessDocument member", e.Message);
    }

    [Fact]
    public async Task A_stream_cut_after_the_document_is_still_incomplete()
    {
        var e = await ReadFails("{\"businessDocument\":\"AQID\",\"contentType\":\"appl"u8.ToArray());
        Assert.True(e.EndedEarly);
        Assert.Equal(3, e.BytesWritten);
        Assert.Contains("ended early", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n ")]
    public async Task An_empty_response_ended_early(string json)
    {
        var e = await ReadFails(Encoding.UTF8.GetBytes(json));
        Assert.True(e.EndedEarly);
        Assert.Contains("empty", e.Message);
    }

    [Theory]
    [InlineData("{\"businessDocument\":\"QUJD!EFG\"}", "U+0021")]
    [InlineData("{\"businessDocument\":\"QUJD\\u00e6UFC\"}", "U+00E6")]
    [InlineData("{\"businessDocument\":\"QUJD-_==\"}", "U+002D")]
    [InlineData("{\"businessDocument\":\"QUJDR\"}", "whole number of bytes")]
    [InlineData("{\"businessDocument\":\"QUJD=\"}", "padding")]
    [InlineData("{\"businessDocument\":\"QQ===\"}", "padding")]
    [InlineData("{\"businessDocument\":\"QQ==QUJD\"}", "padding")]
    [InlineData("{\"businessDocument\":\"QUJD\\\"\"}", "U+0022")]
    public async Task Invalid_base64_is_refused(string json, string expected)
    {
        var e = await ReadFails(Encoding.UTF8.GetBytes(json));
        Assert.False(e.EndedEarly);
        Assert.Contains("not valid base64", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("QUJD", e.Message);
    }

    [Theory]
    [InlineData("{\"businessDocument\":12345}", "a number")]
    [InlineData("{\"businessDocument\":null,\"contentType\":\"application/xml\"}", "null")]
    [InlineData("{\"BUSINESSDOCUMENT\":true}", "a boolean")]
    [InlineData("{\"businessDocument\":{\"data\":\"QUJD\"}}", "an object")]
    [InlineData("{\"businessDocument\":[\"QUJD\"]}", "an array")]
    public async Task A_document_that_is_not_a_string_is_refused(string json, string kind)
    {
        var e = await ReadFails(Encoding.UTF8.GetBytes(json));
        Assert.Contains($"businessDocument member is {kind}, not a base64 string", e.Message);
        Assert.DoesNotContain("QUJD", e.Message);
    }

    [Fact]
    public async Task A_missing_document_is_refused_and_the_members_named()
    {
        var e = await ReadFails("{\"contentType\":\"application/xml\",\"nested\":{\"businessDocument\":\"QUJD\"},\"document\":\"QUJD\"}"u8.ToArray());
        Assert.False(e.EndedEarly);
        Assert.Contains("no businessDocument member", e.Message);
        Assert.Contains("contentType, nested, document", e.Message);
        Assert.DoesNotContain("QUJD", e.Message);
    }

    [Fact]
    public async Task An_html_page_is_not_json()
    {
        var e = await ReadFails("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"u8.ToArray());
        Assert.False(e.EndedEarly);
        Assert.Contains("not JSON", e.Message);
        Assert.Contains("HTML", e.Message);
    }

    [Theory]
    [InlineData("[{\"businessDocument\":\"QUJD\"}]", "not a JSON object")]
    [InlineData("\"QUJD\"", "not a JSON object")]
    [InlineData("Service Unavailable", "not JSON")]
    [InlineData("{\"businessDocument\":\"QUJD\" \"contentType\":\"x\"}", "expected ','")]
    [InlineData("{\"businessDocument\":\"QUJD\",}", "expected a member name")]
    [InlineData("{\"businessDocument\":\"QUJD\"}}", "after the end of the JSON object")]
    [InlineData("{\"businessDocument\":\"QUJD\"} {}", "after the end of the JSON object")]
    [InlineData("{\"a\":tru,\"businessDocument\":\"QUJD\"}", "neither a number")]
    [InlineData("{\"a\":01,\"businessDocument\":\"QUJD\"}", "neither a number")]
    [InlineData("{\"a\":[1 2],\"businessDocument\":\"QUJD\"}", "expected ','")]
    [InlineData("{\"a\":[1,2},\"businessDocument\":\"QUJD\"}", "expected ','")]
    [InlineData("{\"a\" 1,\"businessDocument\":\"QUJD\"}", "expected ':'")]
    [InlineData("{\"a\":\"x\\qy\",\"businessDocument\":\"QUJD\"}", "invalid escape")]
    [InlineData("{\"a\":\"x\\u12G4\",\"businessDocument\":\"QUJD\"}", "invalid \\u escape")]
    [InlineData("{\"a\":\"line\nbreak\",\"businessDocument\":\"QUJD\"}", "control character")]
    [InlineData("{\"businessDocument\":\"QUJD\",\"businessDocument\":\"QUJD\"}", "appears twice")]
    [InlineData("{\"a\":'x',\"businessDocument\":\"QUJD\"}", "expected a value")]
    public async Task Malformed_json_is_refused(string json, string expected)
    {
        var e = await ReadFails(Encoding.UTF8.GetBytes(json));
        Assert.False(e.EndedEarly);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("Could not read the business document", e.Message);
        Assert.DoesNotContain("QUJD", e.Message);
    }

    [Fact]
    public async Task Deep_nesting_is_refused()
    {
        string json = "{\"a\":" + new string('[', 100) + new string(']', 100) + ",\"businessDocument\":\"QUJD\"}";
        var e = await ReadFails(Encoding.UTF8.GetBytes(json));
        Assert.Contains("deeper than", e.Message);
    }

    [Fact]
    public async Task Invalid_base64_after_a_flushed_chunk_reports_the_bytes_written()
    {
        string base64 = Convert.ToBase64String(RandomBytes(150_000, seed: 9));
        byte[] json = Encoding.ASCII.GetBytes("{\"businessDocument\":\"" + base64[..100_000] + "*" + base64[100_000..] + "\"}");
        var e = await ReadFails(json);
        Assert.True(e.BytesWritten > 0);
        Assert.Contains($"{e.BytesWritten} decoded bytes had already been written", e.Message);
        Assert.Contains("U+002A", e.Message);
    }

    // ---- memory --------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Reading_35_MB_allocates_far_less_than_the_document()
    {
        var json = Large.Value.Json;
        await BusinessDocumentReader.CopyToAsync(new MemoryStream(RenderBytes(3000)), Stream.Null, CancellationToken.None); // warm up
        var source = new MemoryStream(json, writable: false);

        int thread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var info = await BusinessDocumentReader.CopyToAsync(source, Stream.Null, CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(thread, Environment.CurrentManagedThreadId); // everything completed synchronously: the count is the whole call
        Assert.Equal(LargeSize, info.Length);
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task Writing_35_MB_allocates_far_less_than_the_document()
    {
        var document = Large.Value.Document;
        using (var warm = new BusinessDocumentContent(OtherMembers(), new MemoryStream(new byte[3000])))
            await warm.CopyToAsync(Stream.Null);
        using var content = new BusinessDocumentContent(OtherMembers(), new MemoryStream(document, writable: false));

        int thread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();
        await content.CopyToAsync(Stream.Null);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(thread, Environment.CurrentManagedThreadId);
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------------

    private static byte[] OtherMembers() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        senderHerId = 8142519,
        receiverHerIds = new[] { 8142520, 8142521 },
        messageTypeIdentificator = "DIALOG_INNBYGGER_EKONTAKT",
        contentType = "application/xml",
        contentTransferEncoding = "base64",
        applicationName = "Edi2",
        applicationVersion = "0.1.0",
        transportMetadataOverrides = new { note = "x+y" },
    });

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Random bytes with runs of 0xFB 0xEF 0xBE ("++++") and 0xFF 0xFF 0xFF ("////").</summary>
    private static byte[] PlusAndSlashHeavy(int size)
    {
        byte[] bytes = RandomBytes(size, seed: size);
        for (int i = 0; i + 6 <= size; i += 12)
        {
            bytes[i] = 0xFB; bytes[i + 1] = 0xEF; bytes[i + 2] = 0xBE;
            bytes[i + 3] = 0xFF; bytes[i + 4] = 0xFF; bytes[i + 5] = 0xFF;
        }
        return bytes;
    }

    /// <summary>Fills a template's document placeholder with the document's base64 in the template's style.</summary>
    private static string Render(string template, byte[] document)
    {
        string b64 = Convert.ToBase64String(document);
        var wrapped = new StringBuilder();
        for (int i = 0; i < b64.Length; i += 76)
        {
            wrapped.Append(b64, i, Math.Min(76, b64.Length - i));
            wrapped.Append((i / 76 % 3) switch { 0 => "\\r\\n", 1 => " \\n", _ => "\\t " });
        }
        var unicode = new StringBuilder();
        for (int i = 0; i < b64.Length; i++) unicode.Append("\\u").Append(((int)b64[i]).ToString(i % 2 == 0 ? "X4" : "x4"));
        return template
            .Replace("{b64}", b64)
            .Replace("{slashes}", b64.Replace("/", "\\/"))
            .Replace("{wrapped}", wrapped.ToString())
            .Replace("{rawwrapped}", wrapped.ToString().Replace("\\r", "\r").Replace("\\n", "\n").Replace("\\t", "\t"))
            .Replace("{unicode}", unicode.ToString());
    }

    private static byte[] RenderBytes(int size) =>
        Encoding.UTF8.GetBytes(Render("{\"businessDocument\":\"{b64}\",\"contentType\":\"application/xml\"}", RandomBytes(size, seed: 1)));

    private static async Task<(BusinessDocumentInfo Info, byte[] Decoded)> Read(byte[] json, bool oneByteAtATime = false)
    {
        Stream source = new MemoryStream(json, writable: false);
        if (oneByteAtATime) source = new TrickleStream(source, canSeek: false);
        var decoded = new MemoryStream();
        var info = await BusinessDocumentReader.CopyToAsync(source, decoded, CancellationToken.None);
        Assert.Equal(decoded.Length, info.Length);
        return (info, decoded.ToArray());
    }

    private static async Task<BusinessDocumentFormatException> ReadFails(byte[] json)
    {
        var decoded = new MemoryStream();
        var e = await Assert.ThrowsAsync<BusinessDocumentFormatException>(() => BusinessDocumentReader.CopyToAsync(new MemoryStream(json), decoded, CancellationToken.None));
        Assert.Equal(decoded.Length, e.BytesWritten);

        // The same failure, whatever the chunk boundaries.
        var trickled = await Assert.ThrowsAsync<BusinessDocumentFormatException>(() =>
            BusinessDocumentReader.CopyToAsync(new TrickleStream(new MemoryStream(json), canSeek: false), Stream.Null, CancellationToken.None));
        Assert.Equal(e.EndedEarly, trickled.EndedEarly);
        Assert.IsAssignableFrom<FormatException>(e);
        return e;
    }

    private static void AssertNoDocumentIn(string message, byte[] document)
    {
        string base64 = Convert.ToBase64String(document);
        for (int i = 0; i + 8 <= base64.Length; i += 4099)
            Assert.DoesNotContain(base64.Substring(i, 8), message);
    }

    /// <summary>A stream that hands out one byte per read, so parsers meet every possible chunk boundary.</summary>
    private sealed class TrickleStream(Stream inner, bool canSeek) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => canSeek;
        public override bool CanWrite => false;
        public override long Length => canSeek ? inner.Length : throw new NotSupportedException();
        public override long Position
        {
            get => canSeek ? inner.Position : throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(inner.Read(buffer.Span[..Math.Min(buffer.Length, 1)]));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
