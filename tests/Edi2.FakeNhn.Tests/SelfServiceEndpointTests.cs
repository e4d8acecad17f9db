using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>
/// The fake's HelseID self-service POST /v1/client-secret is as strict as the API: a DPoP token for
/// nhn:selvbetjening/client and a proof for this request, a public JWK only; then it registers the key.
/// </summary>
public sealed class SelfServiceEndpointTests : IAsyncLifetime
{
    private const string SelfServiceScope = "nhn:selvbetjening/client";

    private FakeNhnServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed(c => c.Scopes = ["nhn:msh/api", SelfServiceScope]));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static HttpRequestMessage Post(EdiApiCaller caller, string body, Action<System.Collections.Generic.Dictionary<string, object>>? editProof = null)
    {
        var request = caller.Request(HttpMethod.Post, "/v1/client-secret", body, version: null, editProof);
        request.Headers.Remove("nhn-source-system");
        return request;
    }

    [Fact]
    public async Task A_new_public_key_is_registered_and_replaces_the_old_one()
    {
        using var caller = await EdiApiCaller.CreateAsync(_server, scope: SelfServiceScope);
        var newKey = TestKey.Ec("ES256", kid: "rotated");

        var answer = await caller.SendAsync(Post(caller, newKey.PublicJwkJson));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var expiration = answer.Json.GetProperty("expiration").GetDateTimeOffset();
        Assert.InRange(expiration, DateTimeOffset.UtcNow.AddDays(364), DateTimeOffset.UtcNow.AddDays(366));
        Assert.Equal([newKey.Thumbprint], _server.State.GetClientKeys(HelseIdCaller.ClientId).Select(Security.Jwk.ComputeThumbprint));

        // The fake HelseID now takes assertions signed with the new key, and no longer the old one.
        using var withNew = new HelseIdCaller(_server, clientKey: newKey);
        Assert.Equal(HttpStatusCode.OK, (await withNew.GetTokenAsync()).Status);
        using var withOld = new HelseIdCaller(_server);
        Assert.Equal("invalid_client", (await withOld.PostAsync(withOld.Assertion(), withOld.Proof(null))).Error);
    }

    [Fact]
    public async Task With_KeepPreviousKeys_the_old_key_stays_valid()
    {
        _server.SelfService.KeepPreviousKeys = true;
        using var caller = await EdiApiCaller.CreateAsync(_server, scope: SelfServiceScope);
        var answer = await caller.SendAsync(Post(caller, TestKey.Ec().PublicJwkJson));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(2, _server.State.GetClientKeys(HelseIdCaller.ClientId).Count);
    }

    [Fact]
    public async Task A_token_for_the_EDI_API_is_refused()
    {
        using var caller = await EdiApiCaller.CreateAsync(_server); // scope nhn:msh/api, audience nhn:msh
        var answer = await caller.SendAsync(Post(caller, TestKey.Ec().PublicJwkJson));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Contains("invalid_token", answer.Header("WWW-Authenticate"));
        Assert.Contains("nhn:selvbetjening", answer.Body);
        Assert.Single(_server.State.GetClientKeys(HelseIdCaller.ClientId));
    }

    [Fact]
    public async Task A_proof_for_another_URL_is_refused()
    {
        using var caller = await EdiApiCaller.CreateAsync(_server, scope: SelfServiceScope);
        var answer = await caller.SendAsync(Post(caller, TestKey.Ec().PublicJwkJson, p => p["htu"] = _server.Issuer + "/ping"));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Contains("invalid_dpop_proof", answer.Header("WWW-Authenticate"));
        Assert.Single(_server.State.GetClientKeys(HelseIdCaller.ClientId));
    }

    [Theory]
    [InlineData("private")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"kty\":\"oct\",\"k\":\"AAAA\"}")]
    public async Task Anything_but_a_usable_public_JWK_is_400(string body)
    {
        using var caller = await EdiApiCaller.CreateAsync(_server, scope: SelfServiceScope);
        var answer = await caller.SendAsync(Post(caller, body == "private" ? TestKey.Ec().PrivateJwkJson() : body));
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Single(_server.State.GetClientKeys(HelseIdCaller.ClientId));
    }
}
