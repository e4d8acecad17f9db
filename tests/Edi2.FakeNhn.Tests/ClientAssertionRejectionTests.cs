using System;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>Client authentication failures: each must be invalid_client with a description naming the check.</summary>
public sealed class ClientAssertionRejectionTests : FakeHelseIdTest
{
    [Fact]
    public async Task Strict_typ_demands_the_issuer_as_audience()
    {
        var answer = await _caller.PostAsync(_caller.Assertion(c => c["aud"] = _server.TokenEndpoint), _caller.Proof(null));

        AssertInvalidClient(answer, "'aud'");
        Assert.Contains("client-authentication+jwt", answer.Description);
    }

    [Fact]
    public async Task Strict_typ_accepts_the_issuer_as_one_element_array_or_with_one_trailing_slash_but_not_two_audiences()
    {
        await AssertPassesClientAuthentication(_caller.Assertion(c => c["aud"] = new[] { _server.Issuer }));
        await AssertPassesClientAuthentication(_caller.Assertion(c => c["aud"] = _server.Issuer + "/"));
        await AssertPassesClientAuthentication(_caller.Assertion(typ: "CLIENT-AUTHENTICATION+JWT"));

        AssertInvalidClient(
            await _caller.PostAsync(_caller.Assertion(c => c["aud"] = new[] { _server.Issuer, _server.TokenEndpoint }), _caller.Proof(null)),
            "'aud'");
    }

