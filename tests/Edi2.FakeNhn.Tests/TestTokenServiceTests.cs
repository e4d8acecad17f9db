using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Edi2.FakeNhn;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>
/// The fake test token service (spec helseid-dpop section 5) is as strict as described: the API key, the required
/// audience, and a token the fake API takes only with proofs from the cnfJkt key.
/// </summary>
public sealed class TestTokenServiceTests
{
    private const string ApiKey = "fake-ttt-key";

    private static async Task<HttpResponseMessage> PostAsync(FakeNhnServer server, string? apiKey, object body)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TestTokenUri)
        {
            Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Auth-Key", apiKey);
        }

        return await http.SendAsync(request);
    }

    private static object Body(string jkt, string clientId = "ttt-client") => new
    {
        audience = "nhn:msh",
        clientClaimsParameters = new { scope = new[] { "nhn:msh/api" }, clientId, orgnrParent = HelseIdCaller.OrgNumber, cnfJkt = jkt },
        apiSpecificClaims = new[] { new { type = "nhn:msh/client/claims/herid", value = "0" } },
    };

    private static async Task<FakeNhnServer> StartAsync()
    {
        var server = await FakeNhnServer.StartAsync(seed: EdiApiCaller.Seed());
        server.TestTokens.AddApiKey(ApiKey);
        return server;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("another-key")]
    public async Task Without_a_registered_API_key_the_answer_is_401(string? apiKey)
    {
        await using var server = await StartAsync();
        using var response = await PostAsync(server, apiKey, Body(TestKeys.ProofEc.Thumbprint));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("X-Auth-Key", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Audience_is_required_and_a_bad_cnfJkt_is_an_isError_answer()
    {
        await using var server = await StartAsync();
        using var noAudience = await PostAsync(server, ApiKey, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, noAudience.StatusCode);
        Assert.Contains("The Audience field is required.", await noAudience.Content.ReadAsStringAsync());

        using var badJkt = await PostAsync(server, ApiKey, Body("not-a-thumbprint"));
        Assert.Equal(HttpStatusCode.OK, badJkt.StatusCode);
        var answer = JsonSerializer.Deserialize<JsonElement>(await badJkt.Content.ReadAsStringAsync());
        Assert.True(answer.GetProperty("isError").GetBoolean());
        Assert.Contains("cnfJkt", answer.GetProperty("errorResponse").GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task The_token_is_taken_by_the_API_only_with_proofs_from_the_cnfJkt_key()
    {
        await using var server = await StartAsync();
        using var response = await PostAsync(server, ApiKey, Body(TestKeys.ProofEc.Thumbprint));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.False(answer.GetProperty("isError").GetBoolean());
        string token = answer.GetProperty("successResponse").GetProperty("accessTokenJwt").GetString()!;
        var claims = JsonSerializer.Deserialize<JsonElement>(Base64UrlEncoder.Decode(token.Split('.')[1]));
        Assert.Equal(server.Issuer, claims.GetProperty("iss").GetString());
        Assert.Equal("nhn:msh", claims.GetProperty("aud").GetString());
        Assert.Equal("ttt-client", claims.GetProperty("client_id").GetString());
        Assert.Equal("0", claims.GetProperty("nhn:msh/client/claims/herid").GetString());

        using var bound = EdiApiCaller.WithToken(server, new HelseIdCaller(server), token);
        Assert.Equal(HttpStatusCode.OK, (await bound.GetAsync("/ping")).Status);
        using var other = EdiApiCaller.WithToken(server, new HelseIdCaller(server, proofKey: TestKey.Ec()), token);
        var refused = await other.GetAsync("/ping");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Contains("invalid_dpop_proof", refused.Header("WWW-Authenticate"));
    }
}
