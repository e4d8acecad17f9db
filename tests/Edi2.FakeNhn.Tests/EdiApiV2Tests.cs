using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;
using static Edi2.FakeNhn.Tests.EdiApiCaller;

namespace Edi2.FakeNhn.Tests;

/// <summary>api-version 2 after NHN's OpenAPI: unread list, 201 + JSON-string id + Location, read marks, shared store with v3.</summary>
public sealed class EdiApiV2Tests : IClassFixture<EdiApiFixture>
{
    private readonly FakeNhnServer _server;
    private readonly EdiApiCaller _api;

    public EdiApiV2Tests(EdiApiFixture fixture)
    {
        fixture.Reset();
        _server = fixture.Server;
        _api = fixture.Api;
    }

    [Fact]
    public async Task Send_list_read_apprec_status_and_mark_read()
    {
        var msgId = Guid.NewGuid().ToString();
        var document = MsgHeadXml(HerA, HerB, genDate: "2025-01-15T10:00:00Z", msgId: msgId); // 11:00 in Oslo (winter)
        var sent = await _api.SendAsync(HttpMethod.Post, "/Messages", new
        {
            businessDocument = Convert.ToBase64String(document), contentType = "application/xml", contentTransferEncoding = "base64",
        }, version: "2");
        Assert.True(sent.Status == HttpStatusCode.Created, sent.ToString());
        Assert.Equal("application/json", sent.MediaType);
        Assert.StartsWith("\"", sent.Body);
        var sentId = Guid.Parse(JsonSerializer.Deserialize<string>(sent.Body)!);
        Assert.Equal($"{_server.Issuer}/Messages/{sentId}", sent.Raw.Headers.Location!.ToString());

        var list = (await _api.GetAsync($"/messages?receiverHerIds={HerB}&businessDocumentId={msgId}", version: "2")).Json;
        var entry = Assert.Single(list.EnumerateArray());
        Assert.Equal(["id", "receiverHerId"], entry.EnumerateObject().Select(p => p.Name));
        var received = entry.GetProperty("id").GetGuid();
        Assert.Equal(HerB, entry.GetProperty("receiverHerId").GetInt32());

        var withMetadata = Assert.Single((await _api.GetAsync($"/Messages?ReceiverHerIds={HerB}&BusinessDocumentId={msgId}&IncludeMetadata=true", version: "2")).Json.EnumerateArray());
        Assert.Equal(received, withMetadata.GetProperty("id").GetGuid());
        Assert.Equal("application/xml", withMetadata.GetProperty("contentType").GetString());
        Assert.Equal(HerA, withMetadata.GetProperty("senderHerId").GetInt32());
        Assert.Equal(msgId, withMetadata.GetProperty("businessDocumentId").GetString());
        Assert.Equal("2025-01-15T11:00:00", withMetadata.GetProperty("businessDocumentGenDate").GetString());
        Assert.False(withMetadata.GetProperty("isAppRec").GetBoolean());

        var single = (await _api.GetAsync($"/Messages/{received}", version: "2")).Json;
        Assert.Equal(HerB, single.GetProperty("receiverHerId").GetInt32());
        var download = (await _api.GetAsync($"/Messages/{received}/business-document", version: "2")).Json;
        Assert.Equal(document, Convert.FromBase64String(download.GetProperty("businessDocument").GetString()!));

        var before = Assert.Single((await _api.GetAsync($"/Messages/{sentId}/apprec", version: "2")).Json.EnumerateArray());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("appRecStatus").ValueKind);
        Assert.Equal(JsonValueKind.Null, before.GetProperty("appRecErrorList").ValueKind);

        var appRec = await _api.SendAsync(HttpMethod.Post, $"/Messages/{received}/apprec/{HerB}", new { appRecStatus = "1" }, version: "2");
        Assert.True(appRec.Status == HttpStatusCode.Created, appRec.ToString());
        var appRecId = JsonSerializer.Deserialize<Guid>(appRec.Body);
        Assert.EndsWith($"/Messages/{appRecId}", appRec.Raw.Headers.Location!.ToString());

        var status = Assert.Single((await _api.GetAsync($"/Messages/{sentId}/status", version: "2")).Json.EnumerateArray());
        Assert.Equal((HerB, "Acknowledged", "Ok"),
            (status.GetProperty("receiverHerId").GetInt32(), status.GetProperty("transportDeliveryState").GetString(), status.GetProperty("appRecStatus").GetString()));
        var info = Assert.Single((await _api.GetAsync($"/Messages/{sentId}/apprec", version: "2")).Json.EnumerateArray());
        Assert.Equal("Ok", info.GetProperty("appRecStatus").GetString());
        Assert.Equal(0, info.GetProperty("appRecErrorList").GetArrayLength());

