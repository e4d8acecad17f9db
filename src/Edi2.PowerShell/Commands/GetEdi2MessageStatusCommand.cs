using System;
using System.Management.Automation;
using Edi2.Model;
using Edi2.PowerShell.Identity;
using Edi2.PowerShell.Completion;

namespace Edi2.PowerShell.Commands
{
    /// <summary>Delivery and application-receipt state of a sent message, one row per receiver.</summary>
    [Cmdlet(VerbsCommon.Get, "Edi2MessageStatus", HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Get-Edi2MessageStatus.md")]
    [OutputType(typeof(Edi2MessageStatus))]
    public sealed class GetEdi2MessageStatusCommand : Edi2SessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("MessageId")]
        [ArgumentCompleter(typeof(Edi2MessageIdCompleter))]
        public Edi2MessageIdentity[] Id { get; set; } = Array.Empty<Edi2MessageIdentity>();

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            foreach (var id in Id)
            {
                TryItem(id.Id, () =>
                {
                    var statuses = Run(token => session.Api.GetMessageStatusAsync(id.Id, token));
                    WriteOutput(session, statuses, enumerateCollection: true);
                });
            }
        }
    }
}
