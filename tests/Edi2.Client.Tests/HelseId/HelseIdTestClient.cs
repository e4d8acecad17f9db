using System.Net.Http;
using System.Text.Json;
using Edi2.FakeNhn;
using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

/// <summary>Registers a client with a fresh key in the fake NHN and builds the engine's token provider for it.</summary>
internal static class HelseIdTestClient
{
    public const string OrgNumber = "999999999";

    public static void Register(FakeNhnServer nhn, string clientId, string privateJwk, Action<SeedClient>? configure = null)
    {
        if (!nhn.State.TryGetClient(clientId, out _))
        {
            nhn.State.AddOrganization(new SeedOrganization { OrgNumber = OrgNumber, HerIds = [8142519, 8142520] });
        }
        var client = new SeedClient
        {
            ClientId = clientId,
            OrgNumber = OrgNumber,
            PublicJwk = TestJwks.Json(TestJwks.PublicOf(privateJwk)),
            HeridClaim = "0",
        };
        configure?.Invoke(client);
        nhn.State.AddClient(client);
    }

    public static HelseIdTokenProvider Provider(FakeNhnServer nhn, string clientId, string privateJwk,
        DPoPKeyMode mode = DPoPKeyMode.Ephemeral, HttpMessageHandler? handler = null, TimeProvider? clock = null,
        OrganizationNumbers? organizations = null, Uri? authority = null)
    {
        var settings = new HelseIdClientSettings(authority ?? new Uri(nhn.Issuer), clientId, organizations);
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        return new HelseIdTokenProvider(settings, SigningKey.FromJwk(privateJwk), mode, http, clock: clock);
    }

    public static IReadOnlyList<LoggedRequest> TokenRequests(FakeNhnServer nhn) =>
        nhn.Requests.Snapshot().Where(r => r.Path.EndsWith("/connect/token", StringComparison.Ordinal)).ToList();

    public static JsonElement Claims(AccessToken token) => TestJwks.Decode(token.Value).Payload;
}
