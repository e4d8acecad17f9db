using Edi2.Api;
using Edi2.Client.Tests.HelseId;
using Edi2.FakeNhn;
using Edi2.HelseId;
using Edi2.Model;

namespace Edi2.Client.Tests.Api;

/// <summary>
/// A fake NHN with two organisations and a connected session. Our organisation 999999999 owns 8142519 and 8142520,
/// its sub-unit owns 8142521; 888888888 (someone else) owns 9000001.
/// </summary>
internal sealed class ApiTestContext : IAsyncDisposable
{
    public const int Ours = 8142519;
    public const int OursToo = 8142520;
    public const int SubUnit = 8142521;
    public const int Foreign = 9000001;

    private readonly List<Edi2Session> _sessions = new();

    private ApiTestContext(FakeNhnServer nhn) => Nhn = nhn;

    public FakeNhnServer Nhn { get; }

    public Edi2Session Session { get; private set; } = null!;

    public Edi2ApiClient Api => Session.Api;

    public static async Task<ApiTestContext> StartAsync(int apiVersion = 3, bool configure = true)
    {
        var nhn = await FakeNhnServer.StartAsync();
        nhn.State.AddOrganization(new SeedOrganization { OrgNumber = "999999999", HerIds = [Ours, OursToo] });
        nhn.State.AddOrganization(new SeedOrganization { OrgNumber = "999999998", HerIds = [SubUnit], ParentOrgNumber = "999999999" });
        nhn.State.AddOrganization(new SeedOrganization { OrgNumber = "888888888", HerIds = [Foreign] });
        var context = new ApiTestContext(nhn);
        context.Session = await context.ConnectAsync("c1", "999999999", apiVersion);
        if (configure && apiVersion == 3)
        {
            await context.Api.PutConfigurationsAsync([Config(Ours), Config(OursToo), Config(SubUnit)]);
        }
        return context;
    }

    /// <summary>Registers another client (of any organisation) and connects it.</summary>
    public async Task<Edi2Session> ConnectAsync(string clientId, string orgNumber, int apiVersion = 3, string? heridClaim = "0", Action<Edi2ConnectionOptions>? configure = null)
    {
        string jwk = TestJwks.EcJwk();
        Nhn.State.AddClient(new SeedClient
        {
            ClientId = clientId, OrgNumber = orgNumber, PublicJwk = TestJwks.Json(TestJwks.PublicOf(jwk)), HeridClaim = heridClaim,
        });
        var options = new Edi2ConnectionOptions
        {
            ClientId = clientId,
            Authority = new Uri(Nhn.Issuer),
            ApiBaseUri = Nhn.BaseUri,
            ApiVersion = apiVersion,
            SourceSystem = "Edi2 tests, v1",
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        };
        configure?.Invoke(options);
        var session = await Edi2Session.ConnectAsync(options, SigningKey.FromJwk(jwk));
        _sessions.Add(session);
        return session;
    }

    public static MshConfiguration Config(int herId, bool locked = false) => new() { HerId = herId, ClientLocked = locked };

    public IReadOnlyList<LoggedRequest> ApiRequests(string pathPart) =>
        Nhn.Requests.Snapshot().Where(r => r.Path.Contains(pathPart, StringComparison.OrdinalIgnoreCase)).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions) session.Dispose();
        await Nhn.DisposeAsync();
    }
}

/// <summary>A minimal KITH MsgHead, as EDI 2.0 business documents are.</summary>
internal static class MsgHead
{
    public static string Xml(int sender, int receiver, string msgId = "msg-1", string genDate = "2025-08-21T11:39:57", string type = "DIALOG_HELSEFAGLIG", string body = "") => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <MsgHead xmlns="http://www.kith.no/xmlstds/msghead/2006-05-24">
          <MsgInfo>
            <Type V="{type}" DN="Dialogmelding" />
            <MIGversion>v1.2 2006-05-24</MIGversion>
            <GenDate>{genDate}</GenDate>
            <MsgId>{msgId}</MsgId>
            <Sender><Organisation><OrganisationName>Avsender</OrganisationName><Ident><Id>{sender}</Id><TypeId V="HER" S="2.16.578.1.12.4.1.1.9051" DN="HER-id" /></Ident></Organisation></Sender>
            <Receiver><Organisation><OrganisationName>Mottaker</OrganisationName><Ident><Id>{receiver}</Id><TypeId V="HER" S="2.16.578.1.12.4.1.1.9051" DN="HER-id" /></Ident></Organisation></Receiver>
          </MsgInfo>
          <Document><RefDoc><Content>{body}</Content></RefDoc></Document>
        </MsgHead>
        """;

    public static byte[] Bytes(int sender, int receiver, string msgId = "msg-1", string body = "") =>
        System.Text.Encoding.UTF8.GetBytes(Xml(sender, receiver, msgId, body: body));
}
