using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Edi2.FakeNhn.Edi;
using Xunit;
using static Edi2.FakeNhn.Tests.EdiApiCaller;

namespace Edi2.FakeNhn.Tests;

/// <summary>Injected API faults: canned statuses with Retry-After, delays, connections dropped half-way.</summary>
public sealed class ApiFaultTests : IClassFixture<EdiApiFixture>
{
    private readonly FakeNhnServer _server;
    private readonly EdiApiCaller _api;

    public ApiFaultTests(EdiApiFixture fixture)
    {
        fixture.Reset();
        _server = fixture.Server;
        _api = fixture.Api;
    }

    [Fact]
    public async Task A_503_with_Retry_After_comes_before_authentication_and_spends_no_proof()
    {
        var id = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB));
        _server.Faults.FailNext("GET", "/MESSAGES/*/business-document", 1, ApiFault.Status(503, "<html>busy</html>", "text/html", TimeSpan.FromSeconds(2)));
        var path = $"/messages/{id}/business-document";
        var first = _api.Request(HttpMethod.Get, path);
        var proof = first.Headers.GetValues("DPoP").Single();

        var fault = await _api.SendAsync(first);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, fault.Status);
        Assert.Equal("text/html", fault.MediaType);
        Assert.Equal("<html>busy</html>", fault.Body);
        Assert.Equal(TimeSpan.FromSeconds(2), fault.Raw.Headers.RetryAfter!.Delta);
        Assert.Equal(0, _server.Faults.Pending);

        // The retry may even reuse the proof: the fault never reached the jti check.
        var retry = _api.Request(HttpMethod.Get, path);
        retry.Headers.Remove("DPoP");
        retry.Headers.TryAddWithoutValidation("DPoP", proof);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(retry)).Status);

        var log = _server.Requests.Snapshot();
        Assert.Equal([true, false], log.Select(e => e.InjectedFault));
        Assert.Equal([503, 200], log.Select(e => e.StatusCode));
    }

    [Fact]
    public async Task Faults_match_method_and_path_and_count_down()
    {
        _server.Faults.FailNext("POST", "/ping", 5, ApiFault.Status(500));
        _server.Faults.FailNext("*", "/ping", 2, ApiFault.Status(429, retryAfter: TimeSpan.FromSeconds(1)));
        Assert.Equal(7, _server.Faults.Pending);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await _api.GetAsync("/ping")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _api.GetAsync("/ping")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/ping")).Status);
        Assert.Equal(5, _server.Faults.Pending);

        _server.Faults.Clear();
        Assert.Equal(0, _server.Faults.Pending);
    }

    [Fact]
    public async Task A_delay_holds_the_request_then_answers_normally()
    {
        _server.Faults.FailNext("GET", "/ping", 1, ApiFault.Delay(TimeSpan.FromMilliseconds(300)));
        var stopwatch = Stopwatch.StartNew();

        var answer = await _api.GetAsync("/ping");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(280), stopwatch.Elapsed.ToString());
        Assert.True(_server.Requests.Snapshot().Single().InjectedFault);
    }

    [Fact]
    public async Task A_large_download_breaks_half_way_then_succeeds()
    {
        var document = new byte[2_000_000];
        Random.Shared.NextBytes(document);
        var id = _server.Edi.AddInboundMessage(HerForeign, [HerB], document);
        _server.Faults.FailNext("GET", "/messages/*/business-document", 1, ApiFault.DropConnectionAfterBytes(1_000_000));

        // The answer starts well (200, the full Content-Length), then the body breaks off at the cut.
        using (var broken = _api.Request(HttpMethod.Get, $"/messages/{id}/business-document"))
        using (var response = await _api.Http.SendAsync(broken, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Content.Headers.ContentLength > 2_600_000);
            var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            long received = 0;
            await Assert.ThrowsAnyAsync<IOException>(async () =>
            {
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    received += read;
                }
            });
            Assert.InRange(received, 900_000, 1_000_000);
        }

        var entry = _server.Requests.Snapshot().Single();
        Assert.True(entry.InjectedFault);
        Assert.Equal(200, entry.StatusCode);

        var whole = await _api.GetAsync($"/messages/{id}/business-document");
        Assert.Equal(document, Convert.FromBase64String(whole.Json.GetProperty("businessDocument").GetString()!));
    }
}
