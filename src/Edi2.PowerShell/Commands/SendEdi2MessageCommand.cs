using System;
using System.Linq;
using System.Management.Automation;
using Edi2.Api;
using Edi2.Model;
using Edi2.PowerShell.Completion;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Sends a business document (a file or content). Refuses, before any request, a document over 35 MB or not
    /// well-formed UTF-8 XML.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "Edi2Message", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Send-Edi2Message.md")]
    [OutputType(typeof(Edi2SentMessage))]
    public sealed class SendEdi2MessageCommand : Edi2SessionCmdlet
    {
        private const string PathSet = "Path";
        private const string ContentSet = "Content";
        private Edi2Progress? _progress;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>The XML itself: a string or UTF-8 bytes.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ContentSet)]
        [ValidateNotNull]
        public object? Content { get; set; }

        /// <summary>The sending HER-id (API v3; v2 reads it from the MsgHead).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(Edi2HerIds.Min, Edi2HerIds.Max)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public int SenderHerId { get; set; }

        /// <summary>Receivers (v3); with v2, a subset of the MsgHead's receivers.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(Edi2HerIds.Min, Edi2HerIds.Max)]
        public int[] ReceiverHerId { get; set; } = Array.Empty<int>();

        /// <summary>FinnKode 8279 message type, e.g. DIALOG_HELSEFAGLIG (v3).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? MessageType { get; set; }

        /// <summary>Defaults to the name in the session's source system.</summary>
        [Parameter]
        public string? ApplicationName { get; set; }

        /// <summary>Defaults to the version in the session's source system.</summary>
        [Parameter]
        public string? ApplicationVersion { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            CurrentTarget = ParameterSetName == PathSet ? Path : "content";
            if (session.ApiVersion >= 3)
            {
                // v3 needs what v2 read from the MsgHead: say what is missing before reading any file.
                var missing = new[] { SenderHerId == 0 ? "-SenderHerId" : null, ReceiverHerId.Length == 0 ? "-ReceiverHerId" : null, string.IsNullOrWhiteSpace(MessageType) ? "-MessageType" : null }
                    .Where(m => m != null).ToList();
                if (missing.Count > 0)
                {
                    WriteItemError(new ArgumentException($"API v3 needs {string.Join(", ", missing)} to send a message."), Path);
                    return;
                }
            }

            string name = ApplicationName ?? session.ApplicationName;
            string version = ApplicationVersion ?? session.ApplicationVersion;
            Edi2Document document;
            try
            {
                document = ParameterSetName == PathSet ? Edi2Document.FromFile(GetUnresolvedProviderPathFromPSPath(Path)) : FromContent(Content);
                document.Validate();
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                WriteItemError(e, ParameterSetName == PathSet ? Path : "content");
                return;
            }

            string to = ReceiverHerId.Length == 0 ? "the MsgHead's receivers" : "HER-id " + string.Join(", ", ReceiverHerId);
            if (!ShouldProcess($"{document.Name} to {to}", "Send")) return;
            var progress = _progress ??= NewProgress("Send-Edi2Message", $"Sending {document.Name} to {to}");
            long length = document.Length;
            string of = " of " + ByteSizes.Format(length);
            TryItem(document.Name, () =>
            {
                var bytes = progress.Enabled
                    ? ReportTo(sent => progress.Update($"{document.Name}: {ByteSizes.Format(sent)}{of} sent", $"to {to}", Edi2Progress.Percent(sent, length)))
                    : null;
                progress.Update($"{document.Name}: 0 bytes{of} sent", $"to {to}", 0, force: true);
                try
                {
                    Guid id = Run(token => session.Api.SendMessageAsync(document, SenderHerId, ReceiverHerId, MessageType ?? "", name, version, token, bytes));
                    var sent = new Edi2SentMessage { Id = id, SenderHerId = SenderHerId == 0 ? (int?)null : SenderHerId, ReceiverHerIds = ReceiverHerId };
                    WriteOutput(session, sent);
                }
                finally
                {
                    progress.Complete(); // one document per record: done with this one
                }
            });
        }

        /// <summary>
        /// -Content as bytes or text, wrapped or not: a byte[]; the bytes a pipeline enumerated (<c>&amp; { [byte[]]... }</c>,
        /// Get-Content -AsByteStream); the lines Get-Content read (joined with line feeds); or anything else as its string.
        /// </summary>
        private static Edi2Document FromContent(object? content)
        {
            object? value = ParameterValues.Unwrap(content);
            if (value is byte[] bytes) return Edi2Document.FromBytes(bytes);
            if (value is object[] items && items.Length > 0)
            {
                var parts = items.Select(ParameterValues.Unwrap).ToArray();
                if (parts.All(p => p is byte)) return Edi2Document.FromBytes(parts.Cast<byte>().ToArray());
                if (parts.All(p => p is string)) return Edi2Document.FromString(string.Join("\n", parts.Cast<string>()));
            }
            return Edi2Document.FromString(LanguagePrimitives.ConvertTo<string>(value));
        }
    }
}
