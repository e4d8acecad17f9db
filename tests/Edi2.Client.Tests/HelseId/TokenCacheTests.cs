using Edi2.FakeNhn;
using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

public class TokenCacheTests
{
    [Fact]
    public async Task A_token_is_reused_until_a_minute_is_left_then_refreshed()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        var clock = new ManualClock();
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk, clock: clock);

        var first = await provider.GetTokenAsync();
        Advance(nhn, clock, TimeSpan.FromSeconds(539));   // 61 s left
        Assert.Same(first, await provider.GetTokenAsync());
        Assert.Same(first, provider.CurrentToken);

        Advance(nhn, clock, TimeSpan.FromSeconds(2));     // 59 s left
        var second = await provider.GetTokenAsync();
        Assert.NotSame(first, second);
        Assert.Equal(clock.GetUtcNow().AddSeconds(600), second.ExpiresAt);
        Assert.Equal(2, HelseIdTestClient.TokenRequests(nhn).Count(r => r.StatusCode == 200));
    }

    [Fact]
    public async Task Sixteen_callers_at_once_cause_one_token_request()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk);
        using var start = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return provider.GetTokenAsync();
        })).ToArray();
        start.Set();
        var tokens = await Task.WhenAll(callers);

        Assert.Single(tokens.Distinct());
        var requests = HelseIdTestClient.TokenRequests(nhn);
        Assert.Single(requests, r => r.StatusCode == 200);
        Assert.Equal(2, requests.Count); // the nonce round trip, once
    }

    [Fact]
    public async Task Invalidate_drops_only_the_token_it_names()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk);

        var first = await provider.GetTokenAsync();
        provider.Invalidate(first);
        var second = await provider.GetTokenAsync();
        Assert.NotSame(first, second);

        // A late 401 for the old token must not throw away the new one.
        provider.Invalidate(first);
        Assert.Same(second, await provider.GetTokenAsync());
    }

    [Fact]
    public async Task A_short_lived_token_is_used_by_everyone_who_waited_for_it()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        nhn.HelseId.AccessTokenLifetime = TimeSpan.FromSeconds(30);
        var clock = new ManualClock();
        using var provider = HelseIdTestClient.Provider(nhn, "c", jwk, clock: clock);

        var first = await provider.GetTokenAsync();
        Advance(nhn, clock, TimeSpan.FromSeconds(14));
        Assert.Same(first, await provider.GetTokenAsync());
        Advance(nhn, clock, TimeSpan.FromSeconds(2));
        Assert.NotSame(first, await provider.GetTokenAsync());
    }

    [Fact]
    public async Task Dispose_forgets_the_token_and_the_keys()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string jwk = TestJwks.EcJwk();
        HelseIdTestClient.Register(nhn, "c", jwk);
        var provider = HelseIdTestClient.Provider(nhn, "c", jwk);
        await provider.GetTokenAsync();

        provider.Dispose();

        Assert.Null(provider.CurrentToken);
        Assert.ThrowsAny<ObjectDisposedException>(() => provider.DPoPKey.ExportPrivateJwk());
    }

    private static void Advance(FakeNhnServer nhn, ManualClock clock, TimeSpan by)
    {
        clock.Advance(by);
        nhn.HelseId.ClockOffset += by;
    }
}
