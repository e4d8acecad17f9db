using System.Text.Json;
using Edi2.Api;
using Edi2.Diagnostics;
using Edi2.HelseId;

namespace Edi2.Client.Tests.Api;

/// <summary>The session the cmdlets share: fail-fast connect, what it shows, what it never shows.</summary>
public class SessionTests
{
    [Fact]
    public async Task Connect_fails_at_once_for_a_wrong_client_id_and_leaves_nothing_behind()
    {
        await using var ctx = await ApiTestContext.StartAsync(configure: false);
        var options = new Edi2ConnectionOptions { ClientId = "nobody", Authority = new Uri(ctx.Nhn.Issuer), ApiBaseUri = ctx.Nhn.BaseUri };
        var key = SigningKey.FromJwk(TestJwks.EcJwk());

        var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => Edi2Session.ConnectAsync(options, key));

        Assert.Equal(AuthenticationErrorReason.InvalidClient, e.AuthenticationReason);
        Assert.ThrowsAny<ObjectDisposedException>(() => key.ExportPrivateJwk()); // the failed session wiped the key
    }

    [Fact]
    public async Task The_session_shows_settings_and_token_facts_but_no_secret()
    {
        await using var ctx = await ApiTestContext.StartAsync(configure: false);
        var s = ctx.Session;

        Assert.Equal("c1", s.ClientId);
        Assert.Equal(3, s.ApiVersion);
        Assert.Equal("nhn:msh/api", s.Scope);
        Assert.NotNull(s.TokenExpiresAt);
        Assert.Equal("999999999", s.ClientClaims["helseid://claims/client/claims/orgnr_parent"]);
        Assert.Equal("0", s.ClientClaims["nhn:msh/client/claims/herid"]);
        Assert.DoesNotContain(s.ClientClaims.Keys, k => k is "cnf" or "jti" or "exp");

        // Everything public, serialized the way ConvertTo-Json would walk it, holds no token, proof or key member.
        string json = JsonSerializer.Serialize(s, new JsonSerializerOptions { MaxDepth = 16, IncludeFields = false });
        string token = await s.GetAccessTokenAsync();
        Assert.DoesNotContain(token.Substring(token.Length - 30), json);
        Assert.DoesNotContain("\"d\":", json);
        Assert.Contains(s.DPoPKeyThumbprint, json);
        Assert.DoesNotContain("Edi2 session", s.ToString().Replace("Edi2 session for client 'c1'", ""));
    }

    [Fact]
    public async Task Disposing_wipes_the_keys_and_stops_the_session()
    {
        await using var ctx = await ApiTestContext.StartAsync(configure: false);
        ctx.Session.Dispose();
        Assert.True(ctx.Session.IsDisposed);
        Assert.Null(ctx.Session.TokenExpiresAt);
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => ctx.Session.GetAccessTokenAsync());
    }

    [Fact]
    public async Task A_trace_scope_sees_only_its_own_calls()
    {
        await using var ctx = await ApiTestContext.StartAsync(configure: false);
        var mine = new List<Edi2HttpTrace>();
        var theirs = new List<Edi2HttpTrace>();

        async Task Ping(List<Edi2HttpTrace> sink)
        {
            using (Edi2TraceScope.Begin(t => { lock (sink) sink.Add(t); }))
            {
                await Task.Run(() => ctx.Api.PingAsync());
            }
        }
        await Task.WhenAll(Ping(mine), Ping(theirs), Ping(theirs));

        Assert.Single(mine);
        Assert.Equal(2, theirs.Count);
        Assert.Contains("DPoP <access token>", mine[0].RequestHeaders);
        Assert.Contains("api-version: 3", mine[0].RequestHeaders);
    }

    [Fact]
    public async Task Jwt_parts_show_header_and_claims()
    {
        await using var ctx = await ApiTestContext.StartAsync(configure: false);
        var parts = JwtParts.Read(await ctx.Session.GetAccessTokenAsync());
        Assert.Equal("RS256", parts.Header["alg"]);
        Assert.Equal("nhn:msh", parts.Claims["aud"]);
        Assert.Throws<ArgumentException>(() => JwtParts.Read("not-a-jwt"));
    }
}
