using System.Diagnostics;
using Edi2.Client.Tests.Workflows;
using Xunit.Abstractions;

namespace Edi2.Client.Tests.Api;

/// <summary>
/// One session shared by 16 threads while its short-lived token is refreshed under them. CI size: 6 s with 4 s tokens;
/// the full size (30 s with 20 s tokens) with EDI2_CONCURRENCY_SECONDS=30 EDI2_CONCURRENCY_TOKEN_SECONDS=20.
/// </summary>
public sealed class SessionConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sixteen_threads_share_one_session_one_token_request_per_refresh_no_proof_reused_no_failures()
    {
        int seconds = SoakTests.FromEnvironment("EDI2_CONCURRENCY_SECONDS", 6);
        int tokenSeconds = SoakTests.FromEnvironment("EDI2_CONCURRENCY_TOKEN_SECONDS", 4);
        await using var context = await ApiTestContext.StartAsync();
        context.Nhn.HelseId.AccessTokenLifetime = TimeSpan.FromSeconds(tokenSeconds);
        var session = await context.ConnectAsync("shared", "999999999");
        context.Nhn.Requests.Clear();

        var watch = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var failures = new List<Exception>();
        int calls = 0;
        var threads = Enumerable.Range(0, 16).Select(n => Task.Run(async () =>
        {
            while (watch.Elapsed < deadline)
            {
                try
                {
                    if (n % 2 == 0) await session.Api.PingAsync();
                    else await session.Api.GetNotificationsAsync([ApiTestContext.Ours], 0, 10);
                    Interlocked.Increment(ref calls);
                }
                catch (Exception e)
                {
                    lock (failures) failures.Add(e);
                }
            }
        })).ToArray();
        await Task.WhenAll(threads);

        var log = context.Nhn.Requests.Snapshot();
        var issued = log.Where(r => r.Method == "POST" && r.Path.EndsWith("/connect/token", StringComparison.Ordinal) && r.StatusCode == 200)
            .OrderBy(r => r.Timestamp).ToList();
        var api = log.Where(r => !r.Path.StartsWith("/connect", StringComparison.Ordinal) && !r.Path.StartsWith("/.well-known", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{calls} calls by 16 threads in {watch.Elapsed.TotalSeconds:0.0} s, {issued.Count} tokens issued ({tokenSeconds} s each), {api.Count} API requests");

        Assert.Empty(failures);
        // The cache refreshes at half-life for short tokens: one request per refresh, not one per thread that noticed.
        int refreshes = (int)Math.Ceiling(watch.Elapsed.TotalSeconds / (tokenSeconds / 2.0));
        Assert.InRange(issued.Count, 1, refreshes + 1);
        for (int i = 1; i < issued.Count; i++)
        {
            var gap = issued[i].Timestamp - issued[i - 1].Timestamp;
            Assert.True(gap > TimeSpan.FromSeconds(tokenSeconds / 4.0), $"two token requests {gap.TotalMilliseconds:0} ms apart: a refresh was made twice");
        }
        var jtis = api.Select(r => r.ProofJti).Where(j => j != null).ToList();
        Assert.Equal(api.Count, jtis.Count);
        Assert.Equal(jtis.Count, jtis.Distinct().Count());
        Assert.DoesNotContain(api, r => r.StatusCode >= 400 && !r.InjectedFault && r.StatusCode != 401);
    }
}
