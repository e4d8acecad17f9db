using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;

namespace Edi2.FakeNhn.Tests;

public sealed class FaultInjectionAndRequestLogTests : FakeHelseIdTest
{
    [Fact]
    public async Task A_proxy_HTML_page_is_served_once_then_the_fake_behaves_again()
    {
        const string page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        _server.HelseId.FailNextTokenRequests(1, 502, page, "text/html");

        var fault = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null));

        Assert.Equal(HttpStatusCode.BadGateway, fault.Status);
        Assert.Equal("text/html", fault.MediaType);
        Assert.Equal(page, fault.Body);
        Assert.Null(fault.Nonce);
        Assert.Equal(0, _server.HelseId.PendingFaults);
        Assert.True(_server.Requests.Snapshot().Single().InjectedFault);

        Assert.Equal(HttpStatusCode.OK, (await _caller.GetTokenAsync()).Status);
    }

    [Fact]
    public async Task Faults_queue_up_500s_and_a_400_with_or_without_nonce()
    {
        _server.HelseId.FailNextTokenRequests(2, 500, "{\"error\":\"server_error\"}");
        _server.HelseId.FailNextTokenRequests(1, 400, "{\"error\":\"use_dpop_nonce\"}");
        _server.HelseId.FailNextTokenRequests(1, 400, "{\"error\":\"use_dpop_nonce\"}", includeNonce: true);

        Assert.Equal(HttpStatusCode.InternalServerError, (await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null))).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null))).Status);
        var noNonce = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null));
        Assert.Equal(("use_dpop_nonce", (string?)null), (noNonce.Error, noNonce.Nonce));
        var withNonce = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null));
        Assert.False(string.IsNullOrEmpty(withNonce.Nonce));

        // The injected nonce is a real one.
        Assert.Equal(HttpStatusCode.OK, (await _caller.PostAsync(_caller.Assertion(), _caller.Proof(withNonce.Nonce))).Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(150)]
    public async Task Latency_holds_every_request_that_long_and_zero_adds_nothing(int milliseconds)
    {
        _server.Api.Latency = TimeSpan.FromMilliseconds(milliseconds);
        using var client = new HttpClient();
        await client.GetAsync(_server.JwksUri); // warm the connection

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(_server.JwksUri)).StatusCode);
        }
        clock.Stop();

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(3 * milliseconds), TimeSpan.FromMilliseconds(3 * milliseconds + 2000));
        if (milliseconds == 0) Assert.True(clock.ElapsedMilliseconds < 3 * 150, $"{clock.ElapsedMilliseconds} ms without latency");
    }

    [Fact]
    public async Task A_slow_answer_lets_the_client_time_out_and_does_not_hold_up_shutdown()
    {
        _server.HelseId.FailNextTokenRequests(2, 500, "{}", delay: TimeSpan.FromSeconds(30));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        using var content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]);

        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.PostAsync(_server.TokenEndpoint, content));

        // The second delayed request is still waiting when the server is disposed.
        using var patient = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var pending = patient.PostAsync(_server.TokenEndpoint, new FormUrlEncodedContent([new("grant_type", "client_credentials")]));
        await WaitUntil(() => _server.HelseId.PendingFaults == 0);
        var stopwatch = Stopwatch.StartNew();
        await _server.DisposeAsync();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Dispose took {stopwatch.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(async () => (await pending).EnsureSuccessStatusCode());
    }

    [Fact]
    public async Task Request_log_shows_a_new_assertion_and_proof_per_attempt()
    {
        using (var http = new HttpClient())
        {
            await http.GetStringAsync(_server.DiscoveryUri + "?probe=1");
        }

        var assertion1 = _caller.Assertion();
        var proof1 = _caller.Proof(null);
        var first = await _caller.PostAsync(assertion1, proof1);
        var second = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(first.Nonce));
        Assert.Equal(HttpStatusCode.OK, second.Status);

        var log = _server.Requests.Snapshot();
        Assert.Equal(3, log.Count);
        Assert.Equal(("GET", "/.well-known/openid-configuration", "?probe=1", 200), (log[0].Method, log[0].Path, log[0].QueryString, log[0].StatusCode));

        var (attempt1, attempt2) = (log[1], log[2]);
        Assert.All(new[] { attempt1, attempt2 }, a =>
        {
            Assert.Equal("POST", a.Method);
            Assert.Equal("/connect/token", a.Path);
            Assert.Equal(HelseIdCaller.ClientId, a.ClientId);
            Assert.Equal("client_credentials", a.Form["grant_type"]);
            Assert.Equal("nhn:msh/api", a.Form["scope"]);
            Assert.Equal("POST", a.ProofHtm);
            Assert.Equal(_server.TokenEndpoint, a.ProofHtu);
            Assert.False(a.InjectedFault);
        });
        Assert.Equal(400, attempt1.StatusCode);
        Assert.Equal("use_dpop_nonce", attempt1.Error);
        Assert.Equal("Missing 'nonce' value.", attempt1.ErrorDescription);
        Assert.Null(attempt1.ProofNonce);
        Assert.Equal(first.Nonce, attempt1.ResponseDPoPNonce);
        Assert.Equal(proof1, attempt1.Headers["DPoP"]);
        Assert.Equal(assertion1, attempt1.Form["client_assertion"]);

        Assert.Equal(200, attempt2.StatusCode);
        Assert.Null(attempt2.Error);
        Assert.Equal(first.Nonce, attempt2.ProofNonce);
        Assert.NotNull(attempt1.AssertionJti);
        Assert.NotNull(attempt1.ProofJti);
        Assert.NotEqual(attempt1.AssertionJti, attempt2.AssertionJti);
        Assert.NotEqual(attempt1.ProofJti, attempt2.ProofJti);

        _server.Requests.Clear();
        Assert.Empty(_server.Requests.Snapshot());
    }

    [Fact]
    public async Task Request_log_records_404s_and_the_errors_returned()
    {
        using var http = new HttpClient();
        using var missing = await http.GetAsync(_server.BaseUri + "no-such-path");
        await _caller.PostAsync(_caller.Assertion(c => c["sub"] = "x"), _caller.Proof(null));

        var log = _server.Requests.Snapshot();
        Assert.Equal(404, log[0].StatusCode);
        Assert.Equal("/no-such-path", log[0].Path);
        Assert.Equal("invalid_client", log[1].Error);
        Assert.Contains("'sub'", log[1].ErrorDescription);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), "Timed out waiting.");
            await Task.Delay(20);
        }
    }
}
