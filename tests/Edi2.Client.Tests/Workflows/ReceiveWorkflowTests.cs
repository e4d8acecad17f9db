using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.HelseId;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>
/// Receive-Edi2Message's engine over the fake NHN: everything received once, and after a failure at any step a rerun
/// neither loses nor duplicates anything.
/// </summary>
public sealed class ReceiveWorkflowTests
{
    private static ReceiveWorkflow Workflow(ApiTestContext context, string folder, Action<ReceiveOptions>? configure = null, Edi2Session? session = null, params int[] herIds)
    {
        var options = new ReceiveOptions(herIds.Length == 0 ? [Ours] : herIds, folder);
        configure?.Invoke(options);
        return new ReceiveWorkflow(session ?? context.Session, options);
    }

    private static long SavedOffset(ReceiveWorkflow workflow) => ReceiveWorkflow.ReadState(workflow.StatePath)!.Offset;

    private static long OffsetOfNewMessage(ApiTestContext context, int index) =>
        context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage").ElementAt(index).Offset;

    [Fact]
    public async Task Receives_500_messages_once_each_and_a_second_run_downloads_nothing()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 500);
        var workflow = Workflow(context, folder.Path);

        var events = await WorkflowAssert.RunAsync(workflow);

        var saved = events.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!).ToList();
        Assert.Equal(500, saved.Count);
        Assert.Equal(500, saved.Select(s => s.MessageId).Distinct().Count());
        Assert.All(saved, s => Assert.True(s.MarkedDownloaded && !s.AlreadyPresent && s.ReceiverHerId == Ours));
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 500);
        Assert.Equal(context.Nhn.Edi.Notifications.Last().Offset, SavedOffset(workflow));
        var progress = events.Last(e => e.Kind == ReceiveEventKind.Progress).Progress!;
        Assert.Equal(500, progress.Downloaded);
        Assert.Equal(saved.Sum(s => s.Length), progress.Bytes);
        Assert.Equal(SavedOffset(workflow), progress.Offset);

        // The default state file sits beside the messages, named after client, environment, API and HER-ids.
        Assert.Equal(folder.Path, Path.GetDirectoryName(workflow.StatePath));
        Assert.StartsWith(".edi2-receive-", Path.GetFileName(workflow.StatePath));
        var state = ReceiveWorkflow.ReadState(workflow.StatePath)!;
        Assert.Equal("c1", state.ClientId);
        Assert.Equal("Test", state.Environment);
        Assert.Equal([Ours], state.HerIds);
        Assert.Equal(context.Nhn.BaseUri.AbsoluteUri, state.ApiBaseUri);

        int downloads = context.ApiRequests("/business-document").Count;
        int marks = context.ApiRequests("/downloaded").Count;
        var again = await WorkflowAssert.RunAsync(Workflow(context, folder.Path));
        Assert.DoesNotContain(again, e => e.Kind != ReceiveEventKind.Progress);
        Assert.Equal(downloads, context.ApiRequests("/business-document").Count);
        Assert.Equal(marks, context.ApiRequests("/downloaded").Count);
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 500);
    }

    [Fact]
    public async Task A_download_cut_half_way_stops_the_run_before_the_offset_and_a_rerun_completes()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        for (int i = 0; i < 8; i++)
        {
            context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours, $"m{i}", new string('d', 90_000)));
        }
        var workflow = Workflow(context, folder.Path, o => o.ThrottleLimit = 1); // the callback injects the fault between two messages

        // The fourth download breaks half-way through its ~120 KB of base64.
        var (events, error) = await WorkflowAssert.RunUntilFailureAsync(workflow, saved =>
        {
            if (saved == 3) WorkflowAssert.CutDownloads(context, afterBytes: 60_000);
        });
        context.Nhn.Faults.Clear();

        WorkflowAssert.IsCut(error);
        Assert.Equal(3, events.Count(e => e.Kind == ReceiveEventKind.Saved));
        Assert.Equal(3, Directory.GetFiles(folder.Path, "*.xml").Length);
        WorkflowAssert.NoPartials(folder.Path);
        WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);
        Assert.Equal(OffsetOfNewMessage(context, 2), SavedOffset(workflow));

        var rerun = await WorkflowAssert.RunAsync(Workflow(context, folder.Path));

        Assert.Equal(5, rerun.Count(e => e.Kind == ReceiveEventKind.Saved && !e.Saved!.AlreadyPresent));
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 8);
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(workflow));
    }

    [Fact]
    public async Task A_failed_mark_keeps_the_file_and_the_offset_and_a_rerun_marks_without_downloading_again()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 6);
        var workflow = Workflow(context, folder.Path, o => o.ThrottleLimit = 1); // the callback injects the fault between two messages

        var (events, error) = await WorkflowAssert.RunUntilFailureAsync(workflow, saved =>
        {
            // More failures than the client's retries of an idempotent PUT.
            if (saved == 2) context.Nhn.Faults.FailNext("PUT", "/messages/*/downloaded", 10, WorkflowAssert.Problem(500, title: "Internal Server Error"));
        });
        context.Nhn.Faults.Clear();

        Assert.Equal(ApiErrorReason.ServerError, Assert.IsType<Edi2ApiException>(error).ApiReason);
        var third = context.Nhn.Edi.Messages.Where(m => m.IsInbound).ElementAt(2);
        Assert.True(File.Exists(Path.Combine(folder.Path, MessageFiles.FileName(third.Id)))); // saved before the mark was tried
        Assert.False(third.Receiver(Ours).Downloaded);
        WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);
        Assert.Equal(OffsetOfNewMessage(context, 1), SavedOffset(workflow));
        int downloads = context.ApiRequests("/business-document").Count;

        var rerun = await WorkflowAssert.RunAsync(Workflow(context, folder.Path));

        var savedAgain = rerun.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!).ToList();
        Assert.Equal(4, savedAgain.Count);
        Assert.True(savedAgain[0].AlreadyPresent && savedAgain[0].MarkedDownloaded && savedAgain[0].MessageId == third.Id);
        Assert.Equal(downloads + 3, context.ApiRequests("/business-document").Count); // not the third again
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 6);
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(workflow));
    }

    [Fact]
    public async Task A_failed_offset_write_stops_the_run_and_a_rerun_resumes_from_the_last_written_offset()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        using var stateFolder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 6);
        string statePath = stateFolder.Combine("receive.json");
        var workflow = Workflow(context, folder.Path, o => { o.StatePath = statePath; o.ThrottleLimit = 1; }); // a write after each message
        string aside = statePath + ".aside";

        // A real file-system failure at the commit point: after the third message, the state file's name is taken by a
        // folder, so the rename of the next offset write fails (as root, too; permissions would not stop root).
        var (events, error) = await WorkflowAssert.RunUntilFailureAsync(workflow, saved =>
        {
            if (saved != 3) return;
            File.Move(statePath, aside);
            Directory.CreateDirectory(statePath);
        });
        Directory.Delete(statePath);
        File.Move(aside, statePath);

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(3, events.Count(e => e.Kind == ReceiveEventKind.Saved));
        var fourth = context.Nhn.Edi.Messages.Where(m => m.IsInbound).ElementAt(3);
        Assert.True(fourth.Receiver(Ours).Downloaded); // saved and marked; only the offset did not move
        Assert.Equal(OffsetOfNewMessage(context, 2), SavedOffset(workflow));
        Assert.Equal(["receive.json", "receive.json.lock"], Directory.GetFiles(stateFolder.Path).Select(Path.GetFileName).Order()); // no temporary state file left
        WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);

        var rerun = await WorkflowAssert.RunAsync(Workflow(context, folder.Path, o => o.StatePath = statePath));

        var saved = rerun.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!).ToList();
        Assert.Equal([fourth.Id], saved.Where(s => s.AlreadyPresent).Select(s => s.MessageId));
        Assert.Equal(3, saved.Count);
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 6);
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(workflow));
    }

    [Fact]
    public async Task A_message_gone_at_NHN_stops_the_run_while_its_notification_is_young_and_is_passed_over_after()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 3);
        var gone = context.Nhn.Edi.Messages.Where(m => m.IsInbound).ElementAt(1);
        context.Nhn.Faults.FailNext("GET", $"/messages/{gone.Id}/business-document", 2, WorkflowAssert.Problem(404, 1010, "Not Found"));

        // Announced a moment ago: it may not be readable yet, so it is not passed over.
        var young = Workflow(context, folder.Path);
        var (first, error) = await WorkflowAssert.RunUntilFailureAsync(young, _ => { });
        var notFound = Assert.IsType<Edi2ApiException>(error);
        Assert.Equal((ApiErrorReason.NotFound, gone.Id), (notFound.ApiReason, notFound.Target));
        Assert.Contains("next run tries again", notFound.Message);
        Assert.Single(first, e => e.Kind == ReceiveEventKind.Saved);
        Assert.Equal(OffsetOfNewMessage(context, 0), SavedOffset(young));

        // Old enough (here: any age), a message NHN does not have is passed over instead of blocking the rest for ever.
        var workflow = Workflow(context, folder.Path, o => o.NotFoundGracePeriod = TimeSpan.Zero);
        var events = await WorkflowAssert.RunAsync(workflow);

        var skipped = Assert.Single(events, e => e.Kind == ReceiveEventKind.Skipped);
        Assert.Equal(gone.Id, skipped.Notification!.RelatedMessageId);
        Assert.Contains("404", skipped.Message);
        Assert.Single(events, e => e.Kind == ReceiveEventKind.Saved);
        Assert.False(File.Exists(Path.Combine(folder.Path, MessageFiles.FileName(gone.Id))));
        Assert.False(gone.Receiver(Ours).Downloaded);
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(workflow));
        WorkflowAssert.NoPartials(folder.Path);
    }

    [Fact]
    public async Task Other_notifications_move_the_offset_and_are_handed_out_only_when_asked()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        // A message we sent and its receipt: MessageApprecInfoUpdated for the sender, NewMessage (the AppRec) for us.
        var doc = Edi2Document.FromBytes(MsgHead.Bytes(Ours, Foreign));
        Guid sent = await context.Api.SendMessageAsync(doc, Ours, [Foreign], "DIALOG_HELSEFAGLIG", "tests", "1");
        context.Nhn.Edi.ReceiveAppRec(sent, Foreign);
        var ours = context.Nhn.Edi.Notifications.Where(n => n.NotificationReceiverHerId == Ours).ToList();
        Assert.Contains(ours, n => n.Type != "NewMessage");

        var quiet = await WorkflowAssert.RunAsync(Workflow(context, folder.Path));
        Assert.DoesNotContain(quiet, e => e.Kind == ReceiveEventKind.Other);

        using var second = new TempFolder();
        var workflow = Workflow(context, second.Path, o => o.IncludeOtherNotifications = true);
        var loud = await WorkflowAssert.RunAsync(workflow);
        Assert.Equal(ours.Where(n => n.Type != "NewMessage").Select(n => n.Id), loud.Where(e => e.Kind == ReceiveEventKind.Other).Select(e => e.Notification!.Id));
        Assert.Equal(ours.Max(n => n.Offset), SavedOffset(workflow));
    }

    [Fact]
    public async Task A_message_for_two_of_our_HER_ids_is_saved_once_and_marked_for_each()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours, OursToo], MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours));

        var events = await WorkflowAssert.RunAsync(Workflow(context, folder.Path, herIds: [OursToo, Ours]));

        var saved = events.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!).ToList();
        Assert.Equal([Ours, OursToo], saved.Select(s => s.ReceiverHerId!.Value).Order());
        Assert.Equal([false, true], saved.Select(s => s.AlreadyPresent));
        Assert.Single(Directory.GetFiles(folder.Path, "*.xml"));
        var message = context.Nhn.Edi.GetMessage(id)!;
        Assert.True(message.Receiver(Ours).Downloaded && message.Receiver(OursToo).Downloaded);
        Assert.Single(context.ApiRequests("/business-document"));
    }

    [Fact]
    public async Task A_second_run_on_the_same_state_file_fails_at_once_naming_it_or_waits_when_told()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 4);
        var first = Workflow(context, folder.Path);

        await using (var running = first.RunAsync().GetAsyncEnumerator())
        {
            Assert.True(await running.MoveNextAsync()); // holds the lock, half-way through

            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<Edi2WorkflowException>(() => WorkflowAssert.RunAsync(Workflow(context, folder.Path)));
            Assert.Equal(WorkflowErrorReason.StateLocked, error.WorkflowReason);
            Assert.Equal("Receive.StateLocked", error.Reason);
            Assert.Contains(first.StatePath, error.Message);
            Assert.Equal(first.StatePath, error.Target);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"failing took {watch.Elapsed}");

            // With a wait, the second run starts when the first is done.
            var waiting = WorkflowAssert.RunAsync(Workflow(context, folder.Path, o => o.LockTimeout = TimeSpan.FromSeconds(20)));
            await Task.Delay(300);
            Assert.False(waiting.IsCompleted);
            while (await running.MoveNextAsync())
            {
            }
            var after = await waiting;
            Assert.DoesNotContain(after, e => e.Kind == ReceiveEventKind.Saved); // the first got them all
        }
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 4);

        // A wait that runs out fails the same way.
        await using var holder = first.RunAsync().GetAsyncEnumerator();
        context.Nhn.Edi.AddNotifications(Ours, 1);
        Assert.True(await holder.MoveNextAsync());
        var timedOut = await Assert.ThrowsAsync<Edi2WorkflowException>(() => WorkflowAssert.RunAsync(Workflow(context, folder.Path, o => o.LockTimeout = TimeSpan.FromMilliseconds(300))));
        Assert.Contains("waited", timedOut.Message);
    }

    [Fact]
    public async Task A_state_file_of_another_HER_id_set_or_client_is_refused_and_a_corrupt_one_is_kept()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        string statePath = Path.Combine(folder.Path, "state.json");
        await WorkflowAssert.RunAsync(Workflow(context, folder.Path, o => o.StatePath = statePath));

        var other = await Assert.ThrowsAsync<Edi2WorkflowException>(() => WorkflowAssert.RunAsync(Workflow(context, folder.Path, o => o.StatePath = statePath, herIds: [Ours, OursToo])));
        Assert.Equal(WorkflowErrorReason.StateMismatch, other.WorkflowReason);
        Assert.Contains("HER-ids", other.Message);

        var c2 = await context.ConnectAsync("c2", "999999999");
        var otherClient = await Assert.ThrowsAsync<Edi2WorkflowException>(() => WorkflowAssert.RunAsync(Workflow(context, folder.Path, o => o.StatePath = statePath, session: c2)));
        Assert.Contains("client id 'c1'", otherClient.Message);

        File.WriteAllText(statePath, "{ \"offset\": ");
        var corrupt = await Assert.ThrowsAsync<Edi2WorkflowException>(() => WorkflowAssert.RunAsync(Workflow(context, folder.Path, o => o.StatePath = statePath)));
        Assert.Equal(WorkflowErrorReason.StateCorrupt, corrupt.WorkflowReason);
        Assert.Equal("{ \"offset\": ", File.ReadAllText(statePath));

        // Different HER-id sets get different default state files.
        Assert.NotEqual(Workflow(context, folder.Path).StatePath, Workflow(context, folder.Path, herIds: [Ours, OursToo]).StatePath);
        Assert.Equal(Workflow(context, folder.Path, herIds: [OursToo, Ours]).StatePath, Workflow(context, folder.Path, herIds: [Ours, OursToo, Ours]).StatePath);
    }

    /// <summary>Another session of client c3 (a second key), so two spellings of one API can be connected side by side.</summary>
    private static async Task<Edi2Session> ConnectC3Async(ApiTestContext context, Uri apiBase)
    {
        string jwk = TestJwks.EcJwk();
        context.Nhn.State.AddClientKey("c3", TestJwks.PublicOf(jwk));
        return await Edi2Session.ConnectAsync(new Edi2ConnectionOptions { ClientId = "c3", Authority = new Uri(context.Nhn.Issuer), ApiBaseUri = apiBase }, SigningKey.FromJwk(jwk));
    }

    [Fact]
    public async Task An_API_base_with_and_without_its_trailing_slash_is_one_state_file_and_a_run_with_the_other_spelling_goes_on_from_the_offset()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Api.PathBase = "/api"; // the bug needs a path: "http://host" and "http://host/" are one AbsoluteUri
        var unslashed = new Uri(context.Nhn.BaseUri, "api");
        var slashed = new Uri(context.Nhn.BaseUri, "api/");
        using var c3 = await context.ConnectAsync("c3", "999999999", configure: o => o.ApiBaseUri = unslashed);
        using var c3Slashed = await ConnectC3Async(context, slashed);
        context.Nhn.Edi.AddNotifications(Ours, 3);

        var first = await WorkflowAssert.RunAsync(new ReceiveWorkflow(c3, new ReceiveOptions([Ours], folder.Path)));
        Assert.Equal(3, first.Count(e => e.Kind == ReceiveEventKind.Saved));
        context.Nhn.Edi.AddNotifications(Ours, 2);

        var second = new ReceiveWorkflow(c3Slashed, new ReceiveOptions([Ours], folder.Path));
        var again = await WorkflowAssert.RunAsync(second);

        // Only the two new ones: the run did not start again from offset 0 (which would find three files already there).
        var saved = again.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!).ToList();
        Assert.Equal(0, saved.Count(s => s.AlreadyPresent));
        Assert.Equal(2, saved.Count);
        Assert.Single(Directory.GetFiles(folder.Path, ".edi2-receive-*.json"));
        Assert.Equal(new ReceiveWorkflow(c3, new ReceiveOptions([Ours], folder.Path)).StatePath, second.StatePath);
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(second));
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 5);
    }

    [Fact]
    public async Task A_state_file_named_after_the_API_base_as_typed_before_is_still_found_and_belongs_with_either_spelling()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Api.PathBase = "/api";
        var unslashed = new Uri(context.Nhn.BaseUri, "api");
        using var c3 = await context.ConnectAsync("c3", "999999999", configure: o => o.ApiBaseUri = unslashed);
        using var c3Slashed = await ConnectC3Async(context, new Uri(context.Nhn.BaseUri, "API/"));
        context.Nhn.Edi.AddNotifications(Ours, 4);
        long handled = OffsetOfNewMessage(context, 1);

        // What 1.x wrote: the name hashes the API base exactly as typed, the file holds it as typed.
        string key = $"Test|c3|{unslashed.AbsoluteUri}|{Ours}";
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12].ToLowerInvariant();
        string old = Path.Combine(folder.Path, $".edi2-receive-{hash}.json");
        File.WriteAllText(old, $$"""{ "version": 1, "offset": {{handled}}, "clientId": "c3", "environment": "Test", "apiBaseUri": "{{unslashed.AbsoluteUri}}", "herIds": [{{Ours}}], "updatedAt": "2025-01-01T00:00:00+00:00" }""");

        foreach (var session in new[] { c3, c3Slashed })
        {
            Assert.Equal(old, new ReceiveWorkflow(session, new ReceiveOptions([Ours], folder.Path)).StatePath);
        }
        var events = await WorkflowAssert.RunAsync(new ReceiveWorkflow(c3Slashed, new ReceiveOptions([Ours], folder.Path)));
        Assert.Equal(2, events.Count(e => e.Kind == ReceiveEventKind.Saved)); // the two after the saved offset
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(new ReceiveWorkflow(c3, new ReceiveOptions([Ours], folder.Path))));
        Assert.Single(Directory.GetFiles(folder.Path, ".edi2-receive-*.json"));
    }
}
