using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>An API answer, read once.</summary>
internal sealed record ApiAnswer(HttpStatusCode Status, string Body, string? MediaType, HttpResponseMessage Raw)
{
    public JsonElement Json => JsonSerializer.Deserialize<JsonElement>(Body);

    public int ErrorCode => Json.GetProperty("errorCode").GetInt32();

    public string? Header(string name) =>
        Raw.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : Raw.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues)
        : null;

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>
/// A hand-made EDI 2.0 client for testing the fake API: a token from the fake HelseID (nonce dance done by
/// <see cref="HelseIdCaller"/>), then a fresh DPoP proof per request with htm, htu (no query) and ath.
/// </summary>
internal sealed class EdiApiCaller : IDisposable
{
    /// <summary>The seeded organisation's HER-ids (see <see cref="Seed"/>).</summary>
    public const int HerA = 8142519;
    public const int HerB = 8142520;
    /// <summary>Belongs to a sub-unit of the organisation.</summary>
    public const int HerSub = 8142521;
    /// <summary>Belongs to another organisation.</summary>
    public const int HerForeign = 8142987;

    public const string SecondClientId = "second-client";
    public const string ForeignClientId = "foreign-client";
    public const string OtherOrgNumber = "888888888";
    public const string SubUnitOrgNumber = "999999998";

    private EdiApiCaller(FakeNhnServer server, HelseIdCaller helseId, string accessToken)
    {
        Server = server;
        HelseId = helseId;
        AccessToken = accessToken;
    }

    public FakeNhnServer Server { get; }

    public HelseIdCaller HelseId { get; }

    public string AccessToken { get; }

    public HttpClient Http => HelseId.Http;

    /// <summary>
    /// One organisation (HerA, HerB) with a sub-unit (HerSub), another organisation (HerForeign), and three clients:
    /// test-client (herid "0"), second-client of the same organisation (herid = HerA only), foreign-client of the other.
    /// </summary>
    public static FakeNhnSeed Seed(Action<SeedClient>? edit = null)
    {
        var seed = HelseIdCaller.Seed(edit);
        seed.Organizations[0].HerIds = [HerA, HerB];
        seed.Organizations.Add(new SeedOrganization { OrgNumber = SubUnitOrgNumber, HerIds = [HerSub], ParentOrgNumber = HelseIdCaller.OrgNumber });
        seed.Organizations.Add(new SeedOrganization { OrgNumber = OtherOrgNumber, HerIds = [HerForeign] });
        seed.Clients.Add(new SeedClient
        {
            ClientId = SecondClientId, OrgNumber = HelseIdCaller.OrgNumber, PublicJwk = TestKeys.ClientRsa.PublicJwk, HeridClaim = HerA.ToString(),
        });
        seed.Clients.Add(new SeedClient { ClientId = ForeignClientId, OrgNumber = OtherOrgNumber, PublicJwk = TestKeys.ClientRsa.PublicJwk, HeridClaim = "0" });
        return seed;
    }

    public static async Task<EdiApiCaller> CreateAsync(FakeNhnServer server, string clientId = HelseIdCaller.ClientId, string scope = "nhn:msh/api")
    {
        var helseId = new HelseIdCaller(server, clientId);
        var token = await helseId.GetTokenAsync(scope);
        Assert.True(token.Status == HttpStatusCode.OK, token.ToString());
        return new EdiApiCaller(server, helseId, token.AccessToken);
    }

    /// <summary>A caller with a token from elsewhere (the test token service), signing its proofs with <paramref name="helseId"/>'s proof key.</summary>
    public static EdiApiCaller WithToken(FakeNhnServer server, HelseIdCaller helseId, string accessToken) => new(server, helseId, accessToken);

    public string Url(string pathAndQuery) => Server.Issuer + pathAndQuery;

