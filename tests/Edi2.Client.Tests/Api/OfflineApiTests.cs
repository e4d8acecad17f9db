using System.Net;
using System.Net.Http;
using System.Net.ServerSentEvents;
using System.Text;
using Edi2.Api;

namespace Edi2.Client.Tests.Api;

/// <summary>What the API layer decides without a server: times, documents, error bodies.</summary>
public class OfflineApiTests
{
    [Theory]
    [InlineData("2025-01-15T10:00:00", "2025-01-15T10:00:00+01:00")]           // winter: CET
    [InlineData("2025-07-15T10:00:00", "2025-07-15T10:00:00+02:00")]           // summer: CEST
    [InlineData("2025-08-21T11:21:16.0004155", "2025-08-21T11:21:16.0004155+02:00")]
    [InlineData("2025-03-30T01:59:59", "2025-03-30T01:59:59+01:00")]           // just before summer time starts (02:00 local)
    [InlineData("2025-03-30T03:00:00", "2025-03-30T03:00:00+02:00")]
    [InlineData("2025-10-26T03:30:00", "2025-10-26T03:30:00+01:00")]           // after summer time ends
    [InlineData("2026-05-08T08:32:15.31+00:00", "2026-05-08T08:32:15.31+00:00")] // an offset is kept
    [InlineData("2026-05-08T08:32:15Z", "2026-05-08T08:32:15+00:00")]
    public void Offsetless_times_are_norwegian(string wire, string expected)
    {
        var parsed = Edi2Json.ParseNorwegian(wire);
        var want = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(want, parsed);
        Assert.Equal(want.Offset, parsed.Offset);
    }

    [Fact]
    public void A_document_over_35_MB_is_refused_before_sending()
    {
        var e = Assert.Throws<Edi2ApiException>(() => Edi2Document.FromBytes(new byte[35_000_001]).Validate());
        Assert.Equal(ApiErrorReason.InvalidDocument, e.ApiReason);
        Assert.Contains("35,000,000", e.Message);
        Assert.Contains("Nothing was sent", e.Message);
    }

    [Theory]
    [InlineData("<a><b></a>", "not well-formed")]
    [InlineData("", "empty")]
    [InlineData("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", "ISO-8859-1")]
    public void A_document_that_is_not_utf8_xml_is_refused(string xml, string reason)
    {
        var e = Assert.Throws<Edi2ApiException>(() => Edi2Document.FromString(xml).Validate());
        Assert.Equal(ApiErrorReason.InvalidDocument, e.ApiReason);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused()
    {
        byte[] latin1 = Encoding.Latin1.GetBytes("<?xml version=\"1.0\"?><navn>Bjørn Ærlig</navn>");
        var e = Assert.Throws<Edi2ApiException>(() => Edi2Document.FromBytes(latin1).Validate());
        Assert.Contains("not UTF-8", e.Message);
    }

    [Fact]
    public void A_well_formed_utf8_msghead_passes()
    {
        Edi2Document.FromBytes(MsgHead.Bytes(1, 2, body: "Bjørn Ærlig ÅÆØ")).Validate();
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, MsgHead.Bytes(1, 2));
        try
        {
            Edi2Document.FromFile(path).Validate();
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<int, string, string, ApiErrorReason, string> ErrorBodies() => new()
    {
        // v3 ProblemDetails
        { 403, "application/problem+json", """{"title":"Forbidden","status":403,"detail":"No access","errorCode":1202,"requestId":"r-1"}""", ApiErrorReason.Forbidden, "Not authorized for HER-id 8142519: its organisation is not under" },
        { 423, "application/problem+json", """{"title":"Locked","status":423,"errorCode":1210,"requestId":"r-2"}""", ApiErrorReason.Locked, "HER-id 8142519 is reserved by another HelseID client" },
        { 404, "application/problem+json", """{"title":"Not Found","status":404,"errorCode":1010}""", ApiErrorReason.NotFound, "was not found" },
        { 400, "application/problem+json", """{"title":"Bad Request","status":400,"errorCode":1001,"validationErrors":["receiverHerIds is required"]}""", ApiErrorReason.BadRequest, "receiverHerIds is required" },
        { 500, "application/problem+json", """{"title":"Internal Server Error","status":500,"errorCode":0,"requestId":"r-5"}""", ApiErrorReason.ServerError, "requestId r-5" },
        // v2 ErrorMessage, camelCase and PascalCase
        { 403, "application/json", """{"error":"Not authorized for HerId(s): 8142519","errorCode":0,"requestId":"r-6"}""", ApiErrorReason.Forbidden, "Not authorized for HerId(s): 8142519" },
        { 400, "application/json", """{"Error":"Model validation error occurred","ErrorCode":1000,"ValidationErrors":["Example error"],"RequestId":"r-7"}""", ApiErrorReason.BadRequest, "Example error" },
        { 404, "application/json", """{"error":"Could not find database document","errorCode":0,"requestId":"r-8"}""", ApiErrorReason.NotFound, "Could not find database document" },
        { 500, "application/json", """{"error":"An unknown error occurred","errorCode":0,"requestId":"r-9"}""", ApiErrorReason.ServerError, "An unknown error occurred" },
        // not the API at all
        { 502, "text/html", "<html><body>Bad gateway</body></html>", ApiErrorReason.UnexpectedResponse, "text/html" },
        { 503, "", "", ApiErrorReason.UnexpectedResponse, "no content type" },
    };

    [Theory]
    [MemberData(nameof(ErrorBodies))]
    public void Error_bodies_become_clear_errors(int status, string contentType, string body, ApiErrorReason reason, string messagePart)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType.Length == 0 ? "text/plain" : contentType),
            RequestMessage = new HttpRequestMessage(HttpMethod.Put, "https://api.test/messages/x/downloaded"),
        };
        if (contentType.Length == 0) response.Content.Headers.ContentType = null;

