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

        private readonly Queue<int> _pending = new Queue<int>(); // the receiver HER-id of each message fed and not yet written
        private AsyncFeed<SaveRequest>? _feed;
        private Edi2Session? _feedSession;

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
                    // Concurrent: fed to engine work that saves as records come; outcomes are written in order, here
                    // as they are ready and at the end. Reading ahead stops a window beyond the oldest not yet written.
                    if (_feedSession != null && !ReferenceEquals(_feedSession, session)) FinishFeed();
                    if (_feed is null) StartFeed(session);
                    _pending.Enqueue(ReceiverHerId);
                    progress.Update($"Message {id}: downloading ({ThrottleLimit} at once)", $"{_saved} saved; to {folder}", force: true);
                    _feed!.Add(new SaveRequest(id, mark ? ReceiverHerId : 0));
                    PumpBackground(() => _pending.Count >= OrderedWork.WindowFor(ThrottleLimit));
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

        protected override void EndProcessingCore() => FinishFeed();

        /// <summary>Starts the engine work that saves what is fed to it, ThrottleLimit at once, posting each outcome in order.</summary>
        private void StartFeed(Edi2Session session)
        {
            var feed = new AsyncFeed<SaveRequest>();
            _feed = feed;
            _feedSession = session;
            var progress = _progress!;
            string folder = _folder!;
            Func<Guid, IProgress<long>?>? bytes = progress.Enabled
                ? id => ReportTo(received => progress.Update($"Message {id}: {ByteSizes.Format(received)} received", $"{_saved} saved; to {folder}"))
                : (Func<Guid, IProgress<long>?>?)null;
            StartBackground(async token =>
            {
                await foreach (var outcome in MessageFiles.SaveEachAsync(session.Api, feed.ReadAllAsync(token), folder, Force, ThrottleLimit, token, bytes).ConfigureAwait(false))
                {
                    Post(() => Write(outcome));
                }
            });

            void Write(SaveOutcome outcome)
            {
                int receiver = _pending.Dequeue();
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

        /// <summary>No more input for the running feed: writes the rest of its outcomes as they come.</summary>
        private void FinishFeed()
        {
            if (_feed is null) return;
            _feed.Complete();
            try
            {
                FinishBackground();
            }
            finally
            {
                _feed.Dispose();
                _feed = null;
                _feedSession = null;
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
