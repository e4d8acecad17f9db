using System.Text;
using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>
/// Every fault of issue 13 on every endpoint, once each, through the fake NHN: the outcome (retried and succeeded, or a
/// clear Edi2 error) and the invariants of the endpoint. The outcomes are the table in docs/reliability.md, which this test
/// checks, so the document cannot drift from the code (set EDI2_UPDATE_RELIABILITY=1 to rewrite the table after a change).
/// </summary>
public sealed class FaultMatrixTests
{
    private const string Start = "<!-- fault-matrix:start -->";
    private const string End = "<!-- fault-matrix:end -->";
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(3);

    /// <summary>A fault and how to make it; each case gets a fresh one.</summary>
    public sealed record Fault(string Name, Func<ApiFault> Make);

    public static readonly Fault[] Faults =
    [
        new("connection dropped half-way through the body", () => ApiFault.DropConnectionAfterBytes(30)),
        new("500", () => ApiFault.Status(500, """{"title":"Injected","status":500,"errorCode":0}""", "application/problem+json")),
        new("503 with Retry-After 1 s", () => ApiFault.Status(503, "", "text/plain", TimeSpan.FromSeconds(1))),
        new("429", () => ApiFault.Status(429, """{"title":"Too many requests","status":429,"errorCode":0}""", "application/problem+json")),
        new("stall before the headers", () => ApiFault.Delay(Stall)),
        new("stall in the body", () => ApiFault.StallAfterBytes(30, Stall)),
        new("502 HTML page", () => ApiFault.Status(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")),
        new("200 with truncated JSON", () => ApiFault.Status(200, """{"notifications":[{"id":"3f2c""")),
    ];

    /// <summary>An endpoint: where the fault goes, the operation that uses it, and the invariants checked after it.</summary>
    private abstract class Endpoint
    {
        public abstract string Name { get; }

        public abstract string Method { get; }

        public abstract string Path { get; }

        /// <summary>The fault of the case running.</summary>
        public Fault Fault { get; set; } = Faults[0];

        /// <summary>The case's session, with the short timeouts of <see cref="FastRetry"/>.</summary>
        public Edi2Session Session { get; set; } = null!;

        public virtual Task ArrangeAsync(ApiTestContext context, TempFolder folder) => Task.CompletedTask;

        public abstract Task RunAsync(ApiTestContext context, TempFolder folder, CancellationToken cancellationToken);

        /// <summary>Asserts what must hold whatever happened; <paramref name="error"/> is the operation's, if it failed.</summary>
        public abstract Task CheckAsync(ApiTestContext context, TempFolder folder, Exception? error);
    }

    private static RetryPolicy FastRetry() => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(1), BodyTimeout = TimeSpan.FromMilliseconds(500),
    };

    private sealed class Token : Endpoint
    {
        private Edi2Session? _session;

        public override string Name => "token";

        public override string Method => "POST";

        public override string Path => "/connect/token";

        public override async Task RunAsync(ApiTestContext context, TempFolder folder, CancellationToken cancellationToken)
        {
            _session = null;
            _session = await context.ConnectAsync("t" + Guid.NewGuid().ToString("N")[..8], "999999999",
                configure: o => { o.Retry = FastRetry(); o.TokenRequestTimeout = TimeSpan.FromSeconds(1); });
        }

        public override async Task CheckAsync(ApiTestContext context, TempFolder folder, Exception? error)
        {
            // Connected means usable: the token works against the API.
            if (_session != null) Assert.Equal("Pong", (await _session.Api.PingAsync()).Response);
        }
    }

    /// <summary>A receive run of three messages, with the fault on one of its endpoints, then a clean rerun.</summary>
    private sealed class Receive(string name, string method, string path) : Endpoint
    {
        public override string Name => name;

        public override string Method => method;

        public override string Path => path;

        private ReceiveWorkflow Workflow(ApiTestContext context, TempFolder folder) =>
            new(Session, new ReceiveOptions([Ours], folder.Path) { PageSize = 2 });

        public override Task ArrangeAsync(ApiTestContext context, TempFolder folder)
        {
            for (int i = 0; i < 3; i++) context.Nhn.Edi.AddInboundMessage(Foreign, [Ours], MsgHead.Bytes(Foreign, Ours, body: new string('m', 3_000 + i)));
            return Task.CompletedTask;
        }

        public override async Task RunAsync(ApiTestContext context, TempFolder folder, CancellationToken cancellationToken) =>
            await WorkflowAssert.RunAsync(Workflow(context, folder), cancellationToken);

        public override async Task CheckAsync(ApiTestContext context, TempFolder folder, Exception? error)
        {
            // No message marked without its bytes on disk; no offset past a message not saved and marked.
            WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);
            var workflow = Workflow(context, folder);
            long offset = ReceiveWorkflow.ReadState(workflow.StatePath)?.Offset ?? 0;
            foreach (var notification in context.Nhn.Edi.Notifications.Where(n => n.Offset <= offset && n.Type == "NewMessage" && n.NotificationReceiverHerId == Ours))
            {
                Assert.True(File.Exists(folder.Combine(MessageFiles.FileName(notification.RelatedMessageId))), $"offset {offset} is past unsaved message {notification.RelatedMessageId}");
            }
            WorkflowAssert.NoPartials(folder.Path);

            // The next run, with nothing in the way, finishes the work: everything once, marked, the offset at the end.
            await WorkflowAssert.RunAsync(workflow);
            WorkflowAssert.AllReceived(context, folder.Path, Ours, context.Nhn.Edi.Messages.Count(m => m.IsInbound && m.ReceiverHerIds.Contains(Ours)));
            Assert.Equal(context.Nhn.Edi.Notifications.Where(n => n.NotificationReceiverHerId == Ours).Max(n => n.Offset), ReceiveWorkflow.ReadState(workflow.StatePath)!.Offset);
        }
    }

