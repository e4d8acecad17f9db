using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Edi2.Model;
using Edi2.PowerShell.Completion;
using Edi2.Workflows;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// The scheduled-script receive in one cmdlet (API v3): reads the saved offset, then for each notification saves the
    /// new message atomically, marks it downloaded and persists the offset. Run it again after any failure: nothing is lost
    /// or saved twice. One run per state file at a time.
    /// </summary>
    [Cmdlet(VerbsCommunications.Receive, "Edi2Message", SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Receive-Edi2Message.md")]
    [OutputType(typeof(Edi2SavedMessage), typeof(Edi2Notification))]
    public sealed class ReceiveEdi2MessageCommand : Edi2SessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("HerIds", "ReceiverHerId")]
        [ValidateCount(1, Edi2HerIds.MaxPerRequest)]
        [ValidateRange(Edi2HerIds.Min, Edi2HerIds.Max)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public int[] HerId { get; set; } = Array.Empty<int>();

        /// <summary>The folder messages are saved in as &lt;id&gt;.xml (created if missing).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>The offset state file. Default: .edi2-receive-&lt;hash&gt;.json in -Path, one per client, environment, API and HER-id set.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StatePath { get; set; }

        /// <summary>Also output notifications other than NewMessage (Edi2Notification); they move the offset either way.</summary>
        [Parameter]
        public SwitchParameter IncludeOtherNotifications { get; set; }

        /// <summary>How long to wait for another run on the same state file (a number is seconds). Default: fail at once.</summary>
        [Parameter]
        [SecondsToTimeSpan]
        public TimeSpan LockTimeout { get; set; } = TimeSpan.Zero;

        /// <summary>Notifications per request (1-1000).</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int PageSize { get; set; } = 100;

        /// <summary>How many downloads (and apart from them, marks) run at once (1-64); 1 receives one message after the other.</summary>
        [Parameter]
        [ValidateRange(1, ReceiveOptions.MaxThrottleLimit)]
        public int ThrottleLimit { get; set; } = 4;

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            string folder = GetUnresolvedProviderPathFromPSPath(Path);
            ReceiveWorkflow workflow;
            try
            {
                workflow = new ReceiveWorkflow(session, new ReceiveOptions(HerId, folder)
                {
                    StatePath = StatePath is null ? null : GetUnresolvedProviderPathFromPSPath(StatePath),
                    IncludeOtherNotifications = IncludeOtherNotifications,
                    LockTimeout = LockTimeout,
                    PageSize = PageSize,
                    ThrottleLimit = ThrottleLimit,
                });
            }
            catch (ArgumentException e)
            {
                throw ThrowEdi2Error(e, HerId);
            }

            string herIds = string.Join(", ", HerId.Distinct());
            if (!ShouldProcess($"HER-id {herIds} into {folder} (state {workflow.StatePath})",
                "Receive messages: download each new one, mark it downloaded, save the offset"))
            {
                return;
            }

            var progress = NewProgress("Receive-Edi2Message", $"HER-id {herIds}");
            SessionHistory.For(session).HerIds(HerId, "Messages received for it");
            ReceiveProgress? last = null;

            try
            {
                // Stopped output (Select-Object -First) stops the run too: Run cancels the work when a posted write throws.
                Run(async token =>
                {
                    await foreach (var happened in workflow.RunAsync(token).ConfigureAwait(false))
                    {
                        Post(() => Handle(happened));
                    }
                });
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, workflow.StatePath);
            }
            finally
            {
                progress.Complete();
            }
            WriteVerbose(last is null
                ? $"No new notifications for HER-id {herIds} (state {workflow.StatePath})."
                : $"{last.Notifications} notifications: {last.Downloaded} messages downloaded ({ByteSizes.Format(last.Bytes)}), {last.AlreadyPresent} already on disk, {last.Skipped} passed over; offset {last.Offset} saved in {workflow.StatePath}.");

            void Handle(ReceiveEvent happened)
            {
                switch (happened.Kind)
                {
                    case ReceiveEventKind.Saved:
                        if (happened.Message != null) WriteWarning(happened.Message);
                        WriteOutput(session, happened.Saved);
                        break;
                    case ReceiveEventKind.Other:
                        WriteOutput(session, happened.Notification);
                        break;
                    case ReceiveEventKind.Skipped:
                        WriteWarning(happened.Message);
                        break;
                    case ReceiveEventKind.Progress:
                        last = happened.Progress;
                        if (last != null)
                        {
                            progress.Update($"{last.Downloaded} downloaded ({ByteSizes.Format(last.Bytes)}), {last.AlreadyPresent} already on disk, {last.Skipped} passed over",
                                $"{last.Notifications} notifications, offset {last.Offset}");
                        }
                        break;
                }
            }
        }
    }
}
