using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>MessageFiles.SaveAsync over the fake NHN: a file is complete or absent, kept when there, replaced when asked.</summary>
public sealed class MessageFilesTests
{
    [Fact]
    public async Task Saves_the_document_byte_for_byte_with_its_length_and_hash()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        byte[] document = MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours, body: new string('x', 200_000));
        Guid id = context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], document);

        var saved = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);

        Assert.Equal(id, saved.MessageId);
        Assert.Equal(folder.Combine($"{id}.xml"), saved.Path);
        Assert.Equal(document, File.ReadAllBytes(saved.Path));
        Assert.Equal(document.Length, saved.Length);
        Assert.Equal(WorkflowAssert.Sha256(document), saved.Sha256);
        Assert.False(saved.AlreadyPresent);
        Assert.False(saved.MarkedDownloaded);
        WorkflowAssert.NoPartials(folder.Path);
    }

    [Fact]
    public async Task A_download_cut_half_way_leaves_no_file_and_no_temporary_file()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        byte[] document = MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours, body: new string('y', 100_000));
        Guid id = context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], document);
        WorkflowAssert.CutDownloads(context);

        var error = await Assert.ThrowsAsync<Edi2ApiException>(() => MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false));
        context.Nhn.Faults.Clear();

        WorkflowAssert.IsCut(error);
        Assert.Empty(Directory.GetFiles(folder.Path)); // neither <id>.xml nor .<id>.*.partial

        // And the next attempt saves it whole.
        var saved = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);
        Assert.Equal(document, File.ReadAllBytes(saved.Path));
    }

    [Fact]
    public async Task A_cut_download_does_not_touch_an_existing_file_being_replaced()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        byte[] document = MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours, body: new string('z', 100_000));
        Guid id = context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], document);
        string path = folder.Combine($"{id}.xml");
        File.WriteAllText(path, "the old file");
        WorkflowAssert.CutDownloads(context);

        WorkflowAssert.IsCut(await Assert.ThrowsAsync<Edi2ApiException>(() => MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: true)));
        context.Nhn.Faults.Clear();

        Assert.Equal("the old file", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task An_existing_file_is_kept_without_a_download_unless_overwrite()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        byte[] document = MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours);
        Guid id = context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], document);

        var first = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);
        var second = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);

        Assert.True(second.AlreadyPresent);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(first.Length, second.Length);
        Assert.Single(context.ApiRequests("/business-document"));

        // What is there is trusted (only a completed rename puts it there), so a changed file is kept as it is...
        File.WriteAllText(first.Path, "changed by hand");
        var kept = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);
        Assert.True(kept.AlreadyPresent);
        Assert.Equal("changed by hand".Length, kept.Length);
        Assert.Equal(WorkflowAssert.Sha256("changed by hand"u8), kept.Sha256);

        // ...until overwrite asks for a new download.
        var replaced = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: true);
        Assert.False(replaced.AlreadyPresent);
        Assert.Equal(document, File.ReadAllBytes(first.Path));
        Assert.Equal(WorkflowAssert.Sha256(document), replaced.Sha256);
        Assert.Equal(2, context.ApiRequests("/business-document").Count);
        WorkflowAssert.NoPartials(folder.Path);
    }

    [Fact]
    public async Task Stale_partials_of_a_dead_run_are_removed_but_one_being_written_is_not()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours));
        Guid other = Guid.NewGuid();
        string stale = folder.Combine($".{id}.0123456789ab.partial");
        string busy = folder.Combine($".{id}.ba9876543210.partial");
        string someoneElses = folder.Combine($".{other}.0123456789ab.partial");
        File.WriteAllText(stale, "half a document");
        File.WriteAllText(someoneElses, "another message");
        using (var writer = new FileStream(busy, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false);

            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(busy)); // a concurrent save of the same message still writes it
            Assert.True(File.Exists(someoneElses)); // only this message's are looked at
        }
        Assert.True(File.Exists(folder.Combine($"{id}.xml")));
    }

    [Fact]
    public async Task A_missing_message_is_NotFound_and_leaves_nothing()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<Edi2ApiException>(() => MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false));

        Assert.Equal(ApiErrorReason.NotFound, error.ApiReason);
        Assert.Equal(id, error.Target);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task The_folder_is_created_when_missing()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        Guid id = context.Nhn.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [Ours], MsgHead.Bytes(FakeEdiState.ExternalSenderHerId, Ours));
        string inside = folder.Combine("in", "box");

        var saved = await MessageFiles.SaveAsync(context.Api, id, inside, overwrite: false);

        Assert.Equal(Path.Combine(inside, $"{id}.xml"), saved.Path);
    }
}
