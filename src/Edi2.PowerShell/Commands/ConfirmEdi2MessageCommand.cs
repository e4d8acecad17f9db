using System;
using System.Management.Automation;
using Edi2.PowerShell.Identity;
using Edi2.PowerShell.Completion;

namespace Edi2.PowerShell.Commands
{
    /// <summary>Marks received messages downloaded (v3) or read (v2) for a receiver, so they are not offered again.</summary>
    [Cmdlet(VerbsLifecycle.Confirm, "Edi2Message", SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Confirm-Edi2Message.md")]
    [OutputType(typeof(void))]
    public sealed class ConfirmEdi2MessageCommand : Edi2SessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("MessageId", "RelatedMessageId")]
        [ArgumentCompleter(typeof(Edi2MessageIdCompleter))]
        public Edi2MessageIdentity[] Id { get; set; } = Array.Empty<Edi2MessageIdentity>();

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(Edi2HerIds.Min, Edi2HerIds.Max)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public int ReceiverHerId { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            foreach (var id in Id)
            {
                if (!ShouldProcess($"message {id.Id} for HER-id {ReceiverHerId}", "Mark downloaded")) continue;
                if (TryItem(id.Id, () => Run(token => session.Api.MarkDownloadedAsync(id.Id, ReceiverHerId, token))))
                {
                    var history = SessionHistory.For(session);
                    history.HerId(ReceiverHerId, "Messages marked downloaded for it");
                    history.Message(id.Id, $"Marked downloaded for HER-id {ReceiverHerId}");
                }
            }
        }
    }
}
