using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>The API's 401s (RFC 9449 §7) and header checks, one broken thing at a time, then a good call.</summary>
public sealed class EdiApiAuthenticationTests : IClassFixture<EdiApiFixture>
{
    private const string Algs = "algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"";

    private readonly FakeNhnServer _server;
    private readonly EdiApiCaller _api;

    public EdiApiAuthenticationTests(EdiApiFixture fixture)
    {
        fixture.Reset();
        _server = fixture.Server;
        _api = fixture.Api;
    }

    [Fact]
    public async Task A_correct_call_passes_and_the_log_shows_what_was_sent()
    {
        var answer = await _api.GetAsync("/ping");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var entry = _server.Requests.Snapshot().Last();
        Assert.Equal(("GET", "/ping", "3", 200), (entry.Method, entry.Path, entry.ApiVersion, entry.StatusCode));
        Assert.Equal("DPoP " + _api.AccessToken, entry.Headers["Authorization"]);
        Assert.Equal(HelseIdCaller.ClientId, entry.ClientId);
        Assert.Equal(_api.Url("/ping"), entry.ProofHtu);
        Assert.NotNull(entry.ProofJti);
    }

    [Fact]
    public async Task Bearer_or_no_Authorization_gets_a_bare_DPoP_challenge()
    {
        var bearer = _api.Request(HttpMethod.Get, "/ping");
        bearer.Headers.Remove("Authorization");
        bearer.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _api.AccessToken);
        var missing = _api.Request(HttpMethod.Get, "/ping");
        missing.Headers.Remove("Authorization");