        var e = ApiErrors.FromResponse(response, body, ApiTarget.HerIds([8142519]));

        Assert.Equal(reason, e.ApiReason);
        Assert.Equal(status, e.StatusCode);
        Assert.Contains(messagePart, e.Message);
        Assert.Equal(8142519, e.Target);
        Assert.Equal("Api." + reason, e.Reason);
        if (body.Contains("\"requestId\":\"r-", StringComparison.OrdinalIgnoreCase)) Assert.StartsWith("r-", e.RequestId);
    }

    [Fact]
    public void Apprec_status_from_v2_numbers_and_names()
    {
        Assert.Equal("Ok", Edi2ApiClient.NormalizeAppRecStatus("1"));
        Assert.Equal("Rejected", Edi2ApiClient.NormalizeAppRecStatus("2"));
        Assert.Equal("Rejected", Edi2ApiClient.NormalizeAppRecStatus("Avvist"));
        Assert.Equal("OkErrorInMessagePart", Edi2ApiClient.NormalizeAppRecStatus("3"));
        Assert.Equal("Ok", Edi2ApiClient.NormalizeAppRecStatus("Ok"));
        Assert.Null(Edi2ApiClient.NormalizeAppRecStatus(null));
    }

    [Fact]
    public async Task Server_sent_events_are_parsed_with_comments_and_multi_line_data()
    {
        // What the notification stream relies on in System.Net.ServerSentEvents' SseParser.
        var text = ": keep-alive\n\nevent: connected\ndata:\n\nevent: notification\ndata: {\"a\":\ndata: 1}\nid: 7\n\n: bye\nevent: notification\ndata: half";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var first = events.Current;
        Assert.Equal("connected", first.EventType);
        Assert.Equal("", first.Data);
        Assert.True(await events.MoveNextAsync());
        var second = events.Current;
        Assert.Equal("notification", second.EventType);
        Assert.Equal("{\"a\":\n1}", second.Data);
        Assert.False(await events.MoveNextAsync()); // a half event at the end is not delivered
    }

    [Theory]
    [InlineData("My-EPJ, v1.0.2", "My-EPJ", "1.0.2")]
    [InlineData("Edi2 PowerShell module, v0.1.0", "Edi2 PowerShell module", "0.1.0")]
    [InlineData("Sykehus-EPJ 18.0.8", "Sykehus-EPJ", "18.0.8")]
    public void Application_name_and_version_come_from_the_source_system(string sourceSystem, string name, string version)
    {
        Assert.Equal((name, version), Edi2Session.SplitSourceSystem(sourceSystem));
    }

    [Fact]
    public void A_source_system_without_a_version_gives_the_modules_version()
    {
        var (name, version) = Edi2Session.SplitSourceSystem("Legekontoret");
        Assert.Equal("Legekontoret", name);
        Assert.Equal(typeof(Edi2Session).Assembly.GetName().Version!.ToString(3), version);
    }
}
