using Edi2.Api;
using Edi2.FakeNhn;
using Edi2.HelseId;

namespace Edi2.Client.Tests.Api;

/// <summary>
/// No token leaves for another host: a signed request goes under the session's API base and nowhere else, redirects are
/// not followed, and token requests go only to the token endpoint the configured authority publishes. Each refusal is
/// checked with a capture server on another loopback port that must see no connection at all.
/// </summary>
public class RequestTargetTests
{
    // {capture} is the capture server's port.
    public static TheoryData<string> RefusedForms => new()
    {
        "http://127.0.0.1:{capture}/x",
        "HTTP://127.0.0.1:{capture}/x",
        "http://localhost:{capture}/x",
        "https://127.0.0.1:{capture}/x",
        "//127.0.0.1:{capture}/x",
        "///127.0.0.1:{capture}/x",
        "../x",
        "/../x",
        "messages/../../x",
        "./ping",
        "%2e%2e/x",
        "%2E%2E%2Fx",
        "messages%2f..%2f..%2fx",
        "..%5cx",
        "..\\x",
        "\\\\127.0.0.1:{capture}\\x",
        "ping#fragment",
        "ping x",
        "mailto:someone@example.org",
    };

    [Theory]
    [MemberData(nameof(RefusedForms))]
    public async Task A_path_that_would_leave_the_API_base_is_refused_before_anything_is_sent(string form)
    {
        await using var capture = new LoopbackHttpServer();
        await using var nhn = await FakeNhnServer.StartAsync();
        // A path prefix, so that '..' has somewhere to escape to.
        using var session = await ConnectAsync(nhn, new Uri(nhn.BaseUri, "api/"));
        string path = form.Replace("{capture}", capture.Port.ToString());
        nhn.Requests.Clear();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => session.Api.InvokeAsync(HttpMethod.Get, path, null));

        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains(session.ClientScope.ApiBaseUri.AbsoluteUri, e.Message);
        Assert.Equal(0, capture.Connections);
        Assert.Empty(nhn.Requests.Snapshot());
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("/ping")]
    [InlineData("ping?x=%2F..%2F")] // encoded separators in a query are data, not path
    public async Task A_relative_path_with_or_without_one_slash_goes_under_the_API_base(string path)
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        using var session = await ConnectAsync(nhn, nhn.BaseUri);

        var response = await session.Api.InvokeAsync(HttpMethod.Get, path, null);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("Pong", response.Body);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_from_the_API_is_an_error_naming_its_target_and_is_not_followed(int status)
    {
        await using var capture = new LoopbackHttpServer();
        string target = new Uri(capture.BaseUri, "stolen").AbsoluteUri;
        await using var redirector = new LoopbackHttpServer((_, _) => (status, $"Location: {target}\r\n", ""));
        await using var nhn = await FakeNhnServer.StartAsync();
        using var session = await ConnectAsync(nhn, redirector.BaseUri);

        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => session.Api.PingAsync());

        Assert.Equal(ApiErrorReason.Redirected, e.ApiReason);
        Assert.Equal("Api.Redirected", e.Reason);
        Assert.Equal(status, e.StatusCode);
        Assert.Contains(target, e.Message);
        Assert.Equal(target, e.Target);
        Assert.Single(redirector.Requests); // not retried either
        Assert.Equal(0, capture.Connections);
    }

    [Fact]
    public async Task A_redirect_followed_by_a_handler_the_caller_gave_is_still_an_error()
    {
        await using var capture = new LoopbackHttpServer();
        string target = new Uri(capture.BaseUri, "stolen").AbsoluteUri;
        await using var redirector = new LoopbackHttpServer((_, _) => (302, $"Location: {target}\r\n", ""));
        await using var nhn = await FakeNhnServer.StartAsync();
        using var session = await ConnectAsync(nhn, redirector.BaseUri, new HttpClientHandler { AllowAutoRedirect = true });

        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => session.Api.PingAsync());

        Assert.Equal(ApiErrorReason.Redirected, e.ApiReason);
        Assert.Contains(target, e.Message);
    }

    [Fact]
    public async Task A_token_endpoint_outside_the_authority_is_refused_and_gets_no_assertion()
    {
        await using var capture = new LoopbackHttpServer((_, _) => (200, "", """{"access_token":"x","token_type":"DPoP","expires_in":300}"""));
        LoopbackHttpServer? helseId = null;
        helseId = new LoopbackHttpServer((_, path) => path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal)
            ? (200, "Content-Type: application/json\r\n",
                $$"""{"issuer":"{{helseId!.BaseUri.AbsoluteUri.TrimEnd('/')}}","token_endpoint":"{{capture.BaseUri}}connect/token"}""")
            : (404, "", ""));
        await using var _ = helseId;
        var options = new Edi2ConnectionOptions { ClientId = "c1", Authority = new Uri(helseId.BaseUri.AbsoluteUri.TrimEnd('/')), ApiBaseUri = capture.BaseUri };

        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => Edi2Session.ConnectAsync(options, SigningKey.FromJwk(TestJwks.EcJwk())));

        Assert.Equal(AuthenticationErrorReason.DiscoveryFailed, e.AuthenticationReason);
        Assert.Contains("does not belong to the authority", e.Message);
        Assert.Equal(0, capture.Connections);
    }

    [Fact]
    public async Task A_redirect_from_HelseID_is_not_followed_with_the_client_assertion()
    {
        await using var capture = new LoopbackHttpServer();
        LoopbackHttpServer? helseId = null;
        helseId = new LoopbackHttpServer((_, path) => path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal)
            ? (200, "Content-Type: application/json\r\n",
                $$"""{"issuer":"{{helseId!.BaseUri.AbsoluteUri.TrimEnd('/')}}","token_endpoint":"{{helseId!.BaseUri}}connect/token"}""")
            : (307, $"Location: {capture.BaseUri}connect/token\r\n", ""));
        await using var _ = helseId;
        var options = new Edi2ConnectionOptions { ClientId = "c1", Authority = new Uri(helseId.BaseUri.AbsoluteUri.TrimEnd('/')), ApiBaseUri = capture.BaseUri };

        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => Edi2Session.ConnectAsync(options, SigningKey.FromJwk(TestJwks.EcJwk())));

        Assert.Equal(AuthenticationErrorReason.UnexpectedResponse, e.AuthenticationReason);
        Assert.Contains("307", e.Message);
        Assert.Equal(0, capture.Connections);
    }

    private static async Task<Edi2Session> ConnectAsync(FakeNhnServer nhn, Uri apiBase, HttpMessageHandler? handler = null)
    {
        string jwk = TestJwks.EcJwk();
        nhn.State.AddOrganization(new SeedOrganization { OrgNumber = "999999999", HerIds = [8142519] });
        nhn.State.AddClient(new SeedClient { ClientId = "c1", OrgNumber = "999999999", PublicJwk = TestJwks.Json(TestJwks.PublicOf(jwk)), HeridClaim = "0" });
        var options = new Edi2ConnectionOptions
        {
            ClientId = "c1", Authority = new Uri(nhn.Issuer), ApiBaseUri = apiBase, SourceSystem = "Edi2 tests, v1",
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        };
        return await Edi2Session.ConnectAsync(options, SigningKey.FromJwk(jwk), handler: handler);
    }
}