        // The AppRec arrives in the sender's unread list.
        var senderList = (await _api.GetAsync($"/Messages?ReceiverHerIds={HerA}&BusinessDocumentId={appRecId}&IncludeMetadata=true", version: "2")).Json;
        Assert.True(Assert.Single(senderList.EnumerateArray()).GetProperty("isAppRec").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Put, $"/Messages/{received}/read/{HerB}", version: "2")).Status);
        Assert.Empty((await _api.GetAsync($"/Messages?ReceiverHerIds={HerB}&BusinessDocumentId={msgId}", version: "2")).Json.EnumerateArray());
        Assert.True(_server.Edi.GetMessage(received)!.Receiver(HerB).Read);
    }

    [Fact]
    public async Task One_store_for_both_versions()
    {
        var start = _server.Edi.LastOffset;
        var msgId = Guid.NewGuid().ToString();
        var v3Send = await _api.SendAsync(HttpMethod.Post, "/messages", SendBody(HerA, [HerB], MsgHeadXml(HerA, HerB, msgId: msgId)));
        Assert.Equal(HttpStatusCode.Accepted, v3Send.Status);

        // Sent with v3, listed unread in v2; downloaded in v3, gone from v2's list.
        var listed = Assert.Single((await _api.GetAsync($"/Messages?ReceiverHerIds={HerB}&BusinessDocumentId={msgId}", version: "2")).Json.EnumerateArray());
        var received = listed.GetProperty("id").GetGuid();
        Assert.Equal(v3Send.Json.GetProperty("id").GetGuid(), received);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Put, $"/messages/{received}/downloaded", new { receiverHerId = HerB })).Status);
        Assert.Empty((await _api.GetAsync($"/Messages?ReceiverHerIds={HerB}&BusinessDocumentId={msgId}", version: "2")).Json.EnumerateArray());

        // Sent with v2, notified in v3.
        var v2Send = await _api.SendAsync(HttpMethod.Post, "/Messages", new
        {
            businessDocument = Convert.ToBase64String(MsgHeadXml(HerB, HerA)), contentType = "application/xml", contentTransferEncoding = "base64",
        }, version: "2");
        var v2Id = JsonSerializer.Deserialize<Guid>(v2Send.Body);
        var notification = Assert.Single((await _api.GetAsync($"/notifications?HerIds={HerA}&Offset={start}")).Json.GetProperty("notifications").EnumerateArray());
        Assert.Equal(v2Id, notification.GetProperty("relatedMessageId").GetGuid());
    }

    [Fact]
    public async Task Order_page_size_and_validation()
    {
        var first = _server.Edi.AddInboundMessage(HerForeign, [HerSub], MsgHeadXml(HerForeign, HerSub, genDate: "2025-03-01T08:00:00"));
        var second = _server.Edi.AddInboundMessage(HerForeign, [HerSub], MsgHeadXml(HerForeign, HerSub, genDate: "2025-02-01T08:00:00"));
        Guid[] Ids(ApiAnswer answer) => answer.Json.EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).ToArray();

        Assert.Equal([second, first], Ids(await _api.GetAsync($"/Messages?ReceiverHerIds={HerSub}&SenderHerId={HerForeign}", version: "2")));
        Assert.Equal([first, second], Ids(await _api.GetAsync($"/Messages?ReceiverHerIds={HerSub}&SenderHerId={HerForeign}&OrderBy=Descending", version: "2")));
        Assert.Equal([first], Ids(await _api.GetAsync($"/Messages?ReceiverHerIds={HerSub}&SenderHerId={HerForeign}&OrderBy=2&MessagesToFetch=1", version: "2")));

        var tooMany = await _api.GetAsync($"/Messages?ReceiverHerIds={HerSub}&MessagesToFetch=101", version: "2");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Equal(("Model validation error occurred", 1000), (tooMany.Json.GetProperty("error").GetString(), tooMany.ErrorCode));
        Assert.Single(tooMany.Json.GetProperty("validationErrors").EnumerateArray());

        var noReceivers = await _api.GetAsync("/Messages", version: "2");
        Assert.Equal(1000, noReceivers.ErrorCode);

        var notMsgHead = await _api.SendAsync(HttpMethod.Post, "/Messages", new
        {
            businessDocument = Convert.ToBase64String("<x/>"u8.ToArray()), contentType = "application/xml", contentTransferEncoding = "base64",
        }, version: "2");
        Assert.Equal((HttpStatusCode.BadRequest, 0), (notMsgHead.Status, notMsgHead.ErrorCode));

        var notFound = await _api.GetAsync($"/Messages/{Guid.NewGuid()}/status", version: "2");
        Assert.Equal(HttpStatusCode.NotFound, notFound.Status);
        Assert.Equal("Could not find database document", notFound.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AppRec_rules_in_v2()
    {
        var received = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB));

        var rejected = await _api.SendAsync(HttpMethod.Post, $"/Messages/{received}/apprec/{HerB}", new { appRecStatus = "Rejected" }, version: "2");
        Assert.Equal((HttpStatusCode.BadRequest, 1000), (rejected.Status, rejected.ErrorCode));

        var bogus = await _api.SendAsync(HttpMethod.Post, $"/Messages/{received}/apprec/{HerB}", new { appRecStatus = "7" }, version: "2");
        Assert.Equal(1000, bogus.ErrorCode);

        var notReceiver = await _api.SendAsync(HttpMethod.Post, $"/Messages/{received}/apprec/{HerA}", new { appRecStatus = "Ok" }, version: "2");
        Assert.Equal(HttpStatusCode.BadRequest, notReceiver.Status);

        var ok = await _api.SendAsync(HttpMethod.Post, $"/Messages/{received}/apprec/{HerB}",
            new { appRecStatus = 2, appRecErrorList = new[] { new { errorCode = "E35", details = "Feil" } } }, version: "2");
        Assert.Equal(HttpStatusCode.Created, ok.Status);
        var appRec = _server.Edi.GetMessage(received)!.Receiver(HerB).AppRec!;
        Assert.Equal(("Rejected", "E35"), (appRec.Status, appRec.Errors.Single().ErrorCode));
    }
}
