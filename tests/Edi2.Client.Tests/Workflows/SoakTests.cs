using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Workflows;
using Xunit.Abstractions;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>
/// Many small messages received with random faults on every endpoint a receive uses, rerunning after each failure, as a
/// scheduled task would. CI size: 150 messages; the full size (10,000) with EDI2_SOAK_MESSAGES=10000 (docs/reliability.md).
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const double FaultRate = 0.05;

    internal static int FromEnvironment(string name, int ciSize) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) && value > 0 ? value : ciSize;

    internal static int Seed(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int seed) ? seed : Random.Shared.Next();

    /// <summary>One of the faults a network, proxy or server gives at random; each is retried or ends the run cleanly.</summary>
    private static ApiFault AnyFault(Random random) => random.Next(7) switch
    {
        0 => ApiFault.DropConnectionAfterBytes(random.Next(0, 400)),
        1 => ApiFault.Status(500, """{"title":"Injected","status":500,"errorCode":0}""", "application/problem+json"),
        2 => ApiFault.Status(503, "", "text/plain", TimeSpan.Zero),
        3 => ApiFault.Status(429, "", "text/plain"),
        4 => ApiFault.Status(502, "<html><body>Bad gateway</body></html>", "text/html"),
        5 => ApiFault.StallAfterBytes(random.Next(0, 400), TimeSpan.FromSeconds(1)),
        _ => ApiFault.Delay(TimeSpan.FromMilliseconds(random.Next(0, 50))),
    };

    // 1 is the sequential order; 4 is the default, downloads and marks running concurrently ahead of the offset.
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Receives_every_message_once_and_marked_through_random_faults_rerunning_after_each_failure(int throttleLimit)
    {
        int messages = FromEnvironment("EDI2_SOAK_MESSAGES", 150);
        int seed = Seed("EDI2_SOAK_SEED");
        output.WriteLine($"soak: {messages} messages, {FaultRate:P0} faults, throttle limit {throttleLimit}, seed {seed} (EDI2_SOAK_SEED={seed} repeats it)");
        var random = new Random(seed);

        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var session = await context.ConnectAsync("soak", "999999999", configure: o => o.Retry = new RetryPolicy
        {
            BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), BodyTimeout = TimeSpan.FromMilliseconds(300),
        });
        context.Nhn.Edi.AddNotifications(Ours, messages);
        foreach (var (method, path) in new[] { ("GET", "/notifications"), ("GET", "/messages/*/business-document"), ("PUT", "/messages/*/downloaded"), ("POST", "/connect/token") })
        {
            context.Nhn.Faults.FailAtRandom(method, path, FaultRate, random, AnyFault);
        }

        var options = new ReceiveOptions([Ours], folder.Path) { PageSize = 50, ThrottleLimit = throttleLimit };
        int runs = 0, failures = 0;
        var seen = new List<Guid>();
        while (true)
        {
            runs++;
            Assert.True(runs <= messages, $"seed {seed}: still not done after {runs - 1} runs ({failures} failed)");
            try
            {
                foreach (var e in await WorkflowAssert.RunAsync(new ReceiveWorkflow(session, options)))
                {
                    if (e.Kind == ReceiveEventKind.Saved && !e.Saved!.AlreadyPresent) seen.Add(e.Saved.MessageId);
                }
                break;
            }
            catch (Exception e) when (e is Edi2Exception)
            {
                failures++;
                // Between runs, what every run must leave: nothing marked without its file, no partial.
                WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);
                WorkflowAssert.NoPartials(folder.Path);
            }
        }
        context.Nhn.Faults.Clear();
        output.WriteLine($"soak: {runs} runs, {failures} ended by a fault, {context.Nhn.Requests.Snapshot().Count(r => r.InjectedFault)} faults injected");

        WorkflowAssert.AllReceived(context, folder.Path, Ours, messages);
        Assert.Equal(seen.Count, seen.Distinct().Count()); // no message saved anew by two runs
        Assert.Equal(context.Nhn.Edi.Notifications.Max(n => n.Offset), ReceiveWorkflow.ReadState(new ReceiveWorkflow(session, options).StatePath)!.Offset);
    }
}
