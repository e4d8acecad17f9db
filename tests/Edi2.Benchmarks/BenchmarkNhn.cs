using System.Security.Cryptography;
using System.Text.Json;
using Edi2.Api;
using Edi2.FakeNhn;
using Edi2.HelseId;
using Edi2.Model;

namespace Edi2.Benchmarks;

/// <summary>
/// The fake NHN on 127.0.0.1 with one organisation (HER-id <see cref="HerId"/>, reserved), and a session of client "c1"
/// whose ES256 client key also signs the proofs (-DPoPKey ClientKey), so a hand-built request can sign with the same key.
/// </summary>
internal sealed class BenchmarkNhn : IAsyncDisposable
{
    public const int HerId = 8142519;
    public const int SenderHerId = 8094866;

    private BenchmarkNhn(FakeNhnServer fake, Edi2Session session, ECDsa key)
    {
        Fake = fake;
        Session = session;
        Key = key;
    }

    public FakeNhnServer Fake { get; }

    public Edi2Session Session { get; }

    /// <summary>The client and DPoP key, for hand-built proofs.</summary>
    public ECDsa Key { get; }

    public Edi2ApiClient Api => Session.Api;

    /// <param name="configure">Knobs of the fake to set before the session connects (and so gets its first token).</param>
    public static async Task<BenchmarkNhn> StartAsync(Action<FakeNhnServer>? configure = null)
    {
        var fake = await FakeNhnServer.StartAsync();
        configure?.Invoke(fake);
        fake.State.AddOrganization(new SeedOrganization { OrgNumber = "999999999", HerIds = [HerId] });
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientKey = SigningKey.FromText(key.ExportPkcs8PrivateKeyPem(), algorithm: "ES256");
        fake.State.AddClient(new SeedClient
        {
            ClientId = "c1", OrgNumber = "999999999", HeridClaim = "0",
            PublicJwk = JsonDocument.Parse(clientKey.ExportPublicJwk()).RootElement.Clone(),
        });
        var session = await Edi2Session.ConnectAsync(new Edi2ConnectionOptions
        {
            ClientId = "c1",
            Authority = new Uri(fake.Issuer),
            ApiBaseUri = fake.BaseUri,
            SourceSystem = "Edi2 benchmarks, v1",
            DPoPKey = DPoPKeyMode.ClientKey,
        }, clientKey);
        await session.Api.PutConfigurationsAsync([new MshConfiguration { HerId = HerId, ClientLocked = true }]);
        return new BenchmarkNhn(fake, session, key);
    }

    /// <summary>Inbound messages of random bytes (the engine does not look inside), each with its NewMessage notification.</summary>
    public List<Guid> AddMessages(int count, int size)
    {
        var ids = new List<Guid>(count);
        var random = new Random(size);
        for (int i = 0; i < count; i++)
        {
            var document = new byte[size];
            random.NextBytes(document);
            ids.Add(Fake.Edi.AddInboundMessage(SenderHerId, [HerId], document));
        }
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        Session.Dispose();
        Key.Dispose();
        await Fake.DisposeAsync();
    }
}
