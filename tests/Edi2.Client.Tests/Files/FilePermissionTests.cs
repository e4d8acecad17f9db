using System.Runtime.Versioning;
using Edi2.Client.Tests.Api;
using Edi2.Client.Tests.Workflows;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;
using static System.IO.UnixFileMode;

namespace Edi2.Client.Tests.Files;

/// <summary>
/// Health data stays with its owner on Unix: saved messages, partial files, the receive state and its lock, the
/// reservation ledger and its lock are 0600, and the folders Edi2 creates 0700, whatever the umask; folders that exist
/// keep their mode. EDI2_FILE_MODE=group shares them with the folder's group (0640, 0750). The tests in this class run
/// one after another (one xunit collection), so the environment variable one sets is seen by no other test here.
/// </summary>
[UnsupportedOSPlatform("windows")] // every test is a UnixFact: skipped there
public sealed class FilePermissionTests
{
    private const UnixFileMode OwnerFile = UserRead | UserWrite;
    private const UnixFileMode OwnerFolder = UserRead | UserWrite | UserExecute;

    [UnixFact]
    public async Task Received_messages_the_receive_state_its_lock_and_the_folders_made_for_them_are_owner_only()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        File.SetUnixFileMode(folder.Path, OwnerFolder | GroupRead | GroupExecute | OtherRead | OtherExecute);
        string inbox = folder.Combine("inbox", "deep");
        context.Nhn.Edi.AddNotifications(Ours, 3);
        var workflow = new ReceiveWorkflow(context.Session, new ReceiveOptions([Ours], inbox));

        await WorkflowAssert.RunAsync(workflow);

