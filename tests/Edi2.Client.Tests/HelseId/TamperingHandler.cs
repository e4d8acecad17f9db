using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.Client.Tests.HelseId;

/// <summary>
/// A man in the middle for token requests: rewrites the client assertion or the DPoP proof the engine sent and
/// re-signs it with the test's copy of the key, then sends it on to the real fake HelseID. It shows that the fake
/// catches each kind of tampering and that the engine reports the refusal clearly.
/// </summary>
internal sealed class TamperingHandler : DelegatingHandler
{
    private readonly SecurityKey _key;
    private readonly string _algorithm;
    private string? _lastAssertion;

    public TamperingHandler(string privateJwk, string algorithm) : base(new HttpClientHandler())
    {
        _key = new JsonWebKey(privateJwk);
        _algorithm = algorithm;
    }

    /// <summary>Changes the assertion's claims; return null to leave it as sent.</summary>
    public Func<JsonObject, JsonObject?>? Assertion { get; init; }

    /// <summary>Changes the proof's header and claims.</summary>
    public Action<JsonObject, JsonObject>? Proof { get; init; }

    /// <summary>Send the previous request's assertion again (a replayed jti).</summary>
    public bool ReplayAssertion { get; init; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Post && request.Content is not null)
        {
            var form = (await request.Content.ReadAsStringAsync(cancellationToken)).Split('&')
                .Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
            string assertion = form["client_assertion"];
            if (Assertion is not null)
            {
                var (header, claims) = Split(assertion);
                var changed = Assertion(claims);
                if (changed is not null) assertion = Sign(header, changed);
            }
            if (ReplayAssertion && _lastAssertion is not null) assertion = _lastAssertion;
            _lastAssertion = assertion;
            form["client_assertion"] = assertion;
            request.Content = new FormUrlEncodedContent(form);

            if (Proof is not null && request.Headers.TryGetValues("DPoP", out var proofs))
            {
                var (header, claims) = Split(proofs.Single());
                Proof(header, claims);
                request.Headers.Remove("DPoP");
                request.Headers.Add("DPoP", Sign(header, claims));
            }
        }
        return await base.SendAsync(request, cancellationToken);
    }

    private static object Plain(JsonNode node) => node switch
    {
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value!)),
        JsonArray a => a.Select(v => Plain(v!)).ToList(),
        _ => node.GetValueKind() switch
        {
            JsonValueKind.Number => node.GetValue<long>(),
            JsonValueKind.True or JsonValueKind.False => node.GetValue<bool>(),
            _ => node.GetValue<string>(),
        },
    };

    private static (JsonObject Header, JsonObject Claims) Split(string jwt)
    {
        var parts = jwt.Split('.');
        return ((JsonObject)JsonNode.Parse(Base64UrlEncoder.Decode(parts[0]))!, (JsonObject)JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!);
    }

    private string Sign(JsonObject header, JsonObject claims)
    {
        var extra = header.Where(p => p.Key is not "alg" and not "kid").ToDictionary(p => p.Key, p => Plain(p.Value!));
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }
            .CreateToken(claims.ToJsonString(), new SigningCredentials(_key, _algorithm), extra);
    }
}
