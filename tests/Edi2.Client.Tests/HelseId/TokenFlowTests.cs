using Edi2.FakeNhn;
using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

/// <summary>The whole client-credentials + DPoP flow against the strict fake HelseID over real HTTP.</summary>
public class TokenFlowTests
{
    public static TheoryData<string, string?, DPoPKeyMode> Keys()
    {
        var data = new TheoryData<string, string?, DPoPKeyMode>();
        foreach (var mode in new[] { DPoPKeyMode.Ephemeral, DPoPKeyMode.ClientKey })
        {
            data.Add("RSA2048", "RS256", mode);
            data.Add("RSA2048", "PS256", mode);
            data.Add("RSA4096", "PS256", mode);
            data.Add("EC-P-256", null, mode);
            data.Add("EC-P-384", null, mode);
            data.Add("EC-P-521", null, mode);
        }
        return data;
    }

    private static string MakeJwk(string kind, string? alg) => kind switch
    {
        "RSA2048" => TestJwks.RsaJwk(2048, alg, kid: "rsa-2048"),
        "RSA4096" => TestJwks.RsaJwk(4096, alg, kid: "rsa-4096"),
        _ => TestJwks.EcJwk(kind.Substring(3)),
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task Gets_a_dpop_bound_token_through_the_nonce_round_trip(string kind, string? alg, DPoPKeyMode mode)
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = MakeJwk(kind, alg);
        HelseIdTestClient.Register(nhn, "client-1", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "client-1", jwk, mode);

        var token = await provider.GetTokenAsync();

        var claims = HelseIdTestClient.Claims(token);
        Assert.Equal(provider.DPoPKey.Thumbprint, claims.GetProperty("cnf").GetProperty("jkt").GetString());
        Assert.Equal(provider.DPoPKey.Thumbprint, token.DPoPKeyThumbprint);
        Assert.Equal("nhn:msh", claims.GetProperty("aud").GetString());
        Assert.Equal("client-1", claims.GetProperty("client_id").GetString());
        Assert.Equal("nhn:msh/api", token.Scope);
        Assert.InRange((token.ExpiresAt - token.IssuedAt).TotalSeconds, 599, 601);
        if (mode == DPoPKeyMode.ClientKey) Assert.Equal(SigningKey.FromJwk(jwk).Thumbprint, provider.DPoPKey.Thumbprint);
        else Assert.Equal("ES256", provider.DPoPKey.Algorithm);

        // First attempt without a nonce, then one retry with HelseID's nonce, a new assertion and a new proof.
        var requests = HelseIdTestClient.TokenRequests(nhn);
        Assert.Equal(2, requests.Count);
        Assert.Equal("use_dpop_nonce", requests[0].Error);
        Assert.Null(requests[0].ProofNonce);
        Assert.NotNull(requests[1].ProofNonce);
        Assert.Equal(200, requests[1].StatusCode);
        Assert.NotEqual(requests[0].AssertionJti, requests[1].AssertionJti);
        Assert.NotEqual(requests[0].ProofJti, requests[1].ProofJti);
        Assert.Equal(nhn.TokenEndpoint, requests[1].ProofHtu);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_issuer_is_used_exactly_as_discovered(bool trailingSlash)
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        nhn.HelseId.IssuerTrailingSlash = trailingSlash;
        nhn.HelseId.ExactAssertionAudience = true;
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        Assert.Equal(trailingSlash, nhn.Issuer.EndsWith('/'));
        var options = new Edi2ConnectionOptions { ClientId = "c", Authority = new Uri(nhn.Issuer), ApiBaseUri = nhn.BaseUri };

        using var session = await Edi2Session.ConnectAsync(options, SigningKey.FromJwk(jwk));
        await session.Api.PingAsync(); // the API checks the token's iss against the issuer, exactly

        // RFC 8414 section 3.3: the assertion's aud is the issuer as published, not trimmed or otherwise tidied.
        var assertion = TestJwks.Decode(HelseIdTestClient.TokenRequests(nhn).Last().Form["client_assertion"]).Payload;
        Assert.Equal(nhn.Issuer, assertion.GetProperty("aud").GetString());
        Assert.Equal(nhn.Issuer, session.GetTokenClaims()["iss"]?.ToString());
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("")]
    public async Task The_ephemeral_es256_key_serves_a_server_that_lists_es256_or_nothing(string listed)
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        nhn.HelseId.DPoPSigningAlgorithms = listed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string jwk = TestJwks.RsaJwk(2048, "PS256");
        HelseIdTestClient.Register(nhn, "c", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk);

