using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;
using static Edi2.FakeNhn.Tests.EdiApiCaller;

namespace Edi2.FakeNhn.Tests;

/// <summary>api-version 3 end to end: configure, send, notifications, read, AppRec, status, downloaded.</summary>
public sealed class EdiApiV3Tests : IClassFixture<EdiApiFixture>
{
    private readonly FakeNhnServer _server;
    private readonly EdiApiCaller _api;
    private readonly long _start;

    public EdiApiV3Tests(EdiApiFixture fixture)
    {
        fixture.Reset();
        _server = fixture.Server;
        _api = fixture.Api;
        _start = _server.Edi.LastOffset;
    }

    [Fact]
    public async Task Ping_answers_pong()
    {
        var answer = await _api.GetAsync("/ping");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.MediaType);
        Assert.Equal("Pong", answer.Json.GetProperty("response").GetString());
        Assert.EndsWith("Z", answer.Json.GetProperty("timestampUtc").GetString());
    }

    [Fact]
    public async Task Send_notify_read_apprec_status_downloaded()
    {
        var document = MsgHeadXml(HerA, HerB, genDate: "2025-08-21T11:39:57");
        var sent = await _api.SendAsync(HttpMethod.Post, "/messages", SendBody(HerA, [HerB], document));
        Assert.True(sent.Status == HttpStatusCode.Accepted, sent.ToString());
        var sentId = sent.Json.GetProperty("id").GetGuid();

        // The receiver is notified of the message under the id the sender got back.
        var notifications = await _api.GetAsync($"/notifications?HerIds={HerB}&Offset={_start}");
        Assert.Equal(HttpStatusCode.OK, notifications.Status);
        var notification = Assert.Single(notifications.Json.GetProperty("notifications").EnumerateArray());
        Assert.Equal("NewMessage", notification.GetProperty("type").GetString());
        Assert.Equal(HerB, notification.GetProperty("notificationReceiverHerId").GetInt32());
        Assert.Equal(HerA, notification.GetProperty("notificationTriggeredByHerId").GetInt32());
        Assert.Equal("New message received. (DIALOG_HELSEFAGLIG).", notification.GetProperty("description").GetString());
        Assert.True(notification.GetProperty("offset").GetInt64() > 0);
        Assert.True(notification.TryGetProperty("id", out _) && notification.TryGetProperty("createdAt", out _));
        var received = notification.GetProperty("relatedMessageId").GetGuid();
        Assert.Equal(sentId, received);

        var metadata = (await _api.GetAsync($"/messages/{received}")).Json;
        Assert.Equal(received, metadata.GetProperty("id").GetGuid());
        Assert.Equal(HerA, metadata.GetProperty("senderHerId").GetInt32());
        Assert.Equal([HerB], metadata.GetProperty("receiverHerIds").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("a7f4c1e0-1111-4222-8333-944445555666", metadata.GetProperty("businessDocumentId").GetString());
        Assert.Equal("2025-08-21T11:39:57", metadata.GetProperty("businessDocumentGenDate").GetString());
        Assert.Equal("DIALOG_HELSEFAGLIG", metadata.GetProperty("businessDocumentMsgType").GetString());
        Assert.Equal("application/xml", metadata.GetProperty("contentType").GetString());

        var download = await _api.GetAsync($"/messages/{received}/business-document");
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal(document, Convert.FromBase64String(download.Json.GetProperty("businessDocument").GetString()!));
        Assert.Equal("application/xml", download.Json.GetProperty("contentType").GetString());
        Assert.Equal("base64", download.Json.GetProperty("contentTransferEncoding").GetString());

        // Before any AppRec: acknowledged, sent, no apprecInfo.
        var before = Assert.Single((await _api.GetAsync($"/messages/{sentId}/status")).Json.GetProperty("statusList").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("apprecInfo").ValueKind);
        Assert.Equal("Acknowledged", before.GetProperty("transportDeliveryState").GetString());

        var appRec = await _api.SendAsync(HttpMethod.Post, $"/messages/{received}/apprec", new
        {
            appRecSenderHerId = HerB,
            appRecStatus = "Rejected",
            appRecErrorList = new[] { new { errorCode = "E10", details = "Ugyldig meldingsidentifikator" } },
            applicationName = "Edi2 self-test",
            applicationVersion = "0.1",
        });
        Assert.True(appRec.Status == HttpStatusCode.Accepted, appRec.ToString());
        var appRecId = appRec.Json.GetProperty("id").GetGuid();

        var status = Assert.Single((await _api.GetAsync($"/messages/{sentId}/status")).Json.GetProperty("statusList").EnumerateArray());
        Assert.Equal(HerB, status.GetProperty("receiverHerId").GetInt32());
        Assert.Equal("Acknowledged", status.GetProperty("transportDeliveryState").GetString());
        Assert.True(status.GetProperty("sent").GetBoolean());
        var info = status.GetProperty("apprecInfo");
        Assert.Equal("Rejected", info.GetProperty("appRecStatus").GetString());
        Assert.Equal(appRecId, info.GetProperty("appRecId").GetGuid());
        var error = Assert.Single(info.GetProperty("appRecErrorList").EnumerateArray());
        Assert.Equal(("E10", "Ugyldig meldingsidentifikator"), (error.GetProperty("errorCode").GetString(), error.GetProperty("details").GetString()));

        // The original sender hears of the AppRec twice: the AppRec message itself, and the status change.
        var senderSide = (await _api.GetAsync($"/notifications?HerIds={HerA}&Offset={_start}")).Json.GetProperty("notifications").EnumerateArray().ToArray();
        Assert.Equal(["NewMessage", "MessageApprecInfoUpdated"], senderSide.Select(n => n.GetProperty("type").GetString()));
        Assert.Equal(sentId, senderSide[1].GetProperty("relatedMessageId").GetGuid());
        var appRecMessage = _server.Edi.GetMessage(senderSide[0].GetProperty("relatedMessageId").GetGuid())!;
        Assert.True(appRecMessage.IsAppRec);
        Assert.Equal(("APPREC", HerB), (appRecMessage.MessageType, appRecMessage.SenderHerId));
        Assert.Contains("<Status V=\"2\"", Encoding.UTF8.GetString(appRecMessage.Document.Span));

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Put, $"/messages/{received}/downloaded", new { receiverHerId = HerB })).Status);
        Assert.True(_server.Edi.GetMessage(received)!.Receiver(HerB).Downloaded);
    }

    [Fact]
    public async Task AppRec_rules()
    {
        var received = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB));
        var appRecReceived = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB, type: "APPREC"));
        object Body(int sender, string status, object[]? errors = null) =>
            new { appRecSenderHerId = sender, appRecStatus = status, appRecErrorList = errors, applicationName = "x", applicationVersion = "1" };

        var rejectedWithoutErrors = await _api.SendAsync(HttpMethod.Post, $"/messages/{received}/apprec", Body(HerB, "Rejected"));
        Assert.Equal((HttpStatusCode.BadRequest, 1001), (rejectedWithoutErrors.Status, rejectedWithoutErrors.ErrorCode));
        Assert.Equal("application/problem+json", rejectedWithoutErrors.MediaType);

        var notReceiver = await _api.SendAsync(HttpMethod.Post, $"/messages/{received}/apprec", Body(HerA, "Ok"));
        Assert.Equal((HttpStatusCode.BadRequest, 1102), (notReceiver.Status, notReceiver.ErrorCode));

        var ofAppRec = await _api.SendAsync(HttpMethod.Post, $"/messages/{appRecReceived}/apprec", Body(HerB, "Ok"));
        Assert.Equal((HttpStatusCode.BadRequest, 1100), (ofAppRec.Status, ofAppRec.ErrorCode));

        var unknown = await _api.SendAsync(HttpMethod.Post, $"/messages/{Guid.NewGuid()}/apprec", Body(HerB, "Ok"));
        Assert.Equal((HttpStatusCode.NotFound, 1010), (unknown.Status, unknown.ErrorCode));

        var ok = await _api.SendAsync(HttpMethod.Post, $"/messages/{received}/apprec", Body(HerB, "Ok"));
        Assert.Equal(HttpStatusCode.Accepted, ok.Status);
        Assert.Equal("Ok", _server.Edi.GetMessage(received)!.Receiver(HerB).AppRec!.Status);
    }

    [Fact]
    public async Task Send_validation_errors()
    {
        var stored = _server.Edi.Messages.Count;
        var empty = await _api.SendAsync(HttpMethod.Post, "/messages", new { });
        Assert.Equal((HttpStatusCode.BadRequest, 1001), (empty.Status, empty.ErrorCode));
        var problems = empty.Json.GetProperty("validationErrors").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("The SenderHerId field is required.", problems);
        Assert.Contains("The MessageTypeIdentificator field is required.", problems);
        foreach (var member in new[] { "type", "title", "status", "detail", "instance", "errorCode", "requestId", "validationErrors", "stackTrace", "timestamp" })
        {
            Assert.True(empty.Json.TryGetProperty(member, out _), member);
        }

        var badBase64 = await _api.SendAsync(HttpMethod.Post, "/messages", "{\"senderHerId\":8142519,\"receiverHerIds\":[8142520],\"businessDocument\":\"%%%\","
            + "\"contentType\":\"application/xml\",\"contentTransferEncoding\":\"base64\",\"messageTypeIdentificator\":\"X\",\"applicationName\":\"a\",\"applicationVersion\":\"1\"}");
        Assert.Contains("BusinessDocument is not valid base64.", badBase64.Body);

        _server.Api.MaxDocumentBytes = 100;
        var tooBig = await _api.SendAsync(HttpMethod.Post, "/messages", SendBody(HerA, [HerB]));
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.Status);
        Assert.Contains("the limit is 100 bytes", tooBig.Body);
        _server.Api.MaxDocumentBytes = 35L * 1024 * 1024;

        var notInRegistry = await _api.SendAsync(HttpMethod.Post, "/messages", SendBody(HerA, [12345]));
        Assert.Equal((HttpStatusCode.BadRequest, 1001), (notInRegistry.Status, notInRegistry.ErrorCode));
        Assert.Contains("not found in the Address Registry", notInRegistry.Json.GetProperty("detail").GetString());

        var notJson = _api.Request(HttpMethod.Post, "/messages");
        notJson.Content = new StringContent("<xml/>", Encoding.UTF8, "application/xml");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _api.SendAsync(notJson)).Status);

        Assert.Equal(stored, _server.Edi.Messages.Count);
    }

    [Fact]
    public async Task Notifications_page_by_global_offsets()
    {
        _server.Edi.AddNotifications(HerB, 250);
        _server.Edi.AddNotifications(HerForeign, 3); // other HER-ids take offsets too
        _server.Edi.AddNotifications(HerB, 250);

        var firstPage = (await _api.GetAsync($"/notifications?herids={HerB}&offset={_start}")).Json.GetProperty("notifications").EnumerateArray().ToArray();
        Assert.Equal(100, firstPage.Length); // default NotificationsToFetch

        var offset = _start;
        var seen = 0;
        while (true)
        {
            var page = (await _api.GetAsync($"/notifications?HerIds={HerB}&Offset={offset}&NotificationsToFetch=1000")).Json
                .GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("offset").GetInt64()).ToArray();
            if (page.Length == 0)
            {
                break;
            }

            Assert.True(page.Zip(page.Skip(1)).All(p => p.First < p.Second));
            Assert.True(page[0] > offset);
            seen += page.Length;
            offset = page[^1];
        }

        Assert.Equal(500, seen);
        Assert.Equal(_server.Edi.LastOffset, _server.Edi.Notifications.Max(n => n.Offset));
        Assert.True(_server.Edi.LastOffset - _start > 503, "offsets leave gaps");

        var tooMany = await _api.GetAsync($"/notifications?HerIds={HerB}&Offset={_start}&NotificationsToFetch=1001");
        Assert.Equal((HttpStatusCode.BadRequest, 1001), (tooMany.Status, tooMany.ErrorCode));
        var noOffset = await _api.GetAsync($"/notifications?HerIds={HerB}");
        Assert.Equal(HttpStatusCode.BadRequest, noOffset.Status);
    }

    [Fact]
    public async Task Configurations_put_and_delete()
    {
        var put = await _api.SendAsync(HttpMethod.Put, "/mshconfigurations", new
        {
            configurations = new object[]
            {
                new { herId = HerSub, receiveNotificationChannel = "Api", clientLocked = true, rejectMessageFilters = new { MessageFunction = new[] { "SVAR_RTG" } } },
            },
        });
        Assert.Equal(HttpStatusCode.NoContent, put.Status);
        var configuration = _server.Edi.GetConfiguration(HerSub)!;
        Assert.Equal((HelseIdCaller.ClientId, true, "Api"), (configuration.ClientId, configuration.ClientLocked, configuration.ReceiveNotificationChannel));
        Assert.Equal(["SVAR_RTG"], configuration.RejectedMessageFunctions);

        var badChannel = await _api.SendAsync(HttpMethod.Put, "/mshconfigurations", new { configurations = new[] { new { herId = HerSub, receiveNotificationChannel = "Smtp" } } });
        Assert.Equal((HttpStatusCode.BadRequest, 1001), (badChannel.Status, badChannel.ErrorCode));

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/mshconfigurations?HerIds={HerSub}&HerIds={HerB}")).Status);
        Assert.Null(_server.Edi.GetConfiguration(HerSub));
        Assert.Null(_server.Edi.GetConfiguration(HerB));
        var again = await _api.SendAsync(HttpMethod.Delete, $"/mshconfigurations?HerIds={HerSub}");
        Assert.Equal((HttpStatusCode.NotFound, 1010), (again.Status, again.ErrorCode));
    }

    [Fact]
    public async Task Message_metadata_404_and_400_for_a_bad_id()
    {
        var missing = await _api.GetAsync($"/messages/{Guid.NewGuid()}");
        Assert.Equal((HttpStatusCode.NotFound, 1010), (missing.Status, missing.ErrorCode));

        var bad = await _api.GetAsync("/messages/not-a-guid/status");
        Assert.Equal((HttpStatusCode.BadRequest, 1001), (bad.Status, bad.ErrorCode));
    }

    [Fact]
    public async Task GenDate_is_Norwegian_local_time_without_offset()
    {
        (string GenDate, string Expected)[] cases =
        [
            ("2025-08-21T11:39:57", "2025-08-21T11:39:57"),          // no offset: already local
            ("2025-08-21T09:39:57Z", "2025-08-21T11:39:57"),         // summer time, UTC+2
            ("2025-12-24T15:00:00.25+01:00", "2025-12-24T15:00:00.25"), // winter time, UTC+1, fraction kept
            ("2025-03-30T01:30:00Z", "2025-03-30T03:30:00"),         // just after the switch to summer time
        ];

        foreach (var (genDate, expected) in cases)
        {
            var id = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB, genDate: genDate));
            var metadata = (await _api.GetAsync($"/messages/{id}")).Json;
            Assert.Equal(expected, metadata.GetProperty("businessDocumentGenDate").GetString());
            Assert.Equal(expected, _server.Edi.GetMessage(id)!.BusinessDocumentGenDate);
        }

        // Not a MsgHead: the time of arrival, in Norwegian time, still without offset.
        var plain = _server.Edi.AddInboundMessage(HerForeign, [HerB], "<x/>"u8.ToArray());
        var text = (await _api.GetAsync($"/messages/{plain}")).Json.GetProperty("businessDocumentGenDate").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?$", text);
        var utc = DateTimeOffset.UtcNow;
        var local = DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((local - utc.UtcDateTime).TotalHours, 0.9, 2.1);
    }
}