    private sealed class Stream : Endpoint
    {
        public override string Name => "SSE stream";

        public override string Method => "GET";

        public override string Path => "/notifications/stream";

        public override Task ArrangeAsync(ApiTestContext context, TempFolder folder)
        {
            context.Nhn.Edi.AddNotifications(Ours, 2);
            return Task.CompletedTask;
        }

        public override async Task RunAsync(ApiTestContext context, TempFolder folder, CancellationToken cancellationToken)
        {
            var offsets = new List<long>();
            await foreach (var n in Session.Api.StreamNotificationsAsync([Ours], 0, cancellationToken))
            {
                offsets.Add(n.Offset);
                if (offsets.Count == 2) break;
            }
            // Reconnected from the last offset delivered: nothing twice, nothing left out.
            Assert.Equal(context.Nhn.Edi.Notifications.Where(n => n.NotificationReceiverHerId == Ours).Select(n => n.Offset).Take(2), offsets);
        }

        public override Task CheckAsync(ApiTestContext context, TempFolder folder, Exception? error) => Task.CompletedTask;
    }

    /// <summary>A POST that must never be sent twice: the server holds at most one new message afterwards, exactly one on success.</summary>
    private abstract class Post : Endpoint
    {
        private int _before;

        public override string Method => "POST";

        private int Sent(ApiTestContext context) => context.Nhn.Edi.Messages.Count(m => m.SentByClientId == Session.ClientId);

        public override Task ArrangeAsync(ApiTestContext context, TempFolder folder)
        {
            _before = Sent(context);
            return Arrange(context);
        }

        protected virtual Task Arrange(ApiTestContext context) => Task.CompletedTask;

        public override async Task CheckAsync(ApiTestContext context, TempFolder folder, Exception? error)
        {
            // A request the server held past the client's timeout is handled afterwards: count it too.
            if (error != null && Fault.Name.StartsWith("stall before", StringComparison.Ordinal)) await Task.Delay(Stall + TimeSpan.FromSeconds(1));
            int sent = Sent(context) - _before;
            Assert.True(sent <= 1, $"{sent} messages sent for one call: a POST was sent again");
            if (error is null) Assert.Equal(1, sent);
        }
    }

    private sealed class AppRec : Post
    {
        private Guid _received;

        public override string Name => "apprec";

        public override string Path => "/messages/*/apprec";

        protected override Task Arrange(ApiTestContext context)
        {
            _received = context.Nhn.Edi.AddInboundMessage(Foreign, [Ours], MsgHead.Bytes(Foreign, Ours));
            return Task.CompletedTask;
        }

        public override Task RunAsync(ApiTestContext context, TempFolder folder, CancellationToken cancellationToken) =>
            Session.Api.SendAppRecAsync(_received, Ours, AppRecStatus.Ok, [], "tests", "1", cancellationToken);
    }

    private sealed class Send : Post
    {
        public override string Name => "send";

        public override string Path => "/messages";

        public override Task RunAsync(ApiTestContext context, TempFolder folder, CancellationToken cancellationToken) =>
            Session.Api.SendMessageAsync(Edi2Document.FromBytes(MsgHead.Bytes(Ours, OursToo, msgId: Guid.NewGuid().ToString())), Ours, [OursToo],
                "DIALOG_HELSEFAGLIG", "tests", "1", cancellationToken);
    }

    private sealed class Configurations : Endpoint
    {
        public override string Name => "mshconfigurations";

        public override string Method => "PUT";

        public override string Path => "/mshconfigurations";

        private static ReservationLedger Ledger(TempFolder folder) => new(folder.Combine("ledger.json"));

        public override Task RunAsync(ApiTestContext context, TempFolder folder, CancellationToken cancellationToken) =>
            Reservations.ReserveAsync(Session, [OursToo], null, Ledger(folder), cancellationToken);

        public override Task CheckAsync(ApiTestContext context, TempFolder folder, Exception? error)
        {
            // The ledger matches the server: an entry only for a HER-id the server has locked to this client.
            bool inLedger = Ledger(folder).Find(OursToo, Session.ClientScope) != null;
            var configuration = context.Nhn.Edi.GetConfiguration(OursToo);
            if (inLedger) Assert.True(configuration is { ClientLocked: true }, "the ledger has a reservation the server does not");
            Assert.Equal(error is null, inLedger);
            return Task.CompletedTask;
        }
    }

