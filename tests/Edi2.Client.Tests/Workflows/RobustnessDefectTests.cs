using System.Diagnostics;
using System.Text.Json;
using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Model;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>The defects an adversarial run found (issue 13), each through the fake NHN over 127.0.0.1.</summary>
public sealed class RobustnessDefectTests
{
    private static Guid AddMessage(ApiTestContext context, int bodyChars = 200_000) =>
        context.Nhn.Edi.AddInboundMessage(Foreign, [Ours], MsgHead.Bytes(Foreign, Ours, body: new string('x', bodyChars)));

    private static Task<Edi2Session> ShortBodyTimeout(ApiTestContext context, string clientId) =>
        context.ConnectAsync(clientId, "999999999", configure: o => o.Retry = new RetryPolicy
        {
            BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50), BodyTimeout = TimeSpan.FromMilliseconds(500),
        });

    // ---- 1. a stalled body ----

    [Fact]
    public async Task A_body_that_stalls_ends_the_download_with_Timeout_instead_of_hanging()
    {
        await using var context = await StartAsync();
        var session = await ShortBodyTimeout(context, "stall1");
        Guid id = AddMessage(context);
        context.Nhn.Faults.FailNext("GET", "/messages/*/business-document", 1, ApiFault.StallAfterBytes(40_000, TimeSpan.FromSeconds(60)));

        var watch = Stopwatch.StartNew();
        using var sink = new MemoryStream();
        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => session.Api.DownloadBusinessDocumentAsync(id, sink));

        Assert.Equal(ApiErrorReason.Timeout, e.ApiReason);
        Assert.Equal(id, e.Target);
        Assert.Contains("sent no bytes for 0.5 s", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_stalled_download_is_tried_again_and_saved_whole()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var session = await ShortBodyTimeout(context, "stall2");
        Guid id = AddMessage(context);
        context.Nhn.Faults.FailNext("GET", "/messages/*/business-document", 2, ApiFault.StallAfterBytes(40_000, TimeSpan.FromSeconds(60)));

        var saved = await MessageFiles.SaveAsync(session.Api, id, folder.Path, overwrite: false);

        Assert.Equal(context.Nhn.Edi.GetMessage(id)!.Document.ToArray(), File.ReadAllBytes(saved.Path));
        Assert.Equal(0, context.Nhn.Faults.Pending);
        WorkflowAssert.NoPartials(folder.Path);
    }

    [Fact]
    public async Task A_download_that_stalls_on_every_attempt_fails_with_Timeout_and_leaves_no_partial()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var session = await ShortBodyTimeout(context, "stall3");
        Guid id = AddMessage(context);
        context.Nhn.Faults.FailNext("GET", "/messages/*/business-document", 8, ApiFault.StallAfterBytes(40_000, TimeSpan.FromSeconds(60)));

        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => MessageFiles.SaveAsync(session.Api, id, folder.Path, overwrite: false));

        Assert.Equal(ApiErrorReason.Timeout, e.ApiReason);
        Assert.False(File.Exists(Path.Combine(folder.Path, MessageFiles.FileName(id))));
        WorkflowAssert.NoPartials(folder.Path);
    }

    // ---- 6. a truncated body is retried like a dropped connection ----

    [Fact]
    public async Task A_cut_download_is_tried_again_and_saved_whole()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context);
        context.Nhn.Faults.FailNext("GET", "/messages/*/business-document", 2, ApiFault.DropConnectionAfterBytes(40_000));

        var saved = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);

        Assert.Equal(context.Nhn.Edi.GetMessage(id)!.Document.ToArray(), File.ReadAllBytes(saved.Path));
        WorkflowAssert.NoPartials(folder.Path);
    }

    [Fact]
    public async Task A_truncated_document_answer_is_tried_again_and_saved_whole()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context, 2_000);
        // A well-formed HTTP answer whose JSON stops in the middle of the document (a proxy that cut it and closed cleanly).
        context.Nhn.Faults.FailNext("GET", "/messages/*/business-document", 1,
            ApiFault.Status(200, """{"contentType":"application/xml","businessDocument":"PD94bWwgdmVyc2lvbj0iMS4w"""));

        var saved = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);

        Assert.Equal(context.Nhn.Edi.GetMessage(id)!.Document.ToArray(), File.ReadAllBytes(saved.Path));
    }

    // ---- 2. two runs in one folder ----

    [Fact]
    public async Task Runs_saving_the_same_messages_in_one_folder_never_take_each_others_partials()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var ids = Enumerable.Range(0, 40).Select(_ => AddMessage(context, 300)).ToList();
        var sessions = new List<Edi2Session> { context.Session };
        for (int i = 1; i < 4; i++) sessions.Add(await context.ConnectAsync($"racer{i}", "999999999"));

        for (int round = 0; round < 5; round++)
        {
            foreach (string file in Directory.GetFiles(folder.Path)) File.Delete(file);
            // Four runs, each through all messages in its own order: every message is saved by one and found by the others.
            var runs = sessions.Select((session, n) => Task.Run(async () =>
            {
                var order = n % 2 == 0 ? ids : Enumerable.Reverse(ids).ToList();
                foreach (var id in order) await MessageFiles.SaveAsync(session.Api, id, folder.Path, overwrite: false);
            })).ToList();

            await Task.WhenAll(runs); // the old code: one run deleted another's partial between its close and its rename (FileNotFoundException)

            foreach (var id in ids) Assert.Equal(context.Nhn.Edi.GetMessage(id)!.Document.ToArray(), File.ReadAllBytes(Path.Combine(folder.Path, MessageFiles.FileName(id))));
            WorkflowAssert.NoPartials(folder.Path);
        }
    }

    [Fact]
    public async Task Another_runs_clean_up_running_all_through_a_save_never_takes_its_partial()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        for (int i = 0; i < 20; i++)
        {
            Guid id = AddMessage(context, 100_000);
            using var stop = new CancellationTokenSource();
            // What a second run does when it starts on the same message: remove the partials no live writer holds. It runs
            // over and over from before the download to after the rename, so it also hits the moment between close and rename.
            var cleaner = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested) MessageFiles.RemoveStalePartials(folder.Path, id);
            });
            try
            {
                var saved = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);
                Assert.Equal(context.Nhn.Edi.GetMessage(id)!.Document.ToArray(), File.ReadAllBytes(saved.Path));
            }
            finally
            {
                stop.Cancel();
                await cleaner;
            }
        }
        WorkflowAssert.NoPartials(folder.Path);
    }

    [Fact]
    public async Task A_partial_left_by_a_dead_run_is_still_removed()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context, 300);
        string dead = Path.Combine(folder.Path, "." + id.ToString("D") + ".0123456789ab.partial");
        File.WriteAllText(dead, "half a document");

        await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);

        Assert.False(File.Exists(dead));
        WorkflowAssert.NoPartials(folder.Path);
    }

    // ---- 3. a relatedMessageId that is not a GUID ----

    [Fact]
    public async Task A_notification_whose_message_id_is_not_a_guid_is_passed_over_with_a_warning_and_the_run_goes_on()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 1); // offset 1, whose place the bad notification takes on the first page
        Guid id = AddMessage(context, 300);         // offset 2
        long last = context.Nhn.Edi.Notifications.Last().Offset;
        var bad = Guid.NewGuid();
        context.Nhn.Faults.FailNext("GET", "/notifications", 1, ApiFault.Status(200, JsonSerializer.Serialize(new
        {
            notifications = new object[]
            {
                new { id = bad, offset = 1, type = "NewMessage", relatedMessageId = "not-a-guid", notificationReceiverHerId = Ours },
            },
        })));
        var workflow = new ReceiveWorkflow(context.Session, new ReceiveOptions([Ours], folder.Path));

        var events = await WorkflowAssert.RunAsync(workflow);

        var skipped = Assert.Single(events, e => e.Kind == ReceiveEventKind.Skipped);
        Assert.Contains("'not-a-guid'", skipped.Message);
        Assert.Contains("offset 1", skipped.Message);
        Assert.Contains(bad.ToString(), skipped.Message);
        Assert.Contains(events, e => e.Kind == ReceiveEventKind.Saved && e.Saved!.MessageId == id);
        Assert.Equal(last, ReceiveWorkflow.ReadState(workflow.StatePath)!.Offset);
    }

    [Fact]
    public async Task A_page_with_one_unreadable_message_id_keeps_the_others()
    {
        await using var context = await StartAsync();
        var good = Guid.NewGuid();
        context.Nhn.Faults.FailNext("GET", "/notifications", 1, ApiFault.Status(200, $$"""
            {"notifications":[{"id":"{{Guid.NewGuid()}}","offset":7,"type":"NewMessage","relatedMessageId":42,"notificationReceiverHerId":{{Ours}}},
                              {"id":"{{Guid.NewGuid()}}","offset":8,"type":"NewMessage","relatedMessageId":"{{good}}","notificationReceiverHerId":{{Ours}}}]}
            """));

        var page = await context.Api.GetNotificationsAsync([Ours], 0);

        Assert.Equal(2, page.Count);
        Assert.Null(page[0].RelatedMessageId);
        Assert.Equal("42", page[0].UnreadableRelatedMessageId);
        Assert.Equal(good, page[1].RelatedMessageId);
        Assert.Null(page[1].UnreadableRelatedMessageId);
    }

    // ---- 4. wrong-shaped pages ----

    [Theory]
    [InlineData("""{"unexpected":[]}""")]
    [InlineData("""{"unexpected":[{"offset":1}]}""")]
    [InlineData("""{"notifications":null}""")]
    [InlineData("""{}""")]
    [InlineData("""{"notifications":[null]}""")]
    [InlineData("""[]""")]
    public async Task A_notifications_answer_of_the_wrong_shape_is_an_unexpected_response_not_an_empty_page(string body)
    {
        await using var context = await StartAsync();
        context.Nhn.Faults.FailNext("GET", "/notifications", 1, ApiFault.Status(200, body));

        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => context.Api.GetNotificationsAsync([Ours], 0));

        Assert.Equal(ApiErrorReason.UnexpectedResponse, e.ApiReason);
        Assert.Contains("not a notifications page", e.Message);
    }

    [Fact]
    public async Task An_empty_notifications_list_is_still_nothing_new()
    {
        await using var context = await StartAsync();
        context.Nhn.Faults.FailNext("GET", "/notifications", 1, ApiFault.Status(200, """{"notifications":[]}"""));

        Assert.Empty(await context.Api.GetNotificationsAsync([Ours], 0));
    }

    // ---- 5. an Ok receipt with errors ----

    [Fact]
    public async Task An_Ok_receipt_with_errors_is_refused_before_anything_is_sent()
    {
        await using var context = await StartAsync();
        Guid id = AddMessage(context, 300);
        context.Nhn.Requests.Clear();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => context.Api.SendAppRecAsync(id, Ours, AppRecStatus.Ok,
            [new Edi2AppRecError { ErrorCode = "E10", Details = "wrong" }], "tests", "1"));

        Assert.Contains("An Ok receipt carries no errors", e.Message);
        Assert.Contains("E10", e.Message);
        Assert.Contains("Nothing was sent", e.Message);
        Assert.Empty(context.ApiRequests("/apprec"));
    }

    // ---- 6. clearer messages ----

    [Fact]
    public async Task A_folder_path_that_is_a_file_says_so()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context, 300);
        string file = folder.Combine("not-a-folder.txt");
        File.WriteAllText(file, "x");

        var save = await Assert.ThrowsAsync<ArgumentException>(() => MessageFiles.SaveAsync(context.Api, id, file, overwrite: false));
        Assert.Contains("is a file, not a folder", save.Message);
        Assert.Equal(file, FileErrors.PathOf(save));

        var receive = new ReceiveWorkflow(context.Session, new ReceiveOptions([Ours], file) { StatePath = folder.Combine("state.json") });
        var run = await Assert.ThrowsAsync<ArgumentException>(() => WorkflowAssert.RunAsync(receive));
        Assert.Contains("is a file, not a folder", run.Message);
    }

    [Fact]
    public async Task A_503_asking_for_a_longer_wait_than_the_module_waits_says_what_the_server_asked_for()
    {
        await using var context = await StartAsync();
        context.Nhn.Faults.FailNext("GET", "/ping", 1, ApiFault.Status(503, "", "text/plain", TimeSpan.FromMinutes(10)));

        var e = await Assert.ThrowsAsync<Edi2ApiException>(() => context.Api.PingAsync());

        Assert.Equal(503, e.StatusCode);
        Assert.Contains("asked to wait 10 min", e.Message);
        Assert.Contains("Retry-After", e.Message);
    }

    [Fact]
    public async Task A_file_error_while_saving_names_the_file()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context, 300);
        // A folder where the message's file should be: the rename into place fails, whoever runs the test (root included).
        string target = Path.Combine(folder.Path, MessageFiles.FileName(id));
        Directory.CreateDirectory(target);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: true));

        Assert.True(e is IOException || e is UnauthorizedAccessException, e.ToString());
        Assert.Equal(target, FileErrors.PathOf(e));
        WorkflowAssert.NoPartials(folder.Path);
    }
}
