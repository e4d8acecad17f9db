using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Edi2.FakeNhn.Edi;
using Xunit;
using static Edi2.FakeNhn.Tests.EdiApiCaller;

namespace Edi2.FakeNhn.Tests;

/// <summary>
/// One fake server per test class: the fake makes its token-signing RSA key on first use, which costs
/// 0.1-0.9 s, too much per test. Tests call <see cref="Reset"/> (knobs, faults, log, baseline configurations)
/// and must not depend on messages or notifications from earlier tests: they read from <c>LastOffset</c> on.
/// </summary>
public sealed class EdiApiFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<EdiApiCaller>>> _callers = new();

    public FakeNhnServer Server { get; private set; } = null!;

    /// <summary>test-client of the main organisation (herid "0"); also has scope nhn:other/api.</summary>
    internal EdiApiCaller Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeNhnServer.StartAsync(seed: Seed(c => c.Scopes = ["nhn:msh/api", "nhn:other/api"]));
        Api = await CallerAsync(HelseIdCaller.ClientId);
        Reset();
    }

    /// <summary>A caller for a seeded client, with its token; made once.</summary>
    internal Task<EdiApiCaller> CallerAsync(string clientId) =>
        _callers.GetOrAdd(clientId, id => new Lazy<Task<EdiApiCaller>>(() => CreateAsync(Server, id))).Value;

    /// <summary>Default knobs, no faults, an empty log, and HerA/HerB configured (unlocked) by test-client, nothing else.</summary>
    public void Reset()
    {
        var api = Server.Api;
        api.RequireNonce = false;
        api.StreamDropAfterEvents = null;
        api.StreamAnswer204 = false;
        api.ProofIatWindow = TimeSpan.FromSeconds(60);
        api.ClockSkew = TimeSpan.FromSeconds(10);
        api.StreamKeepAliveInterval = TimeSpan.FromSeconds(1);
        api.MaxDocumentBytes = 35L * 1024 * 1024;
        Server.HelseId.ClockOffset = TimeSpan.Zero;
        Server.Faults.Clear();
        Server.Requests.Clear();
        foreach (var herId in new[] { HerSub, HerForeign })
        {
            Server.Edi.RemoveConfiguration(herId);
        }

        Server.Edi.SetConfiguration(HerA, HelseIdCaller.ClientId, clientLocked: false);
        Server.Edi.SetConfiguration(HerB, HelseIdCaller.ClientId, clientLocked: false);
    }

    public async Task DisposeAsync()
    {
        foreach (var caller in _callers.Values)
        {
            (await caller.Value).Dispose();
        }

        await Server.DisposeAsync();
    }
}
