using System;
using System.Management.Automation;
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
                if (saved.AlreadyPresent) WriteVerbose($"{saved.Path} is already there (complete); kept, not downloaded again. -Force downloads it again.");
                if (MarkDownloaded) saved.ReceiverHerId = ReceiverHerId;
                if (marked?.Warning != null) WriteWarning(marked.Warning);
                // The file is safe: say so by writing it out, and report that the mark failed.
                if (marked?.MarkError != null) WriteItemError(marked.MarkError, id);
                WriteOutput(session, saved);
            }
        }
    }
}