    [Fact]
    public async Task Without_the_strict_typ_the_token_endpoint_is_an_accepted_audience_unless_strict_mode_is_on()
    {
        await AssertPassesClientAuthentication(_caller.Assertion(c => c["aud"] = _server.TokenEndpoint, typ: "JWT"));

        _server.HelseId.StrictAssertionAudience = true;
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(c => c["aud"] = _server.TokenEndpoint, typ: "JWT"), _caller.Proof(null)), "'aud'");
    }

    [Fact]
    public async Task Assertion_jti_is_spent_by_the_nonce_attempt_so_resending_it_on_the_retry_fails()
    {
        var assertion = _caller.Assertion();
        var first = await _caller.PostAsync(assertion, _caller.Proof(null));
        Assert.Equal("use_dpop_nonce", first.Error);

        var retry = await _caller.PostAsync(assertion, _caller.Proof(first.Nonce));

        AssertInvalidClient(retry, "'jti'");
        Assert.Contains("used before", retry.Description);
    }

    [Fact]
    public async Task Assertion_jti_cannot_be_reused_after_a_success_either()
    {
        var nonce = await _caller.GetNonceAsync();
        var assertion = _caller.Assertion();
        Assert.Equal(HttpStatusCode.OK, (await _caller.PostAsync(assertion, _caller.Proof(nonce))).Status);

        AssertInvalidClient(await _caller.PostAsync(assertion, _caller.Proof(nonce)), "used before");
    }

    [Fact]
    public async Task Two_parallel_requests_with_one_assertion_let_only_one_through()
    {
        var assertion = _caller.Assertion();

        var answers = await Task.WhenAll(_caller.PostAsync(assertion, _caller.Proof(null)), _caller.PostAsync(assertion, _caller.Proof(null)));

        Assert.Equal(["invalid_client", "use_dpop_nonce"], answers.Select(a => a.Error!).Order());
    }

    [Fact]
    public async Task Expired_assertion_is_refused_beyond_the_clock_skew()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var stale = _caller.Assertion(c =>
        {
            c["iat"] = c["nbf"] = now - 400;
            c["exp"] = now - 390; // 6.5 min ago: outside the 5 min skew
        });

        AssertInvalidClient(await _caller.PostAsync(stale, _caller.Proof(null)), "expired");
    }

    [Fact]
    public async Task Assertion_looks_expired_when_the_fake_clock_runs_ahead()
    {
        _server.HelseId.ClockOffset = TimeSpan.FromMinutes(6);

        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(), _caller.Proof(null)), "expired");
    }

    [Fact]
    public async Task Assertion_living_longer_than_60_seconds_is_refused()
    {
        var longLived = _caller.Assertion(c => c["exp"] = (long)c["iat"] + 120);

        var answer = await _caller.PostAsync(longLived, _caller.Proof(null));

        AssertInvalidClient(answer, "lives too long");
        Assert.Contains("120 s", answer.Description);
    }

    [Fact]
    public async Task Assertion_not_yet_valid_or_without_exp_or_jti_is_refused()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(c => { c["iat"] = c["nbf"] = now + 400; c["exp"] = now + 410; }), _caller.Proof(null)), "'nbf'");
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(c => c.Remove("exp")), _caller.Proof(null)), "'exp'");
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(c => c.Remove("jti")), _caller.Proof(null)), "'jti'");
    }

    [Fact]
    public async Task Signature_by_an_unregistered_key_is_refused_with_or_without_a_kid()
    {
        var noKid = TestKey.Rsa("RS256");
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(key: noKid), _caller.Proof(null)), "signature does not verify");

        // OtherRsa's kid is unknown to the fake.
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(key: TestKeys.OtherRsa), _caller.Proof(null)), "'kid'");

        // Right kid, wrong key: the token is tampered with or signed by the wrong key.
        var wrongKeyRightKid = new RsaSecurityKey(((RsaSecurityKey)noKid.SigningKey).Rsa) { KeyId = "client-key-1" };
        var forged = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonWebTokenPayloadOf(_caller.Assertion()), new SigningCredentials(wrongKeyRightKid, "PS256"),
            new System.Collections.Generic.Dictionary<string, object> { ["typ"] = "client-authentication+jwt" });
        AssertInvalidClient(await _caller.PostAsync(forged, _caller.Proof(null)), "signature does not verify");
    }

    [Fact]
    public async Task Symmetric_and_unsigned_assertions_are_refused()
    {
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("a-shared-secret-that-is-long-enough-for-hs256"));
        var hs256 = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonWebTokenPayloadOf(_caller.Assertion()), new SigningCredentials(secret, SecurityAlgorithms.HmacSha256));
        AssertInvalidClient(await _caller.PostAsync(hs256, _caller.Proof(null)), "'alg'");

        var unsigned = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"client-authentication+jwt\"}") + "."
            + new JsonWebToken(_caller.Assertion()).EncodedPayload + ".";
        AssertInvalidClient(await _caller.PostAsync(unsigned, _caller.Proof(null)), "'alg'");

        AssertInvalidClient(await _caller.PostAsync("not-a-jwt", _caller.Proof(null)), "well-formed");
    }

    [Fact]
    public async Task Iss_and_sub_must_both_be_the_client_id()
    {
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(c => c["sub"] = "someone-else"), _caller.Proof(null)), "'sub'");
        AssertInvalidClient(await _caller.PostAsync(_caller.Assertion(c => c["iss"] = c["sub"] = "someone-else"), _caller.Proof(null)), "'iss'");
    }

    [Fact]
    public async Task Unknown_client_missing_client_id_and_wrong_assertion_type_are_invalid_client()
    {
        using var stranger = new HelseIdCaller(_server, clientId: "no-such-client");
        AssertInvalidClient(await stranger.PostAsync(stranger.Assertion(), stranger.Proof(null)), "Unknown client_id");

        var form = _caller.Form(_caller.Assertion());
        form["client_id"] = null;
        AssertInvalidClient(await _caller.PostFormAsync(form, _caller.Proof(null)), "client_id");

        form = _caller.Form(_caller.Assertion());
        form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";
        AssertInvalidClient(await _caller.PostFormAsync(form, _caller.Proof(null)), "client_assertion_type");

        form = _caller.Form(_caller.Assertion());
        form["client_assertion"] = null;
        AssertInvalidClient(await _caller.PostFormAsync(form, _caller.Proof(null)), "client_assertion is missing");
    }

    private async Task AssertPassesClientAuthentication(string assertion)
    {
        var answer = await _caller.PostAsync(assertion, _caller.Proof(null));
        Assert.True(answer.Error == "use_dpop_nonce", answer.ToString()); // got as far as the DPoP nonce check
    }

    private static string JsonWebTokenPayloadOf(string jwt) => Base64UrlEncoder.Decode(new JsonWebToken(jwt).EncodedPayload);

    internal static void AssertInvalidClient(TokenAnswer answer, string descriptionPart)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("invalid_client", answer.Error);
        Assert.Contains(descriptionPart, answer.Description);
        Assert.Null(answer.Nonce);
        TokenEndpointHappyPathTests.AssertNoCache(answer);
    }
}
