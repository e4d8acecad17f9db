using System.Text.Json.Nodes;
using Edi2.FakeNhn;
using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

/// <summary>Each tampered variant of a correct request: the fake refuses it and the engine says why.</summary>
public class TamperingTests
{
    private static async Task<(Edi2AuthenticationException Error, IReadOnlyList<LoggedRequest> Requests)> Send(TamperingHandler handler, string jwk)
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        HelseIdTestClient.Register(nhn, "c", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk, DPoPKeyMode.ClientKey, handler);
        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => provider.GetTokenAsync());
        return (e, HelseIdTestClient.TokenRequests(nhn));
    }

    private static readonly string Jwk = TestJwks.RsaJwk(2048, "PS256", "k1");

    private static TamperingHandler Handler(Func<JsonObject, JsonObject?>? assertion = null, Action<JsonObject, JsonObject>? proof = null, bool replay = false) =>
        new(Jwk, "PS256") { Assertion = assertion, Proof = proof, ReplayAssertion = replay };

    [Fact]
    public async Task Untampered_requests_pass_through_the_handler()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        HelseIdTestClient.Register(nhn, "c", Jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", Jwk, DPoPKeyMode.ClientKey,
            Handler(assertion: c => c, proof: (h, c) => { }));
        Assert.NotNull(await provider.GetTokenAsync());
    }

    [Fact]
    public async Task Assertion_with_the_token_endpoint_as_audience()
    {
        var (e, _) = await Send(Handler(assertion: c => { c["aud"] = c["aud"]!.GetValue<string>() + "/connect/token"; return c; }), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidClient, e.AuthenticationReason);
        Assert.Contains("aud", e.ErrorDescription, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Assertion_jti_reused_on_the_nonce_retry()
    {
        var (e, requests) = await Send(Handler(replay: true), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidClient, e.AuthenticationReason);
        Assert.Equal(requests[0].AssertionJti, requests[1].AssertionJti);
        Assert.Contains("jti", e.ErrorDescription, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Expired_assertion()
    {
        var (e, _) = await Send(Handler(assertion: c =>
        {
            long past = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeSeconds();
            c["iat"] = past; c["nbf"] = past; c["exp"] = past + 30;
            return c;
        }), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidClient, e.AuthenticationReason);
        Assert.Contains("clock", e.Message);
    }

    [Fact]
    public async Task Assertion_living_longer_than_sixty_seconds()
    {
        var (e, _) = await Send(Handler(assertion: c => { c["exp"] = c["iat"]!.GetValue<long>() + 300; return c; }), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidClient, e.AuthenticationReason);
    }

    [Fact]
    public async Task Proof_with_a_query_in_htu()
    {
        var (e, _) = await Send(Handler(proof: (h, c) => c["htu"] = c["htu"]!.GetValue<string>() + "?x=1"), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidDPoPProof, e.AuthenticationReason);
        Assert.Contains("htu", e.Message);
    }

    [Fact]
    public async Task Proof_with_the_wrong_method()
    {
        var (e, _) = await Send(Handler(proof: (h, c) => c["htm"] = "GET"), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidDPoPProof, e.AuthenticationReason);
        Assert.Contains("htm", e.Message);
    }

    [Fact]
    public async Task Proof_whose_jwk_carries_private_members()
    {
        var full = JsonNode.Parse(Jwk)!.AsObject();
        var (e, _) = await Send(Handler(proof: (h, c) =>
        {
            var jwk = h["jwk"]!.AsObject();
            jwk["d"] = full["d"]!.GetValue<string>();
            jwk["p"] = full["p"]!.GetValue<string>();
        }), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidDPoPProof, e.AuthenticationReason);
        Assert.Contains("private key", e.Message);
        Assert.DoesNotContain(full["d"]!.GetValue<string>().Substring(0, 12), e.Message);
    }

    [Fact]
    public async Task Proof_with_the_wrong_typ()
    {
        var (e, _) = await Send(Handler(proof: (h, c) => h["typ"] = "JWT"), Jwk);
        Assert.Equal(AuthenticationErrorReason.InvalidDPoPProof, e.AuthenticationReason);
    }
}
