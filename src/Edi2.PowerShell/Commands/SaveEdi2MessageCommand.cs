using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using Edi2.Model;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.Identity;
using Edi2.Workflows;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Downloads messages' business documents to <c>&lt;Path&gt;/&lt;id&gt;.xml</c> atomically (temporary file, flush, rename):
    /// never a partial file. A file already there is kept (it is complete) unless -Force. With -MarkDownloaded, marks each
    /// message downloaded for -ReceiverHerId only after its file is safe.
    /// </summary>
    [Cmdlet(VerbsData.Save, "Edi2Message", SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Save-Edi2Message.md")]
    [OutputType(typeof(Edi2SavedMessage))]
    public sealed class SaveEdi2MessageCommand : Edi2SessionCmdlet
    {
        private string? _folder;
        private Edi2Progress? _progress;
        private int _saved;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("MessageId", "RelatedMessageId")]
        [ArgumentCompleter(typeof(Edi2MessageIdCompleter))]
        public Edi2MessageIdentity[] Id { get; set; } = Array.Empty<Edi2MessageIdentity>();

        /// <summary>The folder to save in (created if missing).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>After the file is safe, mark the message downloaded for -ReceiverHerId.</summary>
        [Parameter]
        public SwitchParameter MarkDownloaded { get; set; }

        /// <summary>The receiver to mark the message downloaded for; notifications carry it. Checked only with -MarkDownloaded,
        /// so piped objects whose ReceiverHerId is empty (a saved message not yet marked) still bind.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public int ReceiverHerId { get; set; }

        /// <summary>Download again and replace a file already there.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How many piped messages are downloaded (and apart from that, marked) at once (1-64); 1 saves one after the other.</summary>
        [Parameter]
        [ValidateRange(1, ReceiveOptions.MaxThrottleLimit)]
        public int ThrottleLimit { get; set; } = 4;

        private readonly List<(SaveRequest Request, int ReceiverHerId)> _batch = new List<(SaveRequest, int)>();
        private Edi2Session? _batchSession;

        protected override void BeginProcessingCore()
        {
            _folder = GetUnresolvedProviderPathFromPSPath(Path);
            _progress = NewProgress("Save-Edi2Message", $"Saving to {_folder}");
        }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            var progress = _progress!;
            string folder = _folder!;
            foreach (var identity in Id)
            {
                Guid id = identity.Id;
                CurrentTarget = id;
                if (MarkDownloaded && ReceiverHerId <= 0)
                {
                    WriteItemError(new ArgumentException(
                        $"-MarkDownloaded needs -ReceiverHerId (the HER-id the message was received for) to mark message {id}; nothing was saved."), id);
                    continue;
                }
                string file = System.IO.Path.Combine(folder, MessageFiles.FileName(id));
                string what = MarkDownloaded ? $"message {id} to {file}, then mark it downloaded for HER-id {ReceiverHerId}" : $"message {id} to {file}";
                if (!ShouldProcess(what, "Save")) continue;
                // Asked before the download, so the engine does save and mark as one step.
                bool mark = MarkDownloaded && ShouldProcess($"message {id} for HER-id {ReceiverHerId}", "Mark downloaded");

                if (ThrottleLimit > 1)
                {
                    // Concurrent: gathered across piped records, saved a window at a time, written in order.
                    if (_batchSession != null && !ReferenceEquals(_batchSession, session)) SaveBatch();
                    _batchSession = session;
                    _batch.Add((new SaveRequest(id, mark ? ReceiverHerId : 0), ReceiverHerId));
                    if (_batch.Count >= OrderedWork.WindowFor(ThrottleLimit)) SaveBatch();
                    continue;
                }

                Edi2SavedMessage saved;
                SaveAndMarkResult? marked = null;
                try
                {
                    string done = _saved == 0 ? "" : $"{_saved} saved; ";
                    progress.Update($"Message {id}: downloading", $"{done}to {file}", force: true);
                    var bytes = progress.Enabled
                        ? ReportTo(received => progress.Update($"Message {id}: {ByteSizes.Format(received)} received", $"{done}to {file}"))
                        : null;
                    if (mark) marked = Run(token => MessageFiles.SaveAndMarkAsync(session.Api, id, ReceiverHerId, folder, Force, token, bytes));
                    saved = marked?.Saved ?? Run(token => MessageFiles.SaveAsync(session.Api, id, folder, Force, token, bytes));
                    _saved++;
                }
                catch (Exception e) when (ErrorRecords.IsExpected(e))
                {
                    WriteItemError(e, id);
                    continue;
                }
                WriteSaved(session, saved, marked, ReceiverHerId);
            }
        }

        protected override void EndProcessingCore() => SaveBatch();

        /// <summary>Saves the gathered messages, ThrottleLimit at once, writing each outcome in the order they came.</summary>
        private void SaveBatch()
        {
            if (_batch.Count == 0) return;
            var session = _batchSession!;
            var batch = _batch.ToArray();
            _batch.Clear();
            var requests = Array.ConvertAll(batch, b => b.Request);
            int written = 0;
            var progress = _progress!;
            string folder = _folder!;
            progress.Update($"Message {requests[0].MessageId}: downloading ({requests.Length} messages, {ThrottleLimit} at once)", $"{_saved} saved; to {folder}", force: true);
            Func<Guid, IProgress<long>?>? bytes = progress.Enabled
                ? id => ReportTo(received => progress.Update($"Message {id}: {ByteSizes.Format(received)} received", $"{_saved} saved; to {folder}"))
                : (Func<Guid, IProgress<long>?>?)null;
            Run(async token =>
            {
                await foreach (var outcome in MessageFiles.SaveEachAsync(session.Api, requests, folder, Force, ThrottleLimit, token, bytes).ConfigureAwait(false))
                {
                    Post(() => Write(outcome));
                }
            });

            void Write(SaveOutcome outcome)
            {
                int receiver = batch[written++].ReceiverHerId;
                Guid id = outcome.Request.MessageId;
                CurrentTarget = id;
                if (outcome.Result is null)
                {
                    if (outcome.Error is Exception error && ErrorRecords.IsExpected(error)) WriteItemError(error, id);
                    else if (outcome.Error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(outcome.Error).Throw();
                    return;
                }
                _saved++;
                progress.Update($"Message {id}: saved", $"{_saved} saved; to {folder}");
                WriteSaved(session, outcome.Result.Saved, outcome.Request.MarkForHerId > 0 ? outcome.Result : null, receiver);
            }
        }

        /// <summary>The file is safe: say so by writing it out, with the mark's warning or error.</summary>
        private void WriteSaved(Edi2Session session, Edi2SavedMessage saved, SaveAndMarkResult? marked, int receiverHerId)
        {
            if (saved.AlreadyPresent) WriteVerbose($"{saved.Path} is already there (complete); kept, not downloaded again. -Force downloads it again.");
            if (MarkDownloaded) saved.ReceiverHerId = receiverHerId;
            if (marked?.Warning != null) WriteWarning(marked.Warning);
            if (marked?.MarkError != null) WriteItemError(marked.MarkError, saved.MessageId);
            WriteOutput(session, saved);
        }
    }
}
