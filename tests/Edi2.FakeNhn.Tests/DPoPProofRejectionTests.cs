using System;
using System.Net;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>DPoP proof failures at the token endpoint, with Duende's error texts.</summary>
public sealed class DPoPProofRejectionTests : FakeHelseIdTest
{
    [Theory]
    [InlineData("?client=1")]
    [InlineData("#fragment")]
    [InlineData("/")]
    public async Task Htu_with_a_query_fragment_or_other_path_is_not_the_token_endpoint(string suffix)
    {
        var answer = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["htu"] = _server.TokenEndpoint + suffix));

        AssertInvalidProof(answer, "Invalid 'htu' value.");
    }

    [Fact]
    public async Task Htu_scheme_and_host_compare_case_insensitively_but_the_port_must_match()
    {
        var upper = _server.TokenEndpoint.Replace("http://", "HTTP://");
        Assert.Equal("use_dpop_nonce", (await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["htu"] = upper))).Error);

        var otherPort = $"http://127.0.0.1:{(_server.Port == 1 ? 2 : 1)}/connect/token";
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["htu"] = otherPort)), "Invalid 'htu' value.");
    }

    [Fact]
    public async Task Htm_must_be_POST()
    {
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["htm"] = "GET")), "Invalid 'htm' value.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["htm"] = "post")), "Invalid 'htm' value.");
    }

    [Fact]
    public async Task Private_members_in_the_proof_jwk_are_refused()
    {
        var leaky = _caller.Proof(null, jwkJson: _caller.ProofKey.PrivateJwkJson());

        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), leaky), "'jwk' value contains a private key.");
    }

    [Fact]
    public async Task Proof_header_must_have_typ_dpop_jwt_a_jwk_matching_the_signature()
    {
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, typ: "JWT")), "Invalid 'typ' value.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, jwkJson: "{\"kty\":\"oct\"}")), "Invalid 'jwk' value.");
        AssertInvalidProof(
            await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, jwkJson: TestKey.Ec().PublicJwkJson)),
            "Invalid signature on DPoP token.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), "not.a.jwt"), "Malformed DPoP token.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), new string('a', 4001)), "DPoP proof token is too long.");
    }

    [Fact]
    public async Task Proof_needs_a_jti_and_an_iat_within_the_window()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c.Remove("jti"))), "Invalid 'jti' value.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c.Remove("iat"))), "Missing 'iat' value.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["iat"] = now + 0.5)), "Missing 'iat' value.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["iat"] = now - 400)), "Invalid 'iat' value.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["iat"] = now + 400)), "Invalid 'iat' value.");

        _server.HelseId.ProofIatWindow = TimeSpan.FromSeconds(5);
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["iat"] = now - 30)), "Invalid 'iat' value.");
    }

    [Fact]
    public async Task Missing_DPoP_header_is_invalid_request_as_in_Duende()
    {
        var answer = await _caller.PostAsync(_caller.Assertion(), proof: null);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal("Client requires DPoP and a DPoP header value was not provided.", answer.Description);
    }

    [Fact]
    public async Task Replayed_proof_jti_is_detected_but_only_proofs_that_passed_everything_else_spend_their_jti()
    {
        var nonce = await _caller.GetNonceAsync();
        var jti = Guid.NewGuid().ToString();

        // A proof that fails on htm does not record its jti ...
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(nonce, c => { c["jti"] = jti; c["htm"] = "GET"; })), "Invalid 'htm' value.");
        // ... neither does one that only earns use_dpop_nonce ...
        Assert.Equal("use_dpop_nonce", (await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null, c => c["jti"] = jti))).Error);
        // ... so the jti is still good once.
        var proof = _caller.Proof(nonce, c => c["jti"] = jti);
        Assert.Equal(HttpStatusCode.OK, (await _caller.PostAsync(_caller.Assertion(), proof)).Status);

        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), proof), "Detected replay of DPoP proof token.");
        AssertInvalidProof(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(nonce, c => c["jti"] = jti)), "Detected replay of DPoP proof token.");
    }

    [Fact]
    public async Task Expired_nonce_earns_use_dpop_nonce_with_a_fresh_nonce()
    {
        var nonce = await _caller.GetNonceAsync();
        _server.HelseId.ClockOffset = TimeSpan.FromSeconds(61); // the nonce is now older than its 60 s

        var answer = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(nonce));

        AssertUseNonce(answer, "Invalid 'nonce' value.");
        Assert.NotEqual(nonce, answer.Nonce);
        Assert.Equal(HttpStatusCode.OK, (await _caller.PostAsync(_caller.Assertion(), _caller.Proof(answer.Nonce))).Status);
    }

    [Fact]
    public async Task NonceLifetime_knob_shortens_the_nonce_life()
    {
        _server.HelseId.NonceLifetime = TimeSpan.Zero;
        var nonce = await _caller.GetNonceAsync();
        _server.HelseId.ClockOffset = TimeSpan.FromSeconds(2);

        AssertUseNonce(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(nonce)), "Invalid 'nonce' value.");
    }

    [Fact]
    public async Task Forged_or_tampered_nonces_are_refused()
    {
        var nonce = await _caller.GetNonceAsync();
        var tampered = nonce[..5] + (nonce[5] == 'A' ? 'B' : 'A') + nonce[6..];

        AssertUseNonce(await _caller.PostAsync(_caller.Assertion(), _caller.Proof("made-up-nonce")), "Invalid 'nonce' value.");
        AssertUseNonce(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(tampered)), "Invalid 'nonce' value.");
        AssertUseNonce(await _caller.PostAsync(_caller.Assertion(), _caller.Proof("")), "Missing 'nonce' value.");
    }

    [Fact]
    public async Task A_nonce_from_another_server_is_refused()
    {
        await using var other = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        using var otherCaller = new HelseIdCaller(other);
        var foreignNonce = await otherCaller.GetNonceAsync();

        AssertUseNonce(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(foreignNonce)), "Invalid 'nonce' value.");
    }

    [Fact]
    public async Task AlwaysDemandNonce_refuses_even_a_good_nonce()
    {
        var nonce = await _caller.GetNonceAsync();
        _server.HelseId.AlwaysDemandNonce = true;

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var answer = await _caller.PostAsync(_caller.Assertion(), _caller.Proof(nonce));
            AssertUseNonce(answer, "Invalid 'nonce' value.");
            nonce = answer.Nonce!;
        }
    }

    internal static void AssertInvalidProof(TokenAnswer answer, string description)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("invalid_dpop_proof", answer.Error);
        Assert.Equal(description, answer.Description);
        Assert.Null(answer.Nonce);
    }

    private static void AssertUseNonce(TokenAnswer answer, string description)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("use_dpop_nonce", answer.Error);
        Assert.Equal(description, answer.Description);
        Assert.False(string.IsNullOrEmpty(answer.Nonce));
        TokenEndpointHappyPathTests.AssertNoCache(answer);
    }
}
