using System.Security.Cryptography;
using Edi2.Api;
using Edi2.Model;

namespace Edi2.Client.Tests.Api;

/// <summary>Every v3 operation through the engine against the fake EDI 2.0 over loopback.</summary>
public class ApiV3Tests
{
    [Fact]
    public async Task Ping()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        var ping = await ctx.Api.PingAsync();
        Assert.Equal("Pong", ping.Response);
        Assert.NotNull(ping.ServerTime);

        // Every call carries the DPoP token, a proof for this URL, api-version and nhn-source-system.
        var request = ctx.ApiRequests("/ping").Single();
        Assert.StartsWith("DPoP ", request.Headers["Authorization"]);
        Assert.Equal("3", request.Headers["api-version"]);
        Assert.Equal("Edi2 tests, v1", request.Headers["nhn-source-system"]);
        var proof = TestJwks.Decode(request.Headers["DPoP"]).Payload;
        Assert.Equal(ctx.Nhn.BaseUri + "ping", proof.GetProperty("htu").GetString());
        Assert.Equal("GET", proof.GetProperty("htm").GetString());
        Assert.True(proof.TryGetProperty("ath", out _));
    }

    [Fact]
    public async Task Send_then_receive_through_notifications_download_and_mark_downloaded()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        byte[] document = MsgHead.Bytes(ApiTestContext.Ours, ApiTestContext.OursToo, "msg-42", body: "Hei på deg, Æøå");

        Guid id = await ctx.Api.SendMessageAsync(Edi2Document.FromBytes(document), ApiTestContext.Ours, [ApiTestContext.OursToo],
            "DIALOG_HELSEFAGLIG", "Edi2 tests", "1.0");

        var notifications = await ctx.Api.GetNotificationsAsync([ApiTestContext.OursToo], 0);
        var notification = Assert.Single(notifications, n => n.RelatedMessageId == id);
        Assert.Equal("NewMessage", notification.Type);
        Assert.Equal(ApiTestContext.OursToo, notification.ReceiverHerId);
        Assert.Equal(ApiTestContext.Ours, notification.TriggeredByHerId);
        Assert.NotEqual(Guid.Empty, notification.Id);
        Assert.True(notification.Offset > 0);

        var message = await ctx.Api.GetMessageAsync(id);
        Assert.Equal(id, message.Id);
        Assert.Equal(ApiTestContext.Ours, message.SenderHerId);
        Assert.Equal([ApiTestContext.OursToo], message.ReceiverHerIds);
        Assert.Equal("DIALOG_HELSEFAGLIG", message.MessageType);
        Assert.Equal("msg-42", message.BusinessDocumentId);
        Assert.Equal(DateTimeOffset.Parse("2025-08-21T11:39:57+02:00"), message.BusinessDocumentGenDate);

        using var downloaded = new MemoryStream();
        var info = await ctx.Api.DownloadBusinessDocumentAsync(id, downloaded);
        Assert.Equal(document, downloaded.ToArray());
        Assert.Equal(document.Length, info.Length);
        Assert.Equal("application/xml", info.ContentType);

        await ctx.Api.MarkDownloadedAsync(id, ApiTestContext.OursToo);
        Assert.True(ctx.Nhn.Edi.GetMessage(id)!.Receiver(ApiTestContext.OursToo).Downloaded);

        var status = Assert.Single(await ctx.Api.GetMessageStatusAsync(id));
        Assert.Equal(ApiTestContext.OursToo, status.ReceiverHerId);
        Assert.Equal("Acknowledged", status.TransportDeliveryState);
        Assert.True(status.Sent);
        Assert.Null(status.AppRecStatus);
    }

    [Fact]
    public async Task An_apprec_updates_the_senders_status_and_notifies_it()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        Guid id = await ctx.Api.SendMessageAsync(Edi2Document.FromBytes(MsgHead.Bytes(ApiTestContext.Ours, ApiTestContext.OursToo)),
            ApiTestContext.Ours, [ApiTestContext.OursToo], "DIALOG_HELSEFAGLIG", "Edi2 tests", "1.0");

        Guid appRecId = await ctx.Api.SendAppRecAsync(id, ApiTestContext.OursToo, AppRecStatus.Rejected,
            [new Edi2AppRecError { ErrorCode = "E10", Details = "Ugyldig meldingsidentifikator" }], "Edi2 tests", "1.0");

        var status = Assert.Single(await ctx.Api.GetMessageStatusAsync(id));
        Assert.Equal("Rejected", status.AppRecStatus);
        Assert.Equal(appRecId, status.AppRecId);
        var error = Assert.Single(status.AppRecErrors);
        Assert.Equal("E10", error.ErrorCode);
        Assert.Equal("Ugyldig meldingsidentifikator", error.Details);

        var toSender = await ctx.Api.GetNotificationsAsync([ApiTestContext.Ours], 0);
        Assert.Contains(toSender, n => n.Type == "MessageApprecInfoUpdated" && n.RelatedMessageId == id);
        Assert.Contains(toSender, n => n.Type == "NewMessage" && n.RelatedMessageId == appRecId);
    }

    [Fact]
    public async Task A_rejection_without_errors_is_refused_before_any_request()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        int before = ctx.Nhn.Requests.Snapshot().Count;
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            ctx.Api.SendAppRecAsync(Guid.NewGuid(), ApiTestContext.Ours, AppRecStatus.Rejected, [], "a", "1"));
        Assert.Contains("at least one error", e.Message);
        Assert.Equal(before, ctx.Nhn.Requests.Snapshot().Count);
    }

    [Fact]
    public async Task Paging_streams_every_notification_once_and_in_order()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Edi.AddNotifications(ApiTestContext.Ours, 250);
        ctx.Nhn.Edi.AddNotifications(ApiTestContext.OursToo, 30); // interleaved offsets of another HER-id
        ctx.Nhn.Requests.Clear();

        var all = new List<Edi2Notification>();
        await foreach (var n in ctx.Api.GetAllNotificationsAsync([ApiTestContext.Ours], 0, pageSize: 100)) all.Add(n);

        Assert.Equal(250, all.Count);
        Assert.Equal(250, all.Select(n => n.Id).Distinct().Count());
        Assert.Equal(all.Select(n => n.Offset).OrderBy(o => o), all.Select(n => n.Offset));
        Assert.All(all, n => Assert.Equal(ApiTestContext.Ours, n.ReceiverHerId));
        Assert.Equal(4, ctx.ApiRequests("/notifications").Count); // 100 + 100 + 50 + the empty page that ends it
    }

    [Fact]
    public async Task A_35_MB_document_round_trips_byte_for_byte()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        string filler = Convert.ToBase64String(RandomNumberGenerator.GetBytes(26_000_000)); // ~34.7 MB of XML text in all
        byte[] document = MsgHead.Bytes(ApiTestContext.Ours, ApiTestContext.OursToo, body: filler);
        Assert.InRange(document.Length, 34_000_000, Edi2Document.MaxBytes);
        string path = Path.Combine(Path.GetTempPath(), "edi2-big-" + Guid.NewGuid() + ".xml");
        await File.WriteAllBytesAsync(path, document);
        try
        {
            Guid id = await ctx.Api.SendMessageAsync(Edi2Document.FromFile(path), ApiTestContext.Ours, [ApiTestContext.OursToo],
                "DIALOG_HELSEFAGLIG", "Edi2 tests", "1.0");
            Assert.Equal(SHA256.HashData(document), SHA256.HashData(ctx.Nhn.Edi.GetMessage(id)!.Document.ToArray()));

            using var downloaded = new MemoryStream();
            await ctx.Api.DownloadBusinessDocumentAsync(id, downloaded);
            Assert.Equal(SHA256.HashData(document), SHA256.HashData(downloaded.ToArray()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Reservations_lock_a_her_id_against_other_clients_until_released()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        await ctx.Api.PutConfigurationsAsync([ApiTestContext.Config(ApiTestContext.Ours, locked: true)]);
        Assert.Equal("c1", ctx.Nhn.Edi.GetConfiguration(ApiTestContext.Ours)!.ClientId);
        Assert.True(ctx.Nhn.Edi.GetConfiguration(ApiTestContext.Ours)!.ClientLocked);

        var other = await ctx.ConnectAsync("c2", "999999999");
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => other.Api.PutConfigurationsAsync([ApiTestContext.Config(ApiTestContext.Ours, locked: true)]));
        Assert.Equal(ApiErrorReason.Locked, e.ApiReason);
        Assert.Equal(423, e.StatusCode);
        Assert.Equal(1210, e.ErrorCode);
        Assert.Equal(ApiTestContext.Ours, e.Target);
        Assert.Contains($"HER-id {ApiTestContext.Ours} is reserved by another HelseID client", e.Message);

        e = await Assert.ThrowsAsync<Edi2ApiException>(() => other.Api.SendMessageAsync(
            Edi2Document.FromBytes(MsgHead.Bytes(ApiTestContext.Ours, ApiTestContext.OursToo)), ApiTestContext.Ours, [ApiTestContext.OursToo], "DIALOG_HELSEFAGLIG", "x", "1"));
        Assert.Equal(ApiErrorReason.Locked, e.ApiReason);

        await ctx.Api.DeleteConfigurationsAsync([ApiTestContext.Ours]);
        Assert.Null(ctx.Nhn.Edi.GetConfiguration(ApiTestContext.Ours));
        await other.Api.PutConfigurationsAsync([ApiTestContext.Config(ApiTestContext.Ours, locked: true)]);
        Assert.Equal("c2", ctx.Nhn.Edi.GetConfiguration(ApiTestContext.Ours)!.ClientId);
    }

    [Fact]
    public async Task A_her_id_outside_the_organisation_is_forbidden_with_a_clear_error()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.PutConfigurationsAsync([ApiTestContext.Config(ApiTestContext.Foreign)]));
        Assert.Equal(ApiErrorReason.Forbidden, e.ApiReason);
        Assert.Equal(1202, e.ErrorCode);
        Assert.Equal(ApiTestContext.Foreign, e.Target);
        Assert.Contains($"Not authorized for HER-id {ApiTestContext.Foreign}", e.Message);
    }

    [Fact]
    public async Task Unknown_message_is_not_found()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.GetMessageAsync(id));
        Assert.Equal(ApiErrorReason.NotFound, e.ApiReason);
        Assert.Equal(id, e.Target);
        Assert.Contains($"Message {id} was not found", e.Message);
    }

    [Fact]
    public async Task Server_error_in_problem_details_keeps_the_request_id()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Faults.FailNext("PUT", "/messages/*/downloaded", 1, Edi2.FakeNhn.Edi.ApiFault.Status(500,
            """{"title":"Internal Server Error","status":500,"errorCode":0,"requestId":"abc-123"}""", "application/problem+json"));
        // PUT is idempotent, so a 500 (not transient) is reported, not retried.
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.MarkDownloadedAsync(Guid.NewGuid(), ApiTestContext.Ours));
        Assert.Equal(ApiErrorReason.ServerError, e.ApiReason);
        Assert.Equal("abc-123", e.RequestId);
    }

    [Fact]
    public async Task V3_only_operations_say_so_on_a_v2_session()
    {
        await using var ctx = await ApiTestContext.StartAsync(apiVersion: 2);
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.GetNotificationsAsync([ApiTestContext.Ours], 0));
        Assert.Equal(ApiErrorReason.NotSupportedInVersion, e.ApiReason);
        Assert.Contains("version 2", e.Message);
        await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.PutConfigurationsAsync([ApiTestContext.Config(1)]));
    }
}