        var token = await provider.GetTokenAsync();

        Assert.Equal("ES256", provider.DPoPKey.Algorithm);
        Assert.Equal(provider.DPoPKey.Thumbprint, HelseIdTestClient.Claims(token).GetProperty("cnf").GetProperty("jkt").GetString());
    }

    [Fact]
    public async Task Organisation_numbers_reach_the_token()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "multi", jwk, c =>
        {
            c.MultiTenant = true;
            c.AllowedParentOrgNumbers = ["999977774"];
            c.AllowedChildOrgNumbers = ["999977776"];
        });
        using var provider = HelseIdTestClient.Provider(nhn, "multi", jwk, organizations: new OrganizationNumbers("999977774", "999977776"));

        var claims = HelseIdTestClient.Claims(await provider.GetTokenAsync());

        Assert.Equal("999977774", claims.GetProperty("helseid://claims/client/claims/orgnr_parent").GetString());
        Assert.Equal("999977776", claims.GetProperty("helseid://claims/client/claims/orgnr_child").GetString());
    }

    [Fact]
    public async Task The_nonce_is_remembered_for_the_next_token()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk);
        var first = await provider.GetTokenAsync();
        nhn.Requests.Clear();

        provider.Invalidate(first);
        var second = await provider.GetTokenAsync();

        Assert.NotEqual(first.Value, second.Value);
        var requests = HelseIdTestClient.TokenRequests(nhn);
        Assert.Single(requests);
        Assert.Equal(200, requests[0].StatusCode);
        Assert.NotNull(requests[0].ProofNonce);
    }

    [Fact]
    public async Task An_expired_nonce_is_replaced_by_the_new_one_helseid_sends()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        var clock = new ManualClock();
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk, clock: clock);
        var first = await provider.GetTokenAsync();
        nhn.Requests.Clear();

        // Ten minutes later on both sides: the remembered nonce has expired.
        clock.Advance(TimeSpan.FromMinutes(10));
        nhn.HelseId.ClockOffset = TimeSpan.FromMinutes(10);
        var second = await provider.GetTokenAsync();

        Assert.NotEqual(first.Value, second.Value);
        var requests = HelseIdTestClient.TokenRequests(nhn);
        Assert.Equal(2, requests.Count);
        Assert.Equal("use_dpop_nonce", requests[0].Error);
        Assert.Contains("Invalid 'nonce'", requests[0].ErrorDescription);
        Assert.NotEqual(requests[0].ProofNonce, requests[1].ProofNonce);
        Assert.Equal(200, requests[1].StatusCode);
    }

    [Fact]
    public async Task A_server_that_always_wants_a_new_nonce_is_asked_twice_only()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        nhn.HelseId.AlwaysDemandNonce = true;
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk);

        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => provider.GetTokenAsync());

        Assert.Equal(AuthenticationErrorReason.NonceRejected, e.AuthenticationReason);
        Assert.Equal(2, HelseIdTestClient.TokenRequests(nhn).Count);
        Assert.Contains("clock", e.Message);
    }

    [Fact]
    public async Task Token_requests_show_in_the_trace_without_secrets()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk);
        var traces = new List<Edi2.Diagnostics.Edi2HttpTrace>();

        AccessToken token;
        using (Edi2.Diagnostics.Edi2TraceScope.Begin(t => traces.Add(t)))
        {
            token = await provider.GetTokenAsync();
        }

        Assert.Equal([400, 200], traces.Select(t => t.StatusCode));
        Assert.Contains("use_dpop_nonce", traces[0].Note);
        Assert.Equal(2, traces[1].Attempt);
        string all = string.Join("\n", traces.Select(t => t + " " + t.RequestHeaders));
        Assert.DoesNotContain(token.Value.Substring(0, 20), all);
        Assert.Contains("client_assertion=<signed assertion>", all);
        Assert.DoesNotContain(HelseIdTestClient.TokenRequests(nhn)[1].Form["client_assertion"].Substring(0, 20), all);
    }
}
