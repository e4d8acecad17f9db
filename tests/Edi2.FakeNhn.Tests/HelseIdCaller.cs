using System;
using System.Collections.Generic;
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

/// <summary>A token endpoint answer, read once.</summary>
internal sealed record TokenAnswer(HttpStatusCode Status, string Body, string? MediaType, string? Nonce, HttpResponseMessage Raw)
{
    public JsonElement Json => JsonSerializer.Deserialize<JsonElement>(Body);

    public string? Error => Json.TryGetProperty("error", out var e) ? e.GetString() : null;

    public string? Description => Json.TryGetProperty("error_description", out var d) ? d.GetString() : null;

    public string AccessToken => Json.GetProperty("access_token").GetString()!;

    public string? Header(string name) =>
        Raw.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>
/// A hand-made HelseID client for testing the fake itself: builds assertions and proofs with
/// Microsoft.IdentityModel's JsonWebTokenHandler (not with the fake's code) and posts them.
/// </summary>
internal sealed class HelseIdCaller : IDisposable
{
    public const string ClientId = "test-client";
    public const string OrgNumber = "999999999";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public HelseIdCaller(FakeNhnServer server, string clientId = ClientId, TestKey? clientKey = null, TestKey? proofKey = null)
    {
        Server = server;
        Id = clientId;
        ClientKey = clientKey ?? TestKeys.ClientRsa;
        ProofKey = proofKey ?? TestKeys.ProofEc;
    }

    public FakeNhnServer Server { get; }

    public string Id { get; }

    public TestKey ClientKey { get; set; }

    public TestKey ProofKey { get; set; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The seed for a plain single-tenant client with the test key registered.</summary>
    public static FakeNhnSeed Seed(Action<SeedClient>? edit = null)
    {
        var client = new SeedClient
        {
            ClientId = ClientId,
            OrgNumber = OrgNumber,
            PublicJwk = TestKeys.ClientRsa.PublicJwk,
            HeridClaim = "0",
            ClientName = "Test EPJ",
        };
        edit?.Invoke(client);
        return new FakeNhnSeed
        {
            Organizations = { new SeedOrganization { OrgNumber = OrgNumber, HerIds = [8142519] } },
            Clients = { client },
        };
    }

    /// <summary>A client assertion; by default valid: typ client-authentication+jwt, aud = issuer, 10 s life, new jti.</summary>
    public string Assertion(Action<Dictionary<string, object>>? edit = null, string? typ = "client-authentication+jwt", TestKey? key = null, string? alg = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Id,
            ["sub"] = Id,
            ["aud"] = Server.Issuer,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 10,
        };
        edit?.Invoke(claims);
        key ??= ClientKey;
        return Sign(claims, key.SigningKey, alg ?? key.Alg, typ, header: null);
    }

    /// <summary>A DPoP proof for the token endpoint; by default valid apart from the nonce, which the caller supplies.</summary>
    public string Proof(string? nonce, Action<Dictionary<string, object>>? edit = null, string? jwkJson = null, string typ = "dpop+jwt")
    {
        var claims = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString(),
            ["htm"] = "POST",
            ["htu"] = Server.TokenEndpoint,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        edit?.Invoke(claims);
        var jwk = JsonSerializer.Deserialize<JsonElement>(jwkJson ?? ProofKey.PublicJwkJson);
        return Sign(claims, ProofKey.SigningKey, ProofKey.Alg, typ, new Dictionary<string, object> { ["jwk"] = jwk });
    }

    /// <summary>The standard form; fields can be changed or removed (null) by the test.</summary>
    public Dictionary<string, string?> Form(string assertion, string? scope = "nhn:msh/api") => new()
    {
        ["client_id"] = Id,
        ["scope"] = scope,
        ["client_assertion"] = assertion,
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["grant_type"] = "client_credentials",
    };

    public Task<TokenAnswer> PostAsync(string assertion, string? proof, string? scope = "nhn:msh/api") =>
        PostFormAsync(Form(assertion, scope), proof);

    public async Task<TokenAnswer> PostFormAsync(Dictionary<string, string?> form, string? proof)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(form.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Key, f.Value!))),
        };
        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return await SendAsync(request);
    }

    public async Task<TokenAnswer> SendAsync(HttpRequestMessage request)
    {
        var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var nonce = response.Headers.TryGetValues("DPoP-Nonce", out var values) ? values.Single() : null;
        return new TokenAnswer(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType, nonce, response);
    }

    /// <summary>First leg of the nonce dance: a valid request without nonce must earn 400 use_dpop_nonce and a nonce.</summary>
    public async Task<string> GetNonceAsync(Action<Dictionary<string, object>>? editAssertion = null)
    {
        var answer = await PostAsync(Assertion(editAssertion), Proof(nonce: null));
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("use_dpop_nonce", answer.Error);
        Assert.Equal("Missing 'nonce' value.", answer.Description);
        Assert.False(string.IsNullOrEmpty(answer.Nonce));
        return answer.Nonce!;
    }

    /// <summary>The whole exchange as a correct client does it: nonce, then a new assertion and proof.</summary>
    public async Task<TokenAnswer> GetTokenAsync(string? scope = "nhn:msh/api", Action<Dictionary<string, object>>? editAssertion = null)
    {
        var nonce = await GetNonceAsync(editAssertion);
        return await PostAsync(Assertion(editAssertion), Proof(nonce), scope);
    }

    public void Dispose() => Http.Dispose();

    private static string Sign(Dictionary<string, object> claims, SecurityKey key, string alg, string? typ, Dictionary<string, object>? header)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, alg),
            TokenType = typ,
            AdditionalHeaderClaims = header,
        };
        return Handler.CreateToken(descriptor);
    }
}
