using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.Json;
using Edi2.Diagnostics;
using Edi2.FakeNhn;
using Edi2.FakeNhn.Edi;
using Edi2.HelseId;
using Edi2.Model;
using MsgHead = Edi2.Client.Tests.Api.MsgHead;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.Client.Tests.HelseId;

/// <summary>
/// Sessions whose tokens come from NHN's test token service (spec helseid-dpop section 5), against the fake's service
/// and API over loopback: the request the spec lists, the cnfJkt binding the fake API checks on every call, renewal
/// before expiry through the one token cache, what each refusal says, production refused, and the API key kept out of
/// everything.
/// </summary>
public class TestTokenTests
{
    private const string OrgNumber = "999999999";
    private const int HerId = 8142519;

    private static async Task<FakeNhnServer> StartAsync(string apiKey)
    {
        var nhn = await FakeNhnServer.StartAsync();
        nhn.State.AddOrganization(new SeedOrganization { OrgNumber = OrgNumber, HerIds = [HerId, 8142520] });
        nhn.TestTokens.AddApiKey(apiKey);
        return nhn;
    }

    private static string NewApiKey() => "ttt-" + Guid.NewGuid().ToString("N");

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (char c in text) secure.AppendChar(c);
        return secure;
    }

    private static Edi2ConnectionOptions Options(FakeNhnServer nhn, Action<Edi2ConnectionOptions>? configure = null)
    {
        var options = new Edi2ConnectionOptions { ApiBaseUri = nhn.BaseUri, ParentOrganizationNumber = OrgNumber, SourceSystem = "Edi2 tests, v1" };
        configure?.Invoke(options);
        return options;
    }

    private static Edi2TestTokenOptions TestToken(FakeNhnServer nhn, string apiKey, Uri? uri = null) =>
        new Edi2TestTokenOptions(Secure(apiKey)) { Uri = uri ?? new Uri(nhn.Issuer) };

    private static IReadOnlyList<LoggedRequest> TestTokenRequests(FakeNhnServer nhn) =>
        nhn.Requests.Snapshot().Where(r => r.Path.EndsWith("create-test-token-with-key", StringComparison.Ordinal)).ToList();

    private static async Task<Edi2AuthenticationException> ConnectFails(FakeNhnServer nhn, string apiKey, Action<Edi2ConnectionOptions>? configure = null) =>
        await Assert.ThrowsAsync<Edi2AuthenticationException>(() => Edi2Session.ConnectWithTestTokenAsync(Options(nhn, configure), TestToken(nhn, apiKey)));

    [Fact]
    public async Task The_session_asks_for_exactly_the_fields_the_spec_lists_with_its_own_DPoP_key_as_cnfJkt()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        using var session = await Edi2Session.ConnectWithTestTokenAsync(Options(nhn), TestToken(nhn, apiKey));

        var request = Assert.Single(TestTokenRequests(nhn));
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v2/create-test-token-with-key", request.Path); // the base address got the service's path
        Assert.Equal(apiKey, request.Headers["X-Auth-Key"]);
        using var body = JsonDocument.Parse(request.JsonBody!);
        var root = body.RootElement;
        Assert.Equal(["apiSpecificClaims", "audience", "clientClaimsParameters", "withoutDefaultUserClaims"],
            root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("nhn:msh", root.GetProperty("audience").GetString());
        Assert.True(root.GetProperty("withoutDefaultUserClaims").GetBoolean());
        var client = root.GetProperty("clientClaimsParameters");
        Assert.Equal(["clientId", "cnfJkt", "orgnrParent", "scope"], client.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["nhn:msh/api"], client.GetProperty("scope").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(Edi2TestTokenOptions.DefaultClientId, client.GetProperty("clientId").GetString());
        Assert.Equal(OrgNumber, client.GetProperty("orgnrParent").GetString());
        Assert.Equal(session.DPoPKeyThumbprint, client.GetProperty("cnfJkt").GetString());
        var claim = Assert.Single(root.GetProperty("apiSpecificClaims").EnumerateArray());
        Assert.Equal("nhn:msh/client/claims/herid", claim.GetProperty("type").GetString());
        Assert.Equal("0", claim.GetProperty("value").GetString());

        Assert.Equal(Edi2TokenSource.TestTokenService, session.TokenSource);
        Assert.Equal(nhn.TestTokenUri, session.Authority);
        Assert.Equal(Edi2TestTokenOptions.DefaultClientId, session.ClientId);
        Assert.Equal("", session.ClientKeyThumbprint);
        Assert.Equal(DPoPKeyMode.Ephemeral, session.DPoPKeyMode);
        Assert.Equal("nhn:msh/api", session.Scope);
        Assert.Equal("0", session.ClientClaims["nhn:msh/client/claims/herid"]);
        Assert.Equal(OrgNumber, session.ClientClaims["helseid://claims/client/claims/orgnr_parent"]);
    }

    [Fact]
    public async Task A_client_id_and_HER_id_claim_that_are_given_are_sent()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        var testToken = TestToken(nhn, apiKey, nhn.TestTokenUri);
        testToken.HerIdClaim = "8142519-8142520";
        using var session = await Edi2Session.ConnectWithTestTokenAsync(Options(nhn, o => o.ClientId = "my-system"), testToken);

        using var body = JsonDocument.Parse(Assert.Single(TestTokenRequests(nhn)).JsonBody!);
        Assert.Equal("my-system", body.RootElement.GetProperty("clientClaimsParameters").GetProperty("clientId").GetString());
        Assert.Equal("8142519-8142520", body.RootElement.GetProperty("apiSpecificClaims")[0].GetProperty("value").GetString());
        Assert.Equal("my-system", session.ClientId);
        Assert.Equal("8142519-8142520", session.ClientClaims["nhn:msh/client/claims/herid"]);
        Assert.Throws<ArgumentException>(() => testToken.HerIdClaim = "8142519,8142520");
        Assert.Throws<ArgumentException>(() => testToken.HerIdClaim = "0-8142519");
    }

    [Fact]
    public async Task Every_API_call_signs_its_own_fresh_proof_with_the_key_the_token_is_bound_to()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        using var session = await Edi2Session.ConnectWithTestTokenAsync(Options(nhn), TestToken(nhn, apiKey));

        var claims = TestJwks.Decode(await session.GetAccessTokenAsync()).Payload;
        Assert.Equal(session.DPoPKeyThumbprint, claims.GetProperty("cnf").GetProperty("jkt").GetString());
        nhn.Requests.Clear();
        await session.Api.PutConfigurationsAsync([new MshConfiguration { HerId = HerId }]);
        nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [HerId], MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, HerId));
        var notifications = await session.Api.GetNotificationsAsync([HerId], 0);
        await session.Api.PingAsync();

        Assert.NotEmpty(notifications);
        var calls = nhn.Requests.Snapshot();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.InRange(c.StatusCode, 200, 299));
        Assert.Equal(3, calls.Select(c => c.ProofJti).Distinct().Count());
        Assert.All(calls, c => Assert.Equal(Edi2TestTokenOptions.DefaultClientId, c.ClientId));
        Assert.Empty(TestTokenRequests(nhn)); // the cached token served all three
    }

    [Fact]
    public async Task A_new_token_is_asked_for_a_minute_before_the_old_one_expires_through_the_one_cache()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        var clock = new ManualClock();
        using var session = await Edi2Session.ConnectWithTestTokenAsync(Options(nhn), TestToken(nhn, apiKey), clock: clock);
        string first = await session.GetAccessTokenAsync();
        Assert.Equal(clock.GetUtcNow().AddSeconds(600), session.TokenExpiresAt);

        Advance(nhn, clock, TimeSpan.FromSeconds(539)); // 61 s left
        Assert.Equal(first, await session.GetAccessTokenAsync());
        Assert.Single(TestTokenRequests(nhn));

        Advance(nhn, clock, TimeSpan.FromSeconds(2)); // 59 s left
        string second = await session.GetAccessTokenAsync();
        Assert.NotEqual(first, second);
        Assert.Equal(2, TestTokenRequests(nhn).Count);
        Assert.Equal(clock.GetUtcNow().AddSeconds(600), session.TokenExpiresAt);
        await session.Api.PingAsync(); // the fake API takes the new token with a proof from the same key
    }

    [Fact]
    public async Task A_401_from_the_API_gets_a_new_test_token_once_as_with_HelseID()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        using var session = await Edi2Session.ConnectWithTestTokenAsync(Options(nhn), TestToken(nhn, apiKey));
        string first = await session.GetAccessTokenAsync();
        nhn.RotateAccessTokenSigningKey(keepPreviousInJwks: false); // the API no longer takes the cached token

        await session.Api.PingAsync();

        Assert.NotEqual(first, await session.GetAccessTokenAsync());
        Assert.Equal(2, TestTokenRequests(nhn).Count);
        Assert.Equal([401, 200], nhn.Requests.Snapshot().Where(r => r.Path == "/ping").Select(r => r.StatusCode));
    }

    [Fact]
    public async Task PascalCase_answers_are_read_as_well()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        nhn.TestTokens.PascalCaseResponse = true;
        using var session = await Edi2Session.ConnectWithTestTokenAsync(Options(nhn), TestToken(nhn, apiKey));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, nhn.TestTokenUri) { Content = new StringContent("""{"audience":"nhn:msh"}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Auth-Key", apiKey);
        using var response = await http.SendAsync(request);
        Assert.Contains("\"SuccessResponse\"", await response.Content.ReadAsStringAsync()); // the knob works: the session above read PascalCase
        await session.Api.PingAsync();
    }

    [Fact]
    public async Task A_wrong_API_key_is_refused_with_what_the_service_said_and_without_either_key()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        string wrong = NewApiKey();
        var e = await ConnectFails(nhn, wrong);

        Assert.Equal(AuthenticationErrorReason.TestTokenApiKeyRejected, e.AuthenticationReason);
        Assert.Equal("Authentication.TestTokenApiKeyRejected", e.Reason);
        Assert.Equal(401, e.StatusCode);
        Assert.Contains("refused the API key (HTTP 401: Unauthorized; The X-Auth-Key header is missing or holds no valid API key.)", e.Message);
        Assert.Contains(nhn.TestTokenUri.ToString(), e.Message);
        Assert.Contains("-TestTokenApiKey", e.Message);
        Assert.DoesNotContain(wrong, e.ToString());
        Assert.DoesNotContain(apiKey, e.ToString());
    }

    [Fact]
    public async Task A_refusal_names_the_services_errorMessage()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        nhn.TestTokens.RefuseNext("The audience 'nhn:msh' is not available for this API key.");
        var e = await ConnectFails(nhn, apiKey);

        Assert.Equal(AuthenticationErrorReason.TestTokenRefused, e.AuthenticationReason);
        Assert.Equal(200, e.StatusCode);
        Assert.Contains("did not issue a token for audience nhn:msh, scope nhn:msh/api (HTTP 200: The audience 'nhn:msh' is not available for this API key.)", e.Message);
        Assert.Equal("The audience 'nhn:msh' is not available for this API key.", e.ErrorDescription);
    }

    [Fact]
    public async Task A_validation_problem_names_the_fields()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        nhn.Faults.FailNext("POST", "/v2/create-test-token-with-key", 1, ApiFault.Status(400,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"ClientClaimsParameters.CnfJkt":["The field CnfJkt is invalid."]}}""", "application/problem+json"));
        var e = await ConnectFails(nhn, apiKey);

        Assert.Equal(AuthenticationErrorReason.TestTokenRefused, e.AuthenticationReason);
        Assert.Contains("(HTTP 400: One or more validation errors occurred.; ClientClaimsParameters.CnfJkt: The field CnfJkt is invalid.)", e.Message);
    }

    [Theory]
    [InlineData(502, "<html><body>Bad gateway</body></html>", "text/html")]
    [InlineData(500, "upstream timed out", "text/plain")]
    [InlineData(200, "[1,2]", "application/json")]
    public async Task An_answer_that_is_not_the_services_is_UnexpectedResponse(int status, string body, string contentType)
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        nhn.Faults.FailNext("POST", "/v2/create-test-token-with-key", 1, ApiFault.Status(status, body, contentType));
        var e = await ConnectFails(nhn, apiKey);

        Assert.Equal(AuthenticationErrorReason.UnexpectedResponse, e.AuthenticationReason);
        Assert.Contains($"answered HTTP {status}", e.Message);
        Assert.Contains($"content type {contentType}", e.Message);
        Assert.DoesNotContain("Bad gateway", e.Message); // an HTML page is not quoted
    }

    [Fact]
    public async Task A_token_bound_to_another_key_or_to_none_is_refused_clearly()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        string other = Jwt(new { exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(), cnf = new { jkt = "aoezvIe32RdFpTP4FIxwBYb6VGX0dp3ecvoVjFkdXQk" } });
        string unbound = Jwt(new { exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds() });
        foreach (string token in new[] { other, unbound })
        {
            nhn.Faults.FailNext("POST", "/v2/create-test-token-with-key", 1, ApiFault.Status(200,
                JsonSerializer.Serialize(new { isError = false, successResponse = new { accessTokenJwt = token } })));
        }

        var e = await ConnectFails(nhn, apiKey);
        Assert.Equal(AuthenticationErrorReason.InvalidTokenResponse, e.AuthenticationReason);
        Assert.Contains("issued a token bound to another key (cnf.jkt aoezvIe32RdFpTP4FIxwBYb6VGX0dp3ecvoVjFkdXQk) than this session's DPoP key", e.Message);
        e = await ConnectFails(nhn, apiKey);
        Assert.Contains("issued a token bound to no key (no cnf.jkt)", e.Message);
    }

    [Fact]
    public async Task Production_is_refused_before_any_request()
    {
        var handler = new CountingHandler();
        var testToken = new Edi2TestTokenOptions(Secure("key"));
        foreach (var options in new[]
        {
            new Edi2ConnectionOptions { Environment = Edi2Environment.Production },
            new Edi2ConnectionOptions { Environment = Edi2Environment.Production, ApiBaseUri = new Uri("http://127.0.0.1:1/") },
            new Edi2ConnectionOptions { ApiBaseUri = new Uri("https://api.hn-tjener.prod.melding.nhn.no/") },
        })
        {
            var e = await Assert.ThrowsAsync<Edi2AuthenticationException>(() => Edi2Session.ConnectWithTestTokenAsync(options, testToken, handler: handler));
            Assert.Equal(AuthenticationErrorReason.TestTokenNotForProduction, e.AuthenticationReason);
            Assert.Contains("test environment only", e.Message);
        }
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public void The_service_address_must_be_https_except_on_loopback()
    {
        var e = Assert.Throws<ArgumentException>(() => Edi2Session.CreateWithTestToken(new Edi2ConnectionOptions(),
            new Edi2TestTokenOptions(Secure("key")) { Uri = new Uri("http://ttt.example.org/") }));
        Assert.Contains("test token service URI 'http://ttt.example.org/' must use https", e.Message);
        using var session = Edi2Session.CreateWithTestToken(new Edi2ConnectionOptions(), new Edi2TestTokenOptions(Secure("key")));
        Assert.Equal(new Uri("https://helseid-ttt.test.nhn.no/v2/create-test-token-with-key"), session.Authority);
    }

    [Fact]
    public async Task The_API_key_is_in_no_trace_error_or_session_property_and_an_echo_of_it_is_redacted()
    {
        string apiKey = NewApiKey();
        await using var nhn = await StartAsync(apiKey);
        var traces = new List<Edi2HttpTrace>();
        Edi2Session session;
        Edi2AuthenticationException echoed;
        using (Edi2TraceScope.Begin(t => { lock (traces) traces.Add(t); }))
        {
            session = await Edi2Session.ConnectWithTestTokenAsync(Options(nhn), TestToken(nhn, apiKey));
            await session.Api.PingAsync();
            nhn.Faults.FailNext("POST", "/v2/create-test-token-with-key", 1, ApiFault.Status(400,
                JsonSerializer.Serialize(new { isError = true, errorResponse = new { errorMessage = $"Unknown key {apiKey} for audience nhn:msh" } })));
            echoed = await ConnectFails(nhn, apiKey);
        }

        using (session)
        {
            var tokenTrace = traces.First(t => t.Uri.AbsolutePath.EndsWith("create-test-token-with-key", StringComparison.Ordinal));
            Assert.Contains("X-Auth-Key: <api key>", tokenTrace.RequestHeaders);
            Assert.Contains($"cnfJkt={session.DPoPKeyThumbprint}", tokenTrace.RequestHeaders);
            Assert.All(traces, t => Assert.DoesNotContain(apiKey, t.ToString() + t.RequestHeaders + t.Note));
            Assert.Contains("Unknown key <api key> for audience nhn:msh", echoed.Message);
            Assert.DoesNotContain(apiKey, echoed.ToString() + echoed.ErrorDescription);
            foreach (var property in typeof(Edi2Session).GetProperties())
            {
                Assert.DoesNotContain(apiKey, Convert.ToString(property.GetValue(session)) ?? "");
            }
            Assert.DoesNotContain(apiKey, JsonSerializer.Serialize(session.ClientClaims) + session);
        }
    }

    private static void Advance(FakeNhnServer nhn, ManualClock clock, TimeSpan by)
    {
        clock.Advance(by);
        nhn.HelseId.ClockOffset += by;
    }

    private static string Jwt(object payload) =>
        Base64UrlEncoder.Encode("""{"alg":"RS256","typ":"at+jwt"}""") + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload)) + ".c2ln";

    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("No request may be sent.");
        }
    }
}
