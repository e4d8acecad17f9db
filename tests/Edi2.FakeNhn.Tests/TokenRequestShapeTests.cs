using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>The HTTP shape of a token request, grant type and scope.</summary>
public sealed class TokenRequestShapeTests : FakeHelseIdTest
{
    [Fact]
    public async Task Only_a_form_POST_is_a_token_request()
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, _server.TokenEndpoint);
        AssertInvalidRequest(await _caller.SendAsync(get));

        using var json = new HttpRequestMessage(HttpMethod.Post, _server.TokenEndpoint)
        {
            Content = new StringContent("{\"grant_type\":\"client_credentials\"}", Encoding.UTF8, "application/json"),
        };
        AssertInvalidRequest(await _caller.SendAsync(json));

        using var multipart = new HttpRequestMessage(HttpMethod.Post, _server.TokenEndpoint)
        {
            Content = new MultipartFormDataContent { { new StringContent("client_credentials"), "grant_type" } },
        };
        AssertInvalidRequest(await _caller.SendAsync(multipart));
    }

    [Fact]
    public async Task A_parameter_given_twice_is_invalid_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _server.TokenEndpoint)
        {
            Content = new StringContent(
                "grant_type=client_credentials&client_id=a&client_id=b", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        var answer = await _caller.SendAsync(request);

        AssertInvalidRequest(answer);
        Assert.Contains("'client_id'", answer.Description);
    }

    [Fact]
    public async Task Grant_type_must_be_client_credentials()
    {
        var form = _caller.Form(_caller.Assertion());
        form["grant_type"] = "password";

        var answer = await _caller.PostFormAsync(form, _caller.Proof(null));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("unsupported_grant_type", answer.Error);
    }

    [Fact]
    public async Task Scope_not_allowed_for_the_client_is_invalid_scope_after_the_nonce_round_trip_as_in_Duende()
    {
        var first = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null), scope: "nhn:msh/api nhn:selvbetjening/client");
        Assert.Equal("use_dpop_nonce", first.Error); // Duende validates the proof before the scope

        var answer = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(first.Nonce), scope: "nhn:msh/api nhn:selvbetjening/client");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_scope", answer.Error);
        Assert.Contains("nhn:selvbetjening/client", answer.Description);
        TokenEndpointHappyPathTests.AssertNoCache(answer);
    }

    private static void AssertInvalidRequest(TokenAnswer answer)
    {
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        TokenEndpointHappyPathTests.AssertNoCache(answer);
    }
}
