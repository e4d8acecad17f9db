using Edi2.Api;
using Edi2.Model;

namespace Edi2.Client.Tests.Api;

/// <summary>API version 2: the operations it has, with its status codes and bodies.</summary>
public class ApiV2Tests
{
    [Fact]
    public async Task Send_list_unread_download_apprec_and_mark_read()
    {
        await using var ctx = await ApiTestContext.StartAsync(apiVersion: 2);
        byte[] document = MsgHead.Bytes(ApiTestContext.Ours, ApiTestContext.OursToo, "v2-msg");

        // v2 reads sender and receivers from the MsgHead and answers 201 with the id as a JSON string.
        Guid id = await ctx.Api.SendMessageAsync(Edi2Document.FromBytes(document), 0, [], "", "Edi2 tests", "1.0");
        Assert.Equal(201, ctx.ApiRequests("/Messages").Last(r => r.Method == "POST").StatusCode);

        var unread = await ctx.Api.GetUnreadMessagesAsync([ApiTestContext.OursToo]);
        var listed = Assert.Single(unread, m => m.Id == id);
        Assert.Equal(ApiTestContext.Ours, listed.SenderHerId);
        Assert.Equal([ApiTestContext.OursToo], listed.ReceiverHerIds);
        Assert.Equal("v2-msg", listed.BusinessDocumentId);
        Assert.False(listed.IsAppRec);

        var message = await ctx.Api.GetMessageAsync(id);
        Assert.Equal(ApiTestContext.Ours, message.SenderHerId);

        using var downloaded = new MemoryStream();
        await ctx.Api.DownloadBusinessDocumentAsync(id, downloaded);
        Assert.Equal(document, downloaded.ToArray());

        Guid appRec = await ctx.Api.SendAppRecAsync(id, ApiTestContext.OursToo, AppRecStatus.Ok, [], "Edi2 tests", "1.0");
        Assert.NotEqual(Guid.Empty, appRec);

        await ctx.Api.MarkDownloadedAsync(id, ApiTestContext.OursToo);
        Assert.DoesNotContain(await ctx.Api.GetUnreadMessagesAsync([ApiTestContext.OursToo]), m => m.Id == id);
        Assert.Contains(ctx.ApiRequests($"/Messages/{id}/read/{ApiTestContext.OursToo}"), r => r.Method == "PUT" && r.StatusCode == 204);

        // The sender sees delivery and the receipt; v2 keeps receipt errors under /apprec.
        var status = Assert.Single(await ctx.Api.GetMessageStatusAsync(id));
        Assert.Equal("Acknowledged", status.TransportDeliveryState);
        Assert.Equal("Ok", status.AppRecStatus);
        Assert.Empty(status.AppRecErrors);
        var appRecMessage = Assert.Single(await ctx.Api.GetUnreadMessagesAsync([ApiTestContext.Ours]), m => m.Id == appRec);
        Assert.True(appRecMessage.IsAppRec);
    }

    [Fact]
    public async Task The_herid_claim_limits_a_v2_client()
    {
        await using var ctx = await ApiTestContext.StartAsync(apiVersion: 2);
        var limited = await ctx.ConnectAsync("limited", "999999999", apiVersion: 2, heridClaim: ApiTestContext.Ours.ToString());

        await limited.Api.GetUnreadMessagesAsync([ApiTestContext.Ours]);
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => limited.Api.GetUnreadMessagesAsync([ApiTestContext.OursToo]));

        Assert.Equal(ApiErrorReason.Forbidden, e.ApiReason);
        Assert.Equal(403, e.StatusCode);
        Assert.Contains($"Not authorized for HerId(s): {ApiTestContext.OursToo}", e.Message);
        Assert.NotNull(e.RequestId);
    }

    [Fact]
    public async Task V2_error_bodies_become_clear_errors()
    {
        await using var ctx = await ApiTestContext.StartAsync(apiVersion: 2);
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.GetMessageAsync(id));
        Assert.Equal(ApiErrorReason.NotFound, e.ApiReason);
        Assert.Equal(id, e.Target);
        Assert.NotNull(e.RequestId);

        // Not a MsgHead: v2 cannot tell sender and receivers.
        e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.SendMessageAsync(Edi2Document.FromString("<a/>"), 0, [], "", "a", "1"));
        Assert.Equal(ApiErrorReason.BadRequest, e.ApiReason);
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public async Task A_v2_session_uses_api_version_2_and_pascal_case_paths()
    {
        await using var ctx = await ApiTestContext.StartAsync(apiVersion: 2);
        await ctx.Api.GetUnreadMessagesAsync([ApiTestContext.Ours], count: 5);
        var request = ctx.ApiRequests("/Messages").Single();
        Assert.Equal("2", request.Headers["api-version"]);
        Assert.StartsWith("/Messages", request.Path, StringComparison.Ordinal);
        Assert.Contains("ReceiverHerIds=8142519", request.QueryString);
        Assert.Contains("MessagesToFetch=5", request.QueryString);
        var proof = TestJwks.Decode(request.Headers["DPoP"]).Payload;
        Assert.Equal(ctx.Nhn.BaseUri + "Messages", proof.GetProperty("htu").GetString()); // no query in htu
    }
}
