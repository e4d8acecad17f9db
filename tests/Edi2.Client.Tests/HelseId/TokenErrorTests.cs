using System.Net;
using System.Net.Sockets;
using Edi2.FakeNhn;
using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

/// <summary>Every way HelseID (or what stands in front of it) can say no, surfaced as a clear error.</summary>
public class TokenErrorTests
{
    private static async Task<Edi2AuthenticationException> Fails(FakeNhnServer nhn, string clientId, string jwk, Action<HelseIdClientSettings>? configure = null, Uri? authority = null)
    {
        using var provider = HelseIdTestClient.Provider(nhn, clientId, jwk, authority: authority);
        configure?.Invoke(provider.Settings);
        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => provider.GetTokenAsync());
        Assert.StartsWith("Authentication.", e.Reason);
        return e;
    }

    [Fact]
    public async Task Unknown_client_id()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "real-client", jwk);

        var e = await Fails(nhn, "typo-client", jwk);

        Assert.Equal(AuthenticationErrorReason.InvalidClient, e.AuthenticationReason);
        Assert.Equal("invalid_client", e.Error);
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("typo-client", e.Target);
        Assert.Contains("'typo-client'", e.Message);
        Assert.Contains("client id", e.Message);
    }

    [Fact]
    public async Task A_key_that_is_not_registered_for_the_client()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        HelseIdTestClient.Register(nhn, "c", TestJwks.EcJwk());
        string otherKey = TestJwks.EcJwk();

        var e = await Fails(nhn, "c", otherKey);

        Assert.Equal(AuthenticationErrorReason.InvalidClient, e.AuthenticationReason);
        Assert.Contains(SigningKey.FromJwk(otherKey).Thumbprint, e.Message);
        Assert.Contains("self-service", e.Message);
    }

    [Fact]
    public async Task A_scope_the_client_does_not_have()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk, c => c.Scopes = ["nhn:other/api"]);

        var e = await Fails(nhn, "c", jwk);

        Assert.Equal(AuthenticationErrorReason.InvalidScope, e.AuthenticationReason);
        Assert.Contains("nhn:msh/api", e.Message);
    }

    [Fact]
    public async Task A_parent_organisation_the_client_may_not_act_for()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk, c => { c.MultiTenant = true; c.AllowedParentOrgNumbers = ["999977774"]; });
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk, organizations: new OrganizationNumbers("111111111", null));

        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => provider.GetTokenAsync());

        Assert.Equal(AuthenticationErrorReason.InvalidRequest, e.AuthenticationReason);
        Assert.Contains("HID-1001", e.Message);
        Assert.Contains("111111111", e.Message);
    }

    [Theory]
    [InlineData(DPoPKeyMode.ClientKey, "ES256", "Leave out -DPoPKey ClientKey")]
    [InlineData(DPoPKeyMode.Ephemeral, "PS256", "Use -DPoPKey ClientKey")]
    public async Task A_dpop_key_the_server_does_not_accept_fails_before_the_token_request(DPoPKeyMode mode, string listed, string advice)
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        nhn.HelseId.DPoPSigningAlgorithms = [listed];
        string jwk = TestJwks.RsaJwk(2048, "PS256");
        HelseIdTestClient.Register(nhn, "c", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk, mode);

        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => provider.GetTokenAsync());

        Assert.Equal(AuthenticationErrorReason.DPoPAlgorithmNotSupported, e.AuthenticationReason);
        Assert.Equal("Authentication.DPoPAlgorithmNotSupported", e.Reason);
        Assert.Contains($"signed with {listed} only", e.Message);
        Assert.Contains($"signs {provider.DPoPKey.Algorithm}", e.Message);
        Assert.Contains(advice, e.Message);
        Assert.Empty(HelseIdTestClient.TokenRequests(nhn)); // said before any token request, not after HelseID's refusal
    }

    // What HelseID (or a proxy in front of it) sends instead of a token, and what the error must say. Each case is named by
    // its first column; a status code of 0 is not checked; only the proxy's page is checked to name the token endpoint.
    public static TheoryData<string, int, string, string, AuthenticationErrorReason, int, string[], string[]> RefusedAnswers() => new()
    {
        { "a proxy's html error page", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html",
            AuthenticationErrorReason.UnexpectedResponse, 502, ["text/html", "proxy"], [] },
        { "a server error without an oauth body", 500, "{\"message\":\"boom\"}", "application/json",
            AuthenticationErrorReason.UnexpectedResponse, 500, [], [] },
        { "a nonce demand without a nonce", 400, "{\"error\":\"use_dpop_nonce\",\"error_description\":\"Missing 'nonce' value.\"}", "application/json",
            AuthenticationErrorReason.NonceRejected, 0, ["no DPoP-Nonce header"], [] },
        { "a bearer token", 200, "{\"access_token\":\"abc\",\"token_type\":\"Bearer\",\"expires_in\":600}", "application/json",
            AuthenticationErrorReason.InvalidTokenResponse, 0, ["'Bearer'"], ["abc"] },
    };

    [Theory]
    [MemberData(nameof(RefusedAnswers))]
    public async Task A_token_response_that_is_not_a_token_is_refused(string answer, int status, string body, string contentType,
        AuthenticationErrorReason reason, int statusCode, string[] contains, string[] absent)
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        nhn.HelseId.FailNextTokenRequests(1, status, body, contentType);

        var e = await Fails(nhn, "c", jwk);

        Assert.Equal(reason, e.AuthenticationReason);
        if (statusCode != 0) Assert.Equal(statusCode, e.StatusCode);
        foreach (string text in contains) Assert.Contains(text, e.Message);
        foreach (string text in absent) Assert.DoesNotContain(text, e.Message);
        if (answer == "a proxy's html error page") Assert.Equal(nhn.TokenEndpoint, e.Target);
    }

    [Fact]
    public async Task A_slow_helseid_times_out_with_a_clear_error()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        nhn.HelseId.FailNextTokenRequests(1, 200, "{}", delay: TimeSpan.FromSeconds(5));

        var e = await Fails(nhn, "c", jwk, s => s.TokenRequestTimeout = TimeSpan.FromMilliseconds(300));

        Assert.Equal(AuthenticationErrorReason.Timeout, e.AuthenticationReason);
        Assert.Contains("did not answer", e.Message);
    }

    [Fact]
    public async Task Nothing_listening_at_the_authority()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        var closed = new Uri($"http://127.0.0.1:{FreePort()}");

        var e = await Fails(nhn, "c", jwk, authority: closed);

        Assert.Equal(AuthenticationErrorReason.ConnectionFailed, e.AuthenticationReason);
        Assert.Contains("Could not reach HelseID", e.Message);
        Assert.Contains(closed.Authority, e.Message);
    }

    [Fact]
    public async Task An_authority_that_is_not_helseid()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        var e = await Fails(nhn, "c", TestJwks.EcJwk(), authority: new Uri(nhn.Issuer + "/somewhere-else"));

        Assert.Equal(AuthenticationErrorReason.DiscoveryFailed, e.AuthenticationReason);
        Assert.Contains("404", e.Message);
    }

    [Fact]
    public async Task Cancellation_is_not_reported_as_a_timeout()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        nhn.HelseId.FailNextTokenRequests(1, 200, "{}", delay: TimeSpan.FromSeconds(5));
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetTokenAsync(cancel.Token));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
