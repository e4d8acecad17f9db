using Edi2.Api;
using Edi2.Diagnostics;
using FakeApiFault = Edi2.FakeNhn.Edi.ApiFault;

namespace Edi2.Client.Tests.Api;

/// <summary>Retries, token renewal and nonces in the request pipeline, against faults the fake injects.</summary>
public class PipelineTests
{
    [Fact]
    public async Task A_401_drops_the_token_and_tries_once_more_with_a_new_one()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Faults.FailNext("GET", "/ping", 1, FakeApiFault.Status(401, "", "application/problem+json"));
        ctx.Nhn.Requests.Clear();

        Assert.Equal("Pong", (await ctx.Api.PingAsync()).Response);

        var pings = ctx.ApiRequests("/ping");
        Assert.Equal([401, 200], pings.Select(p => p.StatusCode));
        Assert.NotEqual(pings[0].Headers["Authorization"], pings[1].Headers["Authorization"]);
        Assert.Single(ctx.ApiRequests("/connect/token"), r => r.StatusCode == 200);
    }

    [Fact]
    public async Task A_second_401_is_reported_not_looped()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Faults.FailNext("GET", "/ping", 5, FakeApiFault.Status(401, "", "text/plain"));
        ctx.Nhn.Requests.Clear();

        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.PingAsync());

        Assert.Equal(ApiErrorReason.Unauthorized, e.ApiReason);
        Assert.Equal(2, ctx.ApiRequests("/ping").Count);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_time_the_server_asks_for()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Faults.FailNext("GET", "/ping", 1, FakeApiFault.Status(429, "", retryAfter: TimeSpan.FromSeconds(1)));
        ctx.Nhn.Requests.Clear();

        await ctx.Api.PingAsync();

        var pings = ctx.ApiRequests("/ping");
        Assert.Equal([429, 200], pings.Select(p => p.StatusCode));
        Assert.True(pings[1].Timestamp - pings[0].Timestamp >= TimeSpan.FromMilliseconds(900), "waited for Retry-After");
        Assert.NotEqual(pings[0].Headers["DPoP"], pings[1].Headers["DPoP"]); // a new proof per attempt
    }

    [Fact]
    public async Task A_503_then_success_for_a_get()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Faults.FailNext("GET", "/notifications", 2, FakeApiFault.Status(503, "<html>busy</html>", "text/html"));
        ctx.Nhn.Requests.Clear();

        await ctx.Api.GetNotificationsAsync([ApiTestContext.Ours], 0);

        Assert.Equal([503, 503, 200], ctx.ApiRequests("/notifications").Select(p => p.StatusCode));
    }

    [Fact]
    public async Task Retries_give_up_after_the_policys_attempts_with_the_last_error()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Faults.FailNext("GET", "/ping", 10, FakeApiFault.Status(503, "<html>busy</html>", "text/html"));

        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.PingAsync());

        Assert.Equal(ApiErrorReason.UnexpectedResponse, e.ApiReason);
        Assert.Equal(503, e.StatusCode);
        Assert.Contains("text/html", e.Message);
        Assert.Equal(4, ctx.ApiRequests("/ping").Count);
    }

    [Fact]
    public async Task A_post_is_never_retried_on_a_transient_error()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Faults.FailNext("POST", "/messages", 1, FakeApiFault.Status(503, "", "text/plain"));
        ctx.Nhn.Requests.Clear();

        await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.SendMessageAsync(
            Edi2Document.FromBytes(MsgHead.Bytes(ApiTestContext.Ours, ApiTestContext.OursToo)), ApiTestContext.Ours, [ApiTestContext.OursToo],
            "DIALOG_HELSEFAGLIG", "a", "1"));

        Assert.Single(ctx.ApiRequests("/messages"), r => r.Method == "POST");
        Assert.DoesNotContain(ctx.Nhn.Edi.Notifications, n => n.NotificationReceiverHerId == ApiTestContext.OursToo);
    }

    [Fact]
    public async Task A_resource_server_nonce_is_answered_once()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Api.RequireNonce = true;
        ctx.Nhn.Requests.Clear();

        await ctx.Api.PingAsync();
        await ctx.Api.PingAsync();

        var pings = ctx.ApiRequests("/ping");
        Assert.Equal([401, 200, 200], pings.Select(p => p.StatusCode)); // the nonce is remembered for the next call
        Assert.True(TestJwks.Decode(pings[2].Headers["DPoP"]).Payload.TryGetProperty("nonce", out _));
    }

    [Fact]
    public async Task A_nonce_the_api_sends_on_a_success_is_used_on_the_next_call()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        ctx.Nhn.Api.IssueNonceOnSuccess = true; // a new nonce on every 200, and only the newest is accepted
        ctx.Nhn.Requests.Clear();

        for (int i = 0; i < 4; i++) await ctx.Api.PingAsync();

        // One challenge to learn the first nonce; after that each call carries the nonce of the answer before it.
        var pings = ctx.ApiRequests("/ping");
        Assert.Equal([401, 200, 200, 200, 200], pings.Select(p => p.StatusCode));
        for (int i = 2; i < pings.Count; i++) Assert.Equal(pings[i - 1].ResponseDPoPNonce, pings[i].ProofNonce);
    }

    [Fact]
    public async Task A_download_cut_half_way_is_reported_as_incomplete()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        Guid id = ctx.Nhn.Edi.AddInboundMessage(ApiTestContext.Foreign, [ApiTestContext.Ours], MsgHead.Bytes(ApiTestContext.Foreign, ApiTestContext.Ours, body: new string('x', 200_000)));
        ctx.Nhn.Faults.FailNext("GET", "/messages/*/business-document", 1, FakeApiFault.DropConnectionAfterBytes(100_000));

        using var partial = new MemoryStream();
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => ctx.Api.DownloadBusinessDocumentAsync(id, partial));

        Assert.Equal(ApiErrorReason.Incomplete, e.ApiReason);
        Assert.Equal(id, e.Target);
        Assert.Contains("did not complete", e.Message);
        Assert.False(ctx.Nhn.Edi.GetMessage(id)!.Receiver(ApiTestContext.Ours).Downloaded);

        using var whole = new MemoryStream();
        await ctx.Api.DownloadBusinessDocumentAsync(id, whole);
        Assert.Equal(ctx.Nhn.Edi.GetMessage(id)!.Document.ToArray(), whole.ToArray());
    }

    [Fact]
    public async Task Traces_report_each_attempt_without_secrets()
    {
        await using var ctx = await ApiTestContext.StartAsync();
        var traces = new List<Edi2HttpTrace>();
        string token = await ctx.Session.GetAccessTokenAsync(); // before the scope: only the API's exchanges are counted
        ctx.Nhn.Faults.FailNext("GET", "/ping", 1, FakeApiFault.Status(503, "", "text/plain"));

        using (Edi2TraceScope.Begin(t => { lock (traces) traces.Add(t); }))
        {
            await ctx.Api.PingAsync();
        }

        Assert.Equal(2, traces.Count);
        Assert.Equal(503, traces[0].StatusCode);
        Assert.Contains("trying again", traces[0].Note);
        Assert.Equal(200, traces[1].StatusCode);
        Assert.Equal(2, traces[1].Attempt);
        string text = string.Join("\n", traces);
        Assert.DoesNotContain(token.Substring(0, 20), text);
        Assert.Contains("GET " + ctx.Nhn.BaseUri + "ping -> 200", text);
    }
}
