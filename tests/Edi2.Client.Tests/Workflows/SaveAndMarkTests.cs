using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>
/// MessageFiles.SaveAndMarkAsync, the save-then-mark step of Save-Edi2Message -MarkDownloaded and Receive-Edi2Message:
/// a mark NHN cannot make any more (404/410) is a warning in both, any other failed mark an error; the file stays either way.
/// </summary>
public sealed class SaveAndMarkTests
{
    private const string MarkPath = "/messages/*/downloaded";

    /// <summary>The answers of an NHN that no longer has the message: 404 with an API body, 410 with or without one.</summary>
    public static TheoryData<int, bool> GoneAnswers => new() { { 404, true }, { 410, true }, { 410, false } };

    private static ApiFault Gone(int status, bool apiBody) =>
        apiBody ? WorkflowAssert.Problem(status, errorCode: 1010, title: "Not Found") : ApiFault.Status(status);

    private static Guid AddMessage(ApiTestContext context) =>
        context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours));

    [Fact]
    public async Task Saves_then_marks_for_the_receiver()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context);

        var result = await MessageFiles.SaveAndMarkAsync(context.Api, id, Ours, folder.Path, overwrite: false);

        Assert.True(result.Saved.MarkedDownloaded);
        Assert.Equal(Ours, result.Saved.ReceiverHerId);
        Assert.Null(result.Warning);
        Assert.Null(result.MarkError);
        Assert.True(context.Nhn.Edi.GetMessage(id)!.Receiver(Ours).Downloaded);
        WorkflowAssert.NoneMarkedWithoutFile(context, folder.Path);
    }

    [Theory]
    [MemberData(nameof(GoneAnswers))]
    public async Task A_mark_NHN_cannot_make_any_more_keeps_the_file_and_is_a_warning_not_a_success(int status, bool apiBody)
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context);
        context.Nhn.Faults.FailNext("PUT", MarkPath, 1, Gone(status, apiBody));

        var result = await MessageFiles.SaveAndMarkAsync(context.Api, id, Ours, folder.Path, overwrite: false);

        Assert.False(result.Saved.MarkedDownloaded);
        Assert.Null(result.MarkError);
        Assert.Contains($"Message {id} is saved in {result.Saved.Path} but was not marked downloaded for HER-id {Ours}", result.Warning);
        Assert.Contains($"HTTP {status}", result.Warning);
        Assert.Equal(context.Nhn.Edi.GetMessage(id)!.Document.ToArray(), File.ReadAllBytes(result.Saved.Path));
    }

    [Theory]
    [InlineData(500)] // more failures than the client's retries of an idempotent PUT
    [InlineData(423)]
    public async Task Any_other_failed_mark_keeps_the_file_and_is_an_error(int status)
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = AddMessage(context);
        context.Nhn.Faults.FailNext("PUT", MarkPath, 10, WorkflowAssert.Problem(status, errorCode: status == 423 ? 1210 : 0));

        var result = await MessageFiles.SaveAndMarkAsync(context.Api, id, Ours, folder.Path, overwrite: false);

        Assert.False(result.Saved.MarkedDownloaded);
        Assert.Null(result.Warning);
        Assert.Equal(status, Assert.IsType<Edi2ApiException>(result.MarkError).StatusCode);
        Assert.True(File.Exists(result.Saved.Path));
        Assert.False(context.Nhn.Edi.GetMessage(id)!.Receiver(Ours).Downloaded);
    }

    [Fact]
    public async Task A_failed_download_marks_nothing_and_throws()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid missing = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<Edi2ApiException>(() => MessageFiles.SaveAndMarkAsync(context.Api, missing, Ours, folder.Path, overwrite: false));

        Assert.Equal(ApiErrorReason.NotFound, error.ApiReason);
        Assert.Empty(context.ApiRequests("/downloaded"));
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    /// <summary>
    /// Receive-Edi2Message goes on past such a message with the step's warning, as Save-Edi2Message -MarkDownloaded does
    /// (old code: a 410 on the mark stopped the run, and a rerun stopped on it again, for ever).
    /// </summary>
    [Theory]
    [MemberData(nameof(GoneAnswers))]
    public async Task Receive_goes_on_past_a_mark_NHN_cannot_make_with_the_same_warning_as_the_step(int status, bool apiBody)
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        using var alone = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 3);
        var first = context.Nhn.Edi.Messages.First(m => m.IsInbound);
        context.Nhn.Faults.FailNext("PUT", $"/messages/{first.Id}/downloaded", 2, Gone(status, apiBody));
        var workflow = new ReceiveWorkflow(context.Session, new ReceiveOptions([Ours], folder.Path));

        var events = await WorkflowAssert.RunAsync(workflow);
        var step = await MessageFiles.SaveAndMarkAsync(context.Api, first.Id, Ours, alone.Path, overwrite: false);

        var saved = events.Where(e => e.Kind == ReceiveEventKind.Saved).ToList();
        Assert.Equal(3, saved.Count);
        Assert.Equal(first.Id, saved[0].Saved!.MessageId);
        Assert.False(saved[0].Saved!.MarkedDownloaded);
        Assert.Equal(step.Warning!.Replace(alone.Path, folder.Path), saved[0].Message);
        Assert.False(step.Saved.MarkedDownloaded);
        Assert.All(saved.Skip(1), e => Assert.True(e.Saved!.MarkedDownloaded && e.Message is null));
        Assert.Equal(context.Nhn.Edi.LastOffset, ReceiveWorkflow.ReadState(workflow.StatePath)!.Offset);
        Assert.Equal(first.Document.ToArray(), File.ReadAllBytes(saved[0].Saved!.Path));
    }
}