        foreach (var answer in new[] { await _api.SendAsync(bearer), await _api.SendAsync(missing) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.Equal("DPoP " + Algs, answer.Header("WWW-Authenticate"));
            Assert.Equal("application/problem+json", answer.MediaType);
            Assert.Equal(401, answer.Json.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task v2_401_has_an_empty_body()
    {
        var request = _api.Request(HttpMethod.Get, "/Messages?ReceiverHerIds=8142519", version: "2");
        request.Headers.Remove("DPoP");

        var answer = await _api.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("", answer.Body);
        Assert.StartsWith("DPoP error=\"invalid_dpop_proof\", error_description=\"Missing DPoP proof value.\"", answer.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task Missing_or_doubled_DPoP_header_is_an_invalid_proof()
    {
        var missing = _api.Request(HttpMethod.Get, "/ping");
        missing.Headers.Remove("DPoP");
        AssertChallenge(await _api.SendAsync(missing), "invalid_dpop_proof", "Missing DPoP proof value.");

        var doubled = _api.Request(HttpMethod.Get, "/ping");
        doubled.Headers.TryAddWithoutValidation("DPoP", _api.Proof("GET", _api.Url("/ping")));
        AssertChallenge(await _api.SendAsync(doubled), "invalid_dpop_proof", "Too many DPoP headers provided.");
    }

    [Fact]
    public async Task Proof_must_carry_the_hash_of_this_token()
    {
        AssertChallenge(await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", editProof: c => c["ath"] = "AAAA")), "invalid_dpop_proof", "Invalid 'ath' value.");
        AssertChallenge(await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", editProof: c => c.Remove("ath"))), "invalid_dpop_proof", "Invalid 'ath' value.");
    }

    [Fact]
    public async Task Proof_key_must_be_the_one_the_token_is_bound_to()
    {
        var request = _api.Request(HttpMethod.Get, "/ping");
        request.Headers.Remove("DPoP");
        var boundKey = _api.HelseId.ProofKey;
        try
        {
            _api.HelseId.ProofKey = TestKey.Ec("ES256");
            request.Headers.TryAddWithoutValidation("DPoP", _api.Proof("GET", _api.Url("/ping")));
        }
        finally
        {
            _api.HelseId.ProofKey = boundKey;
        }

        AssertChallenge(await _api.SendAsync(request), "invalid_dpop_proof", "Invalid 'cnf' value.");
    }

    [Theory]
    [InlineData("/ping?x=1")]
    [InlineData("/PING")] // the path is compared exactly, although routing is case-insensitive
    [InlineData("/notifications")]
    public async Task Htu_must_be_this_URL_without_query(string htuPath)
    {
        var answer = await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", editProof: c => c["htu"] = _api.Url(htuPath)));

        AssertChallenge(answer, "invalid_dpop_proof", "Invalid 'htu' value.");
    }

    [Fact]
    public async Task Htu_ignores_the_request_query_and_compares_scheme_and_host_case_insensitively()
    {
        var answer = await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping?probe=1",
            editProof: c => c["htu"] = _api.Url("/ping").Replace("http://127.0.0.1", "HTTP://127.0.0.1")));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task Htm_must_be_the_request_method()
    {
        AssertChallenge(await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", editProof: c => c["htm"] = "POST")), "invalid_dpop_proof", "Invalid 'htm' value.");
    }

    [Fact]
    public async Task A_proof_is_good_for_one_request_only()
    {
        var first = _api.Request(HttpMethod.Get, "/ping");
        var proof = first.Headers.GetValues("DPoP").Single();
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(first)).Status);

        var replay = _api.Request(HttpMethod.Get, "/ping");
        replay.Headers.Remove("DPoP");
        replay.Headers.TryAddWithoutValidation("DPoP", proof);
        AssertChallenge(await _api.SendAsync(replay), "invalid_dpop_proof", "Detected replay of DPoP proof token.");
    }

    [Fact]
    public async Task Proof_iat_must_be_recent()
    {
        var old = DateTimeOffset.UtcNow.AddSeconds(-70).ToUnixTimeSeconds();
        AssertChallenge(await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", editProof: c => c["iat"] = old)), "invalid_dpop_proof", "Invalid 'iat' value.");

        _server.Api.ProofIatWindow = TimeSpan.FromMinutes(5);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", editProof: c => c["iat"] = old))).Status);
    }

    [Fact]
    public async Task Expired_token_is_an_invalid_token()
    {
        _server.HelseId.ClockOffset = TimeSpan.FromSeconds(600 + 11); // lifetime 600 s, skew 10 s

        var answer = await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping"));

        AssertChallenge(answer, "invalid_token", "The access token expired at");
    }

    [Fact]
    public async Task Tampered_token_or_token_for_another_audience_is_refused()
    {
        using var otherCaller = new HelseIdCaller(_server);
        var other = await otherCaller.GetTokenAsync("nhn:other/api");
        var request = _api.Request(HttpMethod.Get, "/ping");
        Swap(request, other.AccessToken);
        AssertChallenge(await _api.SendAsync(request), "invalid_token", "The audience is invalid; expected 'nhn:msh'.");

        var parts = _api.AccessToken.Split('.');
        var tampered = parts[0] + "." + parts[1] + "." + parts[2][..^4] + (parts[2].EndsWith("AAAA") ? "BBBB" : "AAAA");
        request = _api.Request(HttpMethod.Get, "/ping");
        Swap(request, tampered);
        AssertChallenge(await _api.SendAsync(request), "invalid_token", "The access token signature is invalid.");
    }

    [Fact]
    public async Task Tokens_verify_with_any_key_in_the_JWKS_and_only_those()
    {
        // Its own server: rotation changes what every other test's token is checked against.
        await using var server = await FakeNhnServer.StartAsync(seed: EdiApiCaller.Seed());
        using var first = await EdiApiCaller.CreateAsync(server);

        server.RotateAccessTokenSigningKey(keepPreviousInJwks: false);
        AssertChallenge(await first.SendAsync(first.Request(HttpMethod.Get, "/ping")), "invalid_token", "The signing key '");

        using var second = await EdiApiCaller.CreateAsync(server);
        server.RotateAccessTokenSigningKey(keepPreviousInJwks: true);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/ping")).Status);
    }

    [Fact]
    public async Task Api_version_is_required_and_must_be_2_or_3()
    {
        var missing = await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", version: null));
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("ApiVersionUnspecified", missing.Json.GetProperty("code").GetString());

        var vNext = await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", version: "2-vNext"));
        Assert.Equal(HttpStatusCode.BadRequest, vNext.Status);
        Assert.Equal("UnsupportedApiVersion", vNext.Json.GetProperty("code").GetString());

        // /ping exists in v3 only
        Assert.Equal("UnsupportedApiVersion", (await _api.GetAsync("/ping", version: "2")).Json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Nhn_source_system_is_required()
    {
        var request = _api.Request(HttpMethod.Get, "/ping");
        request.Headers.Remove("nhn-source-system");

        var answer = await _api.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1001, answer.ErrorCode);
        Assert.Contains("nhn-source-system", answer.Json.GetProperty("validationErrors")[0].GetString());
    }

    [Fact]
    public async Task Resource_server_nonce_round_trip_when_required()
    {
        _server.Api.RequireNonce = true;

        var first = await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping"));
        Assert.Equal(HttpStatusCode.Unauthorized, first.Status);
        Assert.Equal("DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"", first.Header("WWW-Authenticate"));
        var nonce = first.Header("DPoP-Nonce");
        Assert.False(string.IsNullOrEmpty(nonce));

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", nonce: nonce))).Status);

        // HelseID's nonces are not the API's.
        var helseIdNonce = await _api.HelseId.GetNonceAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(_api.Request(HttpMethod.Get, "/ping", nonce: helseIdNonce))).Status);
    }

    [Fact]
    public async Task Unknown_API_path_is_404_and_a_wrong_method_405()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync("/messages/x/y/z")).Status);
        var answer = await _api.SendAsync(HttpMethod.Delete, "/ping");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.Status);
    }

    private static void Swap(HttpRequestMessage request, string token)
    {
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
    }

    private static void AssertChallenge(ApiAnswer answer, string error, string descriptionStart)
    {
        Assert.True(answer.Status == HttpStatusCode.Unauthorized, answer.ToString());
        var challenge = answer.Header("WWW-Authenticate");
        Assert.StartsWith($"DPoP error=\"{error}\", error_description=\"{descriptionStart}", challenge);
        Assert.EndsWith(Algs, challenge);
        Assert.StartsWith(descriptionStart, answer.Json.GetProperty("detail").GetString());
    }
}
