using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Model;
using Edi2.PowerShell.Completion;

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
        [ValidateCount(1, Edi2HerIds.MaxPerRequest)]
        [ValidateRange(Edi2HerIds.Min, Edi2HerIds.Max)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
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
            var history = SessionHistory.For(session);
            history.HerIds(herIds, "Notifications read for it");
            string which = herIds.Length == 1 ? $"HER-id {herIds[0]}"
                : herIds.Length <= 4 ? "HER-ids " + string.Join(", ", herIds)
                : $"{herIds.Length} HER-ids ({herIds[0]}, {herIds[1]}, ...)"; // a progress row holds no 1500 numbers
            var progress = NewProgress("Get-Edi2Notification", which);
            int count = 0; // counted on the engine's side, for -First
            int received = 0; // counted as written, for the progress
            DateTime since = DateTime.Now;
            string Listening() =>
                $"Listening for notifications for {which} since {since.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}; {received} received";
            if (Wait) progress.Update(Listening(), Timeout is TimeSpan t ? $"until {(since + t).ToString("HH:mm:ss", CultureInfo.InvariantCulture)} (-Timeout)" : "Ctrl+C stops", force: true);

            void Output(Edi2Notification notification)
            {
                received++;
                WriteOutput(session, notification);
                if (Wait) progress.Update(Listening(), $"last: {notification.Type} at offset {notification.Offset}");
            }

            try
            {
                Run(async token =>
                {
                    using (var limit = CancellationTokenSource.CreateLinkedTokenSource(token))
                    {
                        if (Wait && Timeout is TimeSpan timeout) limit.CancelAfter(timeout);
                        // -Wait: a throttled update of the count is written a moment later, even if nothing else arrives.
                        var ticker = Wait && progress.Enabled ? Tick(() => Post(progress.Flush), limit.Token) : Task.CompletedTask;
                        try
                        {
                            if (Wait)
                            {
                                await foreach (var notification in session.Api.StreamNotificationsAsync(herIds, Offset, limit.Token).ConfigureAwait(false))
                                {
                                    Post(() => Output(notification));
                                    if (Interlocked.Increment(ref count) >= First) break;
                                }
                            }
                            else
                            {
                                await ReadPagesAsync(session, herIds, which, progress, n => Post(() => Output(n)), () => Interlocked.Increment(ref count) >= First, token)
                                    .ConfigureAwait(false);
                            }
                        }
                        catch (OperationCanceledException) when (Wait && !token.IsCancellationRequested)
                        {
                            // -Timeout reached: the end of listening, not an error.
                        }
                        finally
                        {
                            limit.Cancel(); // ends the ticker, which is done before this work is (it posts to the pipeline thread)
                            await ticker.ConfigureAwait(false);
                        }
                    }
                });
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, herIds);
            }
            finally
            {
                progress.Complete();
            }
        }

        /// <summary>Every page newer than -Offset, counted for the progress; the engine reads the next only when this asks.</summary>
        private async Task ReadPagesAsync(Edi2Session session, int[] herIds, string which, Edi2Progress progress,
            Action<Edi2Notification> output, Func<bool> enough, CancellationToken token)
        {
            int page = 1;
            long total = 0;
            long offset = Offset;
            void Reading(int p, long sofar, long at) => Post(() => progress.Update($"{which}: page {p}, {sofar} notifications so far", $"offset {at}"));

            Reading(page, total, offset);
            await foreach (var notifications in session.Api.GetNotificationPagesAsync(herIds, Offset, PageSize, token).ConfigureAwait(false))
            {
                foreach (var notification in notifications)
                {
                    output(notification);
                    total++;
                    if (enough()) return;
                }
                offset = Math.Max(offset, notifications.Max(n => n.Offset));
                await PostedSoFarAsync(token).ConfigureAwait(false); // output stopped meanwhile (Select-Object -First): no next page
                Reading(++page, total, offset);
            }
        }

        private static async Task Tick(Action tick, CancellationToken token)
        {
            try
            {
                while (!token.IsCancellationRequested)
                {
                    await Task.Delay(Edi2Progress.Interval, token).ConfigureAwait(false);
                    tick();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