    /// <summary>A proof for this request: htu is the URL without its query; ath binds it to the token.</summary>
    public string Proof(string method, string url, Action<Dictionary<string, object>>? edit = null, string? nonce = null, string? accessToken = null)
    {
        var htu = url.Split('?')[0];
        var ath = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken ?? AccessToken)));
        return HelseId.Proof(nonce, claims =>
        {
            claims["htm"] = method;
            claims["htu"] = htu;
            claims["ath"] = ath;
            edit?.Invoke(claims);
        });
    }

    /// <summary>A correct request (DPoP token and proof, api-version, nhn-source-system); edit it to break one thing.</summary>
    public HttpRequestMessage Request(HttpMethod method, string pathAndQuery, object? body = null, string? version = "3", Action<Dictionary<string, object>>? editProof = null, string? nonce = null)
    {
        var url = Url(pathAndQuery);
        var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + AccessToken);
        request.Headers.TryAddWithoutValidation("DPoP", Proof(method.Method, url, editProof, nonce));
        if (version is not null)
        {
            request.Headers.TryAddWithoutValidation("api-version", version);
        }

        request.Headers.TryAddWithoutValidation("nhn-source-system", "Edi2 fake self-test, v0.1");
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task<ApiAnswer> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return new ApiAnswer(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, response);
        }
    }

    public Task<ApiAnswer> SendAsync(HttpMethod method, string pathAndQuery, object? body = null, string? version = "3") =>
        SendAsync(Request(method, pathAndQuery, body, version));

    public Task<ApiAnswer> GetAsync(string pathAndQuery, string version = "3") => SendAsync(HttpMethod.Get, pathAndQuery, null, version);

    /// <summary>PUT /mshconfigurations for these HER-ids (channel Api), asserting 204.</summary>
    public async Task ConfigureAsync(bool clientLocked, params int[] herIds)
    {
        var answer = await SendAsync(HttpMethod.Put, "/mshconfigurations", new
        {
            configurations = herIds.Select(h => new { herId = h, receiveNotificationChannel = "Api", clientLocked }).ToArray(),
        });
        Assert.True(answer.Status == HttpStatusCode.NoContent, answer.ToString());
    }

    /// <summary>A v3 send body; the document defaults to a small MsgHead from sender to receivers.</summary>
    public static object SendBody(int sender, int[] receivers, byte[]? document = null, string type = "DIALOG_HELSEFAGLIG") => new
    {
        senderHerId = sender,
        receiverHerIds = receivers,
        businessDocument = Convert.ToBase64String(document ?? MsgHeadXml(sender, receivers[0])),
        contentType = "application/xml",
        contentTransferEncoding = "base64",
        messageTypeIdentificator = type,
        applicationName = "Edi2 self-test",
        applicationVersion = "0.1",
    };

    /// <summary>A minimal KITH MsgHead, with the HER-ids at the innermost organisation level.</summary>
    public static byte[] MsgHeadXml(int sender, int receiver, string genDate = "2025-08-21T11:39:57", string msgId = "a7f4c1e0-1111-4222-8333-944445555666", string type = "DIALOG_HELSEFAGLIG") =>
        Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<MsgHead xmlns=\"http://www.kith.no/xmlstds/msghead/2006-05-24\"><MsgInfo>"
            + $"<Type V=\"{type}\" DN=\"Dialogmelding\"/><MIGversion>v1.2 2006-05-24</MIGversion><GenDate>{genDate}</GenDate><MsgId>{msgId}</MsgId>"
            + $"<Sender><Organisation><OrganisationName>Legekontoret</OrganisationName><Ident><Id>90000001</Id><TypeId V=\"HER\" DN=\"HER-id\"/></Ident>"
            + $"<Organisation><OrganisationName>Avdeling</OrganisationName><Ident><Id>{sender}</Id><TypeId V=\"HER\" DN=\"HER-id\"/></Ident></Organisation></Organisation></Sender>"
            + $"<Receiver><Organisation><OrganisationName>Mottaker</OrganisationName><Ident><Id>{receiver}</Id><TypeId V=\"HER\" DN=\"HER-id\"/></Ident>"
            + "<Ident><Id>974600951</Id><TypeId V=\"ENH\" DN=\"Organisasjonsnummeret i Enhetsregisteret\"/></Ident></Organisation></Receiver>"
            + "</MsgInfo><Document><RefDoc><MsgType V=\"XML\"/><Content><Text>Hei</Text></Content></RefDoc></Document></MsgHead>");

    public void Dispose() => HelseId.Dispose();
}
