using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>
/// Receive with -ThrottleLimit: downloads and marks run at once, yet the events come in notification order and the
/// offset never passes a message that is not both saved and marked.
/// </summary>
public sealed class ReceiveThrottleTests
{
    private static ReceiveWorkflow Workflow(ApiTestContext context, string folder, int throttleLimit) =>
        new(context.Session, new ReceiveOptions([Ours], folder) { ThrottleLimit = throttleLimit, PageSize = 7 });

    private static long SavedOffset(ReceiveWorkflow workflow) => ReceiveWorkflow.ReadState(workflow.StatePath)!.Offset;

    /// <summary>Everything at or before the saved offset is on disk and marked: the invariant, checked as the run goes.</summary>
    private static void OffsetPassesNothingUnsaved(ApiTestContext context, string folder, long offset)
    {
        foreach (var notification in context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage" && n.Offset <= offset))
        {
            var message = context.Nhn.Edi.GetMessage(notification.RelatedMessageId)!;
            Assert.True(File.Exists(Path.Combine(folder, MessageFiles.FileName(message.Id))), $"offset {offset} passes unsaved message {message.Id}");
            Assert.True(message.Receiver(Ours).Downloaded, $"offset {offset} passes unmarked message {message.Id}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public async Task Events_come_in_notification_order_and_everything_is_received_once(int throttleLimit)
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 40);
        context.Nhn.Api.Latency = TimeSpan.FromMilliseconds(5); // so the downloads overlap
        var workflow = Workflow(context, folder.Path, throttleLimit);

        var events = new List<ReceiveEvent>();
        await foreach (var e in workflow.RunAsync())
        {
            events.Add(e);
            OffsetPassesNothingUnsaved(context, folder.Path, SavedOffset(workflow));
        }

        var expected = context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage").Select(n => n.RelatedMessageId).ToList();
        Assert.Equal(expected, events.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!.MessageId));
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 40);
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(workflow));
        Assert.Equal(40, events.Last().Progress!.Downloaded);
    }

    [Theory] // the 6th of 12 messages fails at its download or at its mark, more often than the client retries
    [InlineData("GET", "business-document")]
    [InlineData("PUT", "downloaded")]
    public async Task A_middle_message_that_fails_stops_the_offset_before_it_and_a_rerun_completes(string method, string step)
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 12);
        var newMessages = context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage").ToList();
        var failing = newMessages[5];
        context.Nhn.Faults.FailNext(method, $"/messages/{failing.RelatedMessageId}/{step}", 10, WorkflowAssert.Problem(500, title: "Internal Server Error"));
        var workflow = Workflow(context, folder.Path, 4);

        var events = new List<ReceiveEvent>();
        var error = await Assert.ThrowsAsync<Edi2ApiException>(async () =>
        {
            await foreach (var e in workflow.RunAsync())
            {
                events.Add(e);
                OffsetPassesNothingUnsaved(context, folder.Path, SavedOffset(workflow));
            }
        });
        context.Nhn.Faults.Clear();

        Assert.Equal(ApiErrorReason.ServerError, error.ApiReason);
        Assert.Equal(newMessages[4].Offset, SavedOffset(workflow)); // right before the failed one, not past it
        Assert.Equal(newMessages.Take(5).Select(n => n.RelatedMessageId), events.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!.MessageId));
        Assert.False(context.Nhn.Edi.GetMessage(failing.RelatedMessageId)!.Receiver(Ours).Downloaded);
        WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);
        WorkflowAssert.NoPartials(folder.Path);

        var rerun = await WorkflowAssert.RunAsync(Workflow(context, folder.Path, 4));

        Assert.Equal(newMessages.Skip(5).Select(n => n.RelatedMessageId), rerun.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!.MessageId));
        WorkflowAssert.AllReceived(context, folder.Path, Ours, 12);
        Assert.Equal(context.Nhn.Edi.LastOffset, SavedOffset(workflow));
    }

    [Fact]
    public async Task The_offset_is_written_once_per_contiguous_run_of_finished_messages_and_at_the_end()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 8);
        var newMessages = context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage").ToList();
        // The first download is slow: the seven after it finish meanwhile, and the offset can only move once the first is done.
        context.Nhn.Faults.FailNext("GET", $"/messages/{newMessages[0].RelatedMessageId}/business-document", 1, ApiFault.Delay(TimeSpan.FromSeconds(1)));
        var workflow = Workflow(context, folder.Path, 8);
        var written = new List<long>();

        var events = new List<ReceiveEvent>();
        await foreach (var e in workflow.RunAsync())
        {
            events.Add(e);
            long offset = SavedOffset(workflow);
            if (written.Count == 0 || written[^1] != offset) written.Add(offset);
        }

        // One write for the first message and the seven that finished behind it (page size 7: the eighth may come in a later run of its own).
        Assert.InRange(written.Count, 1, 2);
        Assert.True(written[0] >= newMessages[6].Offset, $"first write at offset {written[0]}, expected past the seventh message ({newMessages[6].Offset})");
        Assert.Equal(context.Nhn.Edi.LastOffset, written[^1]);
        Assert.Equal(newMessages.Select(n => n.RelatedMessageId), events.Where(e => e.Kind == ReceiveEventKind.Saved).Select(e => e.Saved!.MessageId));
        // The progress shown is what is written: the first seven all report the offset of the run they were written in.
        Assert.Equal(written[0], events.First(e => e.Kind == ReceiveEventKind.Progress).Progress!.Offset);
    }

    [Fact]
    public async Task ThrottleLimit_1_sends_the_requests_in_the_sequential_order()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 10);
        var ids = context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage").Select(n => n.RelatedMessageId).ToList();
        context.Nhn.Requests.Clear();

        await WorkflowAssert.RunAsync(Workflow(context, folder.Path, 1));

        // A page of 7, each message downloaded then marked, the next page, its 3, and the empty page that ends the listing.
        var expected = new List<string> { "GET /notifications" };
        for (int i = 0; i < ids.Count; i++)
        {
            if (i == 7) expected.Add("GET /notifications");
            expected.Add($"GET /messages/{ids[i]}/business-document");
            expected.Add($"PUT /messages/{ids[i]}/downloaded");
        }
        expected.Add("GET /notifications");
        var actual = context.Nhn.Requests.Snapshot().Where(r => !r.Path.Contains("/connect/") && !r.Path.Contains(".well-known")).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.Equal(expected, actual);
    }
}
