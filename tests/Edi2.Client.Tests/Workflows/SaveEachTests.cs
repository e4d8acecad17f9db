using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>
/// MessageFiles.SaveEachAsync, Save-Edi2Message's piped ids at -ThrottleLimit: concurrent, yet the outcomes come in the
/// order asked, a failed message is its own outcome and the others go on, and nothing is marked without its file.
/// </summary>
public sealed class SaveEachTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(4, true)]
    [InlineData(4, false)]
    [InlineData(16, true)]
    public async Task Outcomes_come_in_the_order_asked_and_a_missing_message_is_its_own_error(int throttleLimit, bool mark)
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 12);
        context.Nhn.Api.Latency = TimeSpan.FromMilliseconds(5); // so the downloads overlap
        var ids = context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage").Select(n => n.RelatedMessageId).ToList();
        var missing = Guid.NewGuid();
        var asked = ids.Take(6).Append(missing).Concat(ids.Skip(6)).Select(id => new SaveRequest(id, mark ? Ours : 0)).ToList();

        var outcomes = new List<SaveOutcome>();
        await foreach (var outcome in MessageFiles.SaveEachAsync(context.Api, asked, folder.Path, overwrite: false, throttleLimit)) outcomes.Add(outcome);

        Assert.Equal(asked.Select(r => r.MessageId), outcomes.Select(o => o.Request.MessageId));
        var failed = Assert.Single(outcomes, o => o.Error != null);
        Assert.Equal(missing, failed.Request.MessageId);
        Assert.Equal(ApiErrorReason.NotFound, Assert.IsType<Edi2ApiException>(failed.Error).ApiReason);
        Assert.All(outcomes.Where(o => o.Error is null), o => Assert.Equal(mark, o.Result!.Saved.MarkedDownloaded));
        Assert.Equal(12, Directory.GetFiles(folder.Path, "*.xml").Length);
        if (mark) WorkflowAssert.AllReceived(context, folder.Path, Ours, 12);
        else Assert.DoesNotContain(context.Nhn.Edi.Messages, m => m.Receiver(Ours).Downloaded);
        WorkflowAssert.NoPartials(folder.Path);
    }

    [Fact]
    public async Task Stopping_the_enumeration_cancels_the_downloads_still_running_and_leaves_no_partial_file()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 20);
        context.Nhn.Api.Latency = TimeSpan.FromMilliseconds(200);
        var asked = context.Nhn.Edi.Notifications.Where(n => n.Type == "NewMessage").Select(n => new SaveRequest(n.RelatedMessageId, Ours)).ToList();

        await foreach (var outcome in MessageFiles.SaveEachAsync(context.Api, asked, folder.Path, overwrite: false, 4))
        {
            Assert.Null(outcome.Error);
            break; // as Select-Object -First 1
        }
        await Task.Delay(100); // a request cancelled on its way may still reach the server
        int requests = context.ApiRequests("/messages/").Count;
        await Task.Delay(600);

        Assert.Equal(requests, context.ApiRequests("/messages/").Count); // nothing went on after the stop
        Assert.True(requests < 2 * asked.Count, $"{requests} requests for {asked.Count} messages: the stop came after all of them");
        WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);
        WorkflowAssert.NoPartials(folder.Path);
    }
}