        Assert.Equal(OwnerFolder, File.GetUnixFileMode(folder.Combine("inbox")));
        Assert.Equal(OwnerFolder, File.GetUnixFileMode(inbox));
        var saved = Directory.GetFiles(inbox, "*.xml");
        Assert.Equal(3, saved.Length);
        Assert.All(saved, f => Assert.Equal(OwnerFile, File.GetUnixFileMode(f)));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(workflow.StatePath));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(workflow.LockPath));
        // A folder that was there is not Edi2's to change.
        Assert.Equal(OwnerFolder | GroupRead | GroupExecute | OtherRead | OtherExecute, File.GetUnixFileMode(folder.Path));
    }

    [UnixFact]
    public async Task A_message_saved_into_an_existing_open_folder_is_owner_only_and_so_is_its_partial_file_while_it_is_written()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        File.SetUnixFileMode(folder.Path, OwnerFolder | GroupRead | GroupExecute | OtherRead | OtherExecute);
        var id = context.Nhn.Edi.AddInboundMessage(8094866, [Ours], new byte[300_000]);
        var partialModes = new List<UnixFileMode>();
        var progress = new SynchronousProgress(_ =>
        {
            foreach (string partial in Directory.GetFiles(folder.Path, "*.partial")) partialModes.Add(File.GetUnixFileMode(partial));
        });

        var saved = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: false, progress: progress);

        Assert.NotEmpty(partialModes);
        Assert.All(partialModes, m => Assert.Equal(OwnerFile, m));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(saved.Path));
    }

    [UnixFact]
    public async Task The_reservation_ledger_its_lock_and_its_new_folder_are_owner_only()
    {
        await using var context = await StartAsync(configure: false);
        using var folder = new TempFolder();
        var ledger = new ReservationLedger(folder.Combine("state", "Edi2", "reservations.json"));

        await Reservations.ReserveAsync(context.Session, [Ours], null, ledger);

        Assert.Equal(OwnerFolder, File.GetUnixFileMode(folder.Combine("state")));
        Assert.Equal(OwnerFolder, File.GetUnixFileMode(folder.Combine("state", "Edi2")));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(ledger.Path));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(ledger.LockPath));
        Assert.Empty(Directory.GetFiles(folder.Combine("state", "Edi2"), ".*.tmp")); // no temporary file left behind
    }

    [UnixFact]
    public async Task With_EDI2_FILE_MODE_group_the_group_may_read_and_others_still_may_not()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        context.Nhn.Edi.AddNotifications(Ours, 1);
        string inbox = folder.Combine("shared");
        var workflow = new ReceiveWorkflow(context.Session, new ReceiveOptions([Ours], inbox));

        using (new EnvironmentVariable(OwnerOnlyFiles.ModeVariable, "group")) await WorkflowAssert.RunAsync(workflow);

        Assert.Equal(OwnerFolder | GroupRead | GroupExecute, File.GetUnixFileMode(inbox));
        Assert.All(Directory.GetFiles(inbox, "*.xml"), f => Assert.Equal(OwnerFile | GroupRead, File.GetUnixFileMode(f)));
        Assert.Equal(OwnerFile | GroupRead, File.GetUnixFileMode(workflow.StatePath));
    }

    [SecondAccountFact]
    public async Task A_second_local_account_can_read_no_received_message_nor_list_the_folder_Edi2_made()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        File.SetUnixFileMode(folder.Path, OwnerFolder | GroupRead | GroupExecute | OtherRead | OtherExecute);
        context.Nhn.Edi.AddNotifications(Ours, 1);
        string inbox = folder.Combine("inbox");
        var id = context.Nhn.Edi.AddInboundMessage(8094866, [Ours], MsgHead.Bytes(8094866, Ours, body: "health data"));
        await WorkflowAssert.RunAsync(new ReceiveWorkflow(context.Session, new ReceiveOptions([Ours], inbox)));
        var direct = await MessageFiles.SaveAsync(context.Api, id, folder.Path, overwrite: true); // into the open folder
        string received = Directory.GetFiles(inbox, "*.xml")[0];

        var listInbox = SecondAccount.RunAs("ls", inbox);
        var readReceived = SecondAccount.RunAs("cat", received);
        var readDirect = SecondAccount.RunAs("cat", direct.Path);
        var listOpen = SecondAccount.RunAs("ls", folder.Path); // the control: the account works and can see the open folder

        Assert.Equal(0, listOpen.ExitCode);
        Assert.Contains(Path.GetFileName(direct.Path), listOpen.Output);
        Assert.NotEqual(0, listInbox.ExitCode);
        Assert.Contains("Permission denied", listInbox.Output);
        Assert.NotEqual(0, readReceived.ExitCode);
        Assert.Contains("Permission denied", readReceived.Output);
        Assert.NotEqual(0, readDirect.ExitCode);
        Assert.Contains("Permission denied", readDirect.Output);
        Assert.DoesNotContain("health data", readDirect.Output);
    }

    [SecondAccountFact]
    public async Task With_EDI2_FILE_MODE_group_a_member_of_a_setgid_folders_group_can_read_the_messages()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        const string group = "edi2-share";
        SecondAccount.EnsureGroup(group);
        SecondAccount.JoinGroup(group);
        string shared = folder.Combine("shared");
        Directory.CreateDirectory(shared);
        SecondAccount.Chgrp(group, shared);
        File.SetUnixFileMode(shared, OwnerFolder | GroupRead | GroupExecute | SetGroup); // the sysadmin's part: chgrp, chmod 2750
        File.SetUnixFileMode(folder.Path, OwnerFolder | GroupExecute | OtherExecute);
        var id = context.Nhn.Edi.AddInboundMessage(8094866, [Ours], MsgHead.Bytes(8094866, Ours, body: "for the group"));

        Edi2.Model.Edi2SavedMessage saved;
        using (new EnvironmentVariable(OwnerOnlyFiles.ModeVariable, "group")) saved = await MessageFiles.SaveAsync(context.Api, id, shared, overwrite: false);

        var read = SecondAccount.RunAs("cat", saved.Path);
        Assert.True(read.ExitCode == 0, read.Output);
        Assert.Contains("for the group", read.Output);
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
