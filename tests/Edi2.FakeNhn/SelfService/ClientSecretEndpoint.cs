using System;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn.Edi;
using Microsoft.AspNetCore.Http;
using FakeJwk = Edi2.FakeNhn.Security.Jwk;

namespace Edi2.FakeNhn.SelfService;

/// <summary>
/// HelseID self-service's <c>POST /v1/client-secret</c> (spec helseid-dpop 2.3): authenticated like the EDI 2.0 API
/// (a DPoP-bound token of the fake HelseID, here for audience nhn:selvbetjening and scope nhn:selvbetjening/client,
/// and a proof for this request), body = the client's new public JWK. The key is registered for the calling client at
/// once (the fake HelseID accepts assertions signed with it from then on) and the answer is {"expiration": ...}.
/// </summary>
internal sealed class ClientSecretEndpoint
{
    public const string Path = "/v1/client-secret";
    public const string Audience = "nhn:selvbetjening";
    public const string Scope = "nhn:selvbetjening/client";

    private readonly ApiAuthentication _authentication;
    private readonly FakeNhnState _state;
    private readonly FakeSelfServiceOptions _options;
    private readonly FakeClock _clock;

    public ClientSecretEndpoint(ApiAuthentication authentication, FakeNhnState state, FakeSelfServiceOptions options, FakeClock clock)
    {
        _authentication = authentication;
        _state = state;
        _options = options;
        _clock = clock;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }

        var authenticated = _authentication.Authenticate(context.Request, RequestLog.Current(context));
        if (authenticated.Token is not { } token)
        {
            await ApiAuthentication.WriteChallengeAsync(context, 3, authenticated);
            return;
        }

        string body;
        using (var reader = new StreamReader(context.Request.Body))
        {
            body = await reader.ReadToEndAsync();
        }

        JsonElement jwk;
        try
        {
            jwk = JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException)
        {
            await Problems.WriteV3Async(context, StatusCodes.Status400BadRequest, "The body is not JSON: send the new public JWK.", 0);
            return;
        }

        if (jwk.ValueKind != JsonValueKind.Object)
        {
            await Problems.WriteV3Async(context, StatusCodes.Status400BadRequest, "The body must be a JWK (a JSON object).", 0);
            return;
        }

        if (FakeJwk.HasPrivateMembers(jwk))
        {
            await Problems.WriteV3Async(context, StatusCodes.Status400BadRequest, "The JWK holds private key members; send the public key only.", 0);
            return;
        }

        if (!FakeJwk.TryReadPublicKey(jwk, out _, out var problem))
        {
            await Problems.WriteV3Async(context, StatusCodes.Status400BadRequest, $"The JWK is not a usable public key: {problem}.", 0);
            return;
        }

        if (_options.KeepPreviousKeys)
        {
            _state.AddClientKey(token.ClientId, body);
        }
        else
        {
            _state.ReplaceClientKeys(token.ClientId, body);
        }

        if (_options.AnswerDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(_options.AnswerDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client went away (was killed) after the key was registered
            }
        }

        var expiration = _clock.UtcNow + _options.KeyLifetime;
        await ApiJson.WriteAsync(context, StatusCodes.Status200OK, new { expiration }, "application/json; charset=utf-8");
    }
}
