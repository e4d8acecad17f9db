using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>A fresh fake NHN, seeded with HelseIdCaller's clients, and a caller for it: one per test.</summary>
public abstract class FakeHelseIdTest : IAsyncLifetime
{
    private protected FakeNhnServer _server = null!;
    private protected HelseIdCaller _caller = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        _caller = new HelseIdCaller(_server);
    }

    public async Task DisposeAsync()
    {
        _caller.Dispose();
        await _server.DisposeAsync();
    }
}
