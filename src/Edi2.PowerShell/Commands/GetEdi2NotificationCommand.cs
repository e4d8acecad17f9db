using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Model;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Notifications for the HER-ids newer than -Offset, every page (API v3). -Wait keeps listening on the
    /// notification stream, reconnecting from the last offset, until Ctrl+C or -Timeout.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Notification", HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Get-Edi2Notification.md")]
    [OutputType(typeof(Edi2Notification))]
    public sealed class GetEdi2NotificationCommand : Edi2SessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("HerIds", "ReceiverHerId")]
        [ValidateCount(1, 1500)]
        [ValidateRange(1, int.MaxValue)]
        public int[] HerId { get; set; } = Array.Empty<int>();

        /// <summary>The offset of the last notification already handled; 0 for all.</summary>
        [Parameter]
        [ValidateRange(0, long.MaxValue)]
        public long Offset { get; set; }

        /// <summary>Stop after this many notifications.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = int.MaxValue;

        /// <summary>Notifications per request (1-1000).</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int PageSize { get; set; } = 100;

        /// <summary>After the backlog, keep listening for new notifications.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait: stop listening after this long (a TimeSpan, or a number of seconds).</summary>
        [Parameter]
        [SecondsToTimeSpan]
        public TimeSpan? Timeout { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            var herIds = HerId.Distinct().ToArray();
            try
            {
                Run(async token =>
                {
                    using (var limit = CancellationTokenSource.CreateLinkedTokenSource(token))
                    {
                        if (Wait && Timeout is TimeSpan timeout) limit.CancelAfter(timeout);
                        var source = Wait
                            ? session.Api.StreamNotificationsAsync(herIds, Offset, limit.Token)
                            : session.Api.GetAllNotificationsAsync(herIds, Offset, PageSize, token);
                        int count = 0;
                        try
                        {
                            await foreach (var notification in source.ConfigureAwait(false))
                            {
                                Post(() => WriteObject(notification));
                                if (++count >= First) break;
                            }
                        }
                        catch (OperationCanceledException) when (Wait && !token.IsCancellationRequested)
                        {
                            // -Timeout reached: the end of listening, not an error.
                        }
                    }
                });
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw Terminate(e, herIds);
            }
        }
    }
}