    private static Endpoint[] Endpoints() =>
    [
        new Token(),
        new Receive("notifications", "GET", "/notifications"),
        new Stream(),
        new Receive("business document", "GET", "/messages/*/business-document"),
        new Receive("downloaded", "PUT", "/messages/*/downloaded"),
        new AppRec(),
        new Send(),
        new Configurations(),
    ];

    [Fact]
    public async Task Every_fault_on_every_endpoint_ends_as_docs_reliability_md_says_with_the_invariants_kept()
    {
        var endpoints = Endpoints();
        // One fake per endpoint, all at once: the cases mostly wait on timers, so this keeps CI time to the slowest column.
        var columns = await Task.WhenAll(endpoints.Select(endpoint => Task.Run(() => RunColumnAsync(endpoint))));

        string table = Render(endpoints, columns);
        string path = Path.Combine(RepositoryRoot(), "docs", "reliability.md");
        string document = File.ReadAllText(path);
        int from = document.IndexOf(Start, StringComparison.Ordinal), to = document.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"{path} has no {Start} ... {End} block");
        string current = document.Substring(from + Start.Length, to - from - Start.Length).Trim().Replace("\r\n", "\n");
        if (current != table && Environment.GetEnvironmentVariable("EDI2_UPDATE_RELIABILITY") == "1")
        {
            File.WriteAllText(path, document[..(from + Start.Length)] + "\n" + table + "\n" + document[to..]);
            return;
        }
        Assert.True(current == table, $"docs/reliability.md's fault matrix is not what the code does. The code gives:\n{table}\n(EDI2_UPDATE_RELIABILITY=1 rewrites it.)");
    }

    private static async Task<string[]> RunColumnAsync(Endpoint endpoint)
    {
        var cells = new string[Faults.Length];
        for (int i = 0; i < Faults.Length; i++)
        {
            // A fresh fake and folder per case: the invariants are about what this one fault did.
            await using var context = await StartAsync();
            using var folder = new TempFolder();
            endpoint.Fault = Faults[i];
            endpoint.Session = await context.ConnectAsync("matrix", "999999999", configure: o => o.Retry = FastRetry());
            await endpoint.Session.Api.PutConfigurationsAsync([Config(Ours), Config(OursToo)]); // this client may act for them
            await endpoint.ArrangeAsync(context, folder);
            context.Nhn.Requests.Clear();
            context.Nhn.Faults.FailNext(endpoint.Method, endpoint.Path, 1, Faults[i].Make());
            Exception? error = null;
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                try
                {
                    await endpoint.RunAsync(context, folder, limit.Token);
                }
                catch (Exception e)
                {
                    Assert.False(limit.IsCancellationRequested, $"{endpoint.Name} × {Faults[i].Name}: hung for 30 s");
                    error = e;
                }
            }
            string where = $"{endpoint.Name} × {Faults[i].Name}";
            Assert.True(error is null or Edi2Exception, $"{where}: not an Edi2 error: {error}");
            Assert.True(context.Nhn.Faults.Pending == 0, $"{where}: the fault was never hit");
            try
            {
                await endpoint.CheckAsync(context, folder, error);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{where}: an invariant does not hold ({e.Message}); the operation ended with {error?.Message ?? "success"}");
            }
            cells[i] = Outcome(context, endpoint, error);
        }
        return cells;
    }

    private static string Outcome(ApiTestContext context, Endpoint endpoint, Exception? error)
    {
        if (error is Edi2Exception e) return $"fails: `Edi2.{e.Reason}`";
        var segments = endpoint.Path.Trim('/').Split('/');
        var calls = context.Nhn.Requests.Snapshot().Where(r => r.Method == endpoint.Method && Matches(segments, r.Path)).ToList();
        int faulted = calls.FindIndex(r => r.InjectedFault);
        return faulted >= 0 && faulted < calls.Count - 1 ? "retried, succeeds" : "succeeds";
    }

    private static bool Matches(string[] pattern, string path)
    {
        var segments = path.Trim('/').Split('/');
        return segments.Length == pattern.Length && pattern.Zip(segments).All(p => p.First == "*" || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
    }

    private static string Render(Endpoint[] endpoints, string[][] columns)
    {
        var text = new StringBuilder();
        text.Append("| Fault | ").Append(string.Join(" | ", endpoints.Select(e => e.Name))).Append(" |\n");
        text.Append("|---|").Append(string.Concat(endpoints.Select(_ => "---|"))).Append('\n');
        for (int i = 0; i < Faults.Length; i++)
        {
            text.Append("| ").Append(Faults[i].Name).Append(" | ").Append(string.Join(" | ", columns.Select(c => c[i]))).Append(" |\n");
        }
        return text.ToString().TrimEnd('\n');
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Edi2Module.sln"))) return folder.FullName;
        }
        throw new InvalidOperationException("The repository root (Edi2Module.sln) is not above " + AppContext.BaseDirectory);
    }
}
