using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Edi2.FakeNhn.Tests;

public sealed class TokenEndpointHappyPathTests
{
    [Fact]
    public async Task Discovery_document_and_jwks_look_like_HelseID()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        using var http = new HttpClient();

        Assert.Equal($"http://127.0.0.1:{server.Port}/", server.BaseUri.ToString());
        Assert.Equal($"http://127.0.0.1:{server.Port}", server.Issuer);
        Assert.Equal(server.Issuer + "/connect/token", server.TokenEndpoint);

        var discovery = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync(server.Issuer + "/.well-known/openid-configuration"));
        Assert.Equal(server.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(server.TokenEndpoint, discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal(server.Issuer + "/.well-known/openid-configuration/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal(["private_key_jwt"], Strings(discovery, "token_endpoint_auth_methods_supported"));
        string[] algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];
        Assert.Equal(algorithms, Strings(discovery, "token_endpoint_auth_signing_alg_values_supported"));
        Assert.Equal(algorithms, Strings(discovery, "dpop_signing_alg_values_supported"));

        var jwks = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString()));
        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal(server.AccessTokenSigningKeyId, key.GetProperty("kid").GetString());
        Assert.False(key.TryGetProperty("d", out _));

        using var unknown = await http.GetAsync(server.BaseUri + "no/such/route");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Nonce_round_trip_then_a_DPoP_bound_token_signed_by_the_JWKS_key()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        using var caller = new HelseIdCaller(server);

        // 1st attempt: no nonce → 400 use_dpop_nonce with DPoP-Nonce and no-cache headers
        var first = await caller.PostAsync(caller.Assertion(), caller.Proof(nonce: null));
        Assert.Equal(HttpStatusCode.BadRequest, first.Status);
        Assert.Equal("use_dpop_nonce", first.Error);
        Assert.Equal("Missing 'nonce' value.", first.Description);
        Assert.False(string.IsNullOrEmpty(first.Nonce));
        AssertNoCache(first);

        // 2nd attempt: new assertion, new proof carrying the nonce → 200
        var answer = await caller.PostAsync(caller.Assertion(), caller.Proof(first.Nonce));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.MediaType);
        AssertNoCache(answer);
        Assert.Null(answer.Nonce); // Duende sends no DPoP-Nonce on success
        Assert.Equal(600, answer.Json.GetProperty("expires_in").GetInt32());
        Assert.Equal("DPoP", answer.Json.GetProperty("token_type").GetString());
        Assert.Equal("nhn:msh/api", answer.Json.GetProperty("scope").GetString());

        // The token verifies against the published JWKS, with HelseID's issuer, audience and typ.
        using var http = new HttpClient();
        var jwks = new JsonWebKeySet(await http.GetStringAsync(server.JwksUri));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(answer.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = server.Issuer,
            ValidAudience = "nhn:msh",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = ["RS256"],
        });
        Assert.True(validation.IsValid, validation.Exception?.ToString());

        var token = new JsonWebToken(answer.AccessToken);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(server.AccessTokenSigningKeyId, token.Kid);
        Assert.Equal("at+jwt", token.Typ);
        var payload = PayloadOf(token);
        Assert.Equal(600, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        Assert.Equal(payload.GetProperty("iat").GetInt64(), payload.GetProperty("nbf").GetInt64());
        Assert.Equal("nhn:msh", payload.GetProperty("aud").GetString());
        Assert.Equal(TestKeys.ProofEc.Thumbprint, payload.GetProperty("cnf").GetProperty("jkt").GetString());
        Assert.Equal(["nhn:msh/api"], Strings(payload, "scope"));
        Assert.Equal(HelseIdCaller.ClientId, payload.GetProperty("client_id").GetString());
        Assert.Equal("private_key_jwt", payload.GetProperty("client_amr").GetString());
        Assert.Equal("rsa_private_key", payload.GetProperty("helseid://claims/client/amr").GetString());
        Assert.Equal(HelseIdCaller.OrgNumber, payload.GetProperty("helseid://claims/client/claims/orgnr_parent").GetString());
        Assert.False(payload.TryGetProperty("helseid://claims/client/claims/orgnr_child", out _));
        Assert.Equal("Test EPJ", payload.GetProperty("helseid://claims/client/client_name").GetString());
        Assert.Equal("single-tenant", payload.GetProperty("helseid://claims/client/client_tenancy").GetString());
        Assert.Equal("0", payload.GetProperty("nhn:msh/client/claims/herid").GetString());
        Assert.Matches("^[0-9A-F]{32}$", payload.GetProperty("jti").GetString());
    }

    [Fact]
    public async Task No_scope_requested_grants_all_of_the_clients_scopes()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed(c => c.Scopes = ["nhn:msh/api", "nhn:msh/other"]));
        using var caller = new HelseIdCaller(server);

        var answer = await caller.GetTokenAsync(scope: null);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("nhn:msh/api nhn:msh/other", answer.Json.GetProperty("scope").GetString());
        Assert.Equal(["nhn:msh/api", "nhn:msh/other"], Strings(PayloadOf(new JsonWebToken(answer.AccessToken)), "scope"));
    }

    [Fact]
    public async Task EC_client_key_RSA_proof_key_and_the_knobs_for_typ_lifetime_and_nonce_on_success()
    {
        var ecClient = TestKey.Ec("ES384");
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed(c =>
        {
            c.PublicJwk = ecClient.PublicJwk;
            c.HeridClaim = null;
            c.ClientName = null;
        }));
        server.HelseId.AccessTokenTyp = "JWT";
        server.HelseId.AccessTokenLifetime = TimeSpan.FromSeconds(30);
        server.HelseId.IssueNonceOnSuccess = true;
        using var caller = new HelseIdCaller(server, clientKey: ecClient, proofKey: TestKeys.OtherRsa);

        var answer = await caller.GetTokenAsync();

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False(string.IsNullOrEmpty(answer.Nonce));
        Assert.Equal(30, answer.Json.GetProperty("expires_in").GetInt32());
        var token = new JsonWebToken(answer.AccessToken);
        Assert.Equal("JWT", token.Typ);
        var payload = PayloadOf(token);
        Assert.Equal("ec_private_key", payload.GetProperty("helseid://claims/client/amr").GetString());
        Assert.Equal(TestKeys.OtherRsa.Thumbprint, payload.GetProperty("cnf").GetProperty("jkt").GetString());
        Assert.False(payload.TryGetProperty("nhn:msh/client/claims/herid", out _));
        Assert.Equal(HelseIdCaller.ClientId, payload.GetProperty("helseid://claims/client/client_name").GetString());
    }

    [Fact]
    public async Task A_nonce_stays_usable_for_its_lifetime_and_RequireNonce_false_needs_none()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        using var caller = new HelseIdCaller(server);

        var nonce = await caller.GetNonceAsync();
        Assert.Equal(HttpStatusCode.OK, (await caller.PostAsync(caller.Assertion(), caller.Proof(nonce))).Status);
        Assert.Equal(HttpStatusCode.OK, (await caller.PostAsync(caller.Assertion(), caller.Proof(nonce))).Status);

        server.HelseId.RequireNonce = false;
        Assert.Equal(HttpStatusCode.OK, (await caller.PostAsync(caller.Assertion(), caller.Proof(nonce: null))).Status);
    }

    [Fact]
    public async Task Key_rotation_new_client_key_works_alongside_the_old_one_until_removed()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        using var caller = new HelseIdCaller(server, clientKey: TestKeys.OtherRsa);

        var refused = await caller.PostAsync(caller.Assertion(), caller.Proof(null));
        Assert.Equal("invalid_client", refused.Error);

        server.State.AddClientKey(HelseIdCaller.ClientId, TestKeys.OtherRsa.PublicJwkJson);
        Assert.Equal(HttpStatusCode.OK, (await caller.GetTokenAsync()).Status);
        caller.ClientKey = TestKeys.ClientRsa;
        Assert.Equal(HttpStatusCode.OK, (await caller.GetTokenAsync()).Status);

        Assert.True(server.State.RemoveClientKey(HelseIdCaller.ClientId, "client-key-1"));
        Assert.Equal("invalid_client", (await caller.PostAsync(caller.Assertion(), caller.Proof(null))).Error);
        Assert.Single(server.State.GetClientKeys(HelseIdCaller.ClientId));
    }

    [Fact]
    public async Task Access_token_signing_key_rotation_is_published_in_the_jwks()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        using var caller = new HelseIdCaller(server);
        var oldKid = server.AccessTokenSigningKeyId;

        server.RotateAccessTokenSigningKey(keepPreviousInJwks: true);
        var answer = await caller.GetTokenAsync();

        Assert.NotEqual(oldKid, server.AccessTokenSigningKeyId);
        Assert.Equal(server.AccessTokenSigningKeyId, new JsonWebToken(answer.AccessToken).Kid);
        var kids = JsonSerializer.Deserialize<JsonElement>(await caller.Http.GetStringAsync(server.JwksUri))
            .GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToArray();
        Assert.Equal([server.AccessTokenSigningKeyId, oldKid], kids);
    }

    internal static JsonElement PayloadOf(JsonWebToken token) =>
        JsonSerializer.Deserialize<JsonElement>(Base64UrlEncoder.Decode(token.EncodedPayload));

    internal static string[] Strings(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

    internal static void AssertNoCache(TokenAnswer answer)
    {
        Assert.Equal("no-store, no-cache, max-age=0", answer.Raw.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("no-cache", answer.Raw.Headers.NonValidated["Pragma"].ToString());
    }
}
