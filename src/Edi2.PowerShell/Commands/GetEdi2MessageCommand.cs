using System;
using System.Linq;
using System.Management.Automation;
using Edi2.Model;
using Edi2.PowerShell.Identity;
using Edi2.PowerShell.Completion;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// A message's metadata by id (from ids, strings, notifications, ...). With an API v2 session, -ReceiverHerId lists
    /// unread messages instead.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Message", DefaultParameterSetName = IdSet, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Get-Edi2Message.md")]
    [OutputType(typeof(Edi2Message))]
    public sealed class GetEdi2MessageCommand : Edi2SessionCmdlet
    {
        private const string IdSet = "Id";
        private const string UnreadSet = "Unread";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Alias("MessageId", "RelatedMessageId")]
        [ArgumentCompleter(typeof(Edi2MessageIdCompleter))]
        public Edi2MessageIdentity[] Id { get; set; } = Array.Empty<Edi2MessageIdentity>();

        /// <summary>API v2: list unread messages for these receivers (at most 100; mark them read to see more).</summary>
        [Parameter(Mandatory = true, ParameterSetName = UnreadSet)]
        [ValidateCount(1, Edi2HerIds.MaxPerRequest)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public int[] ReceiverHerId { get; set; } = Array.Empty<int>();

        [Parameter(ParameterSetName = UnreadSet)]
        [ValidateRange(1, 100)]
        public int First { get; set; } = 100;

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            if (ParameterSetName == UnreadSet)
            {
                try
                {
                    var unread = Run(token => session.Api.GetUnreadMessagesAsync(ReceiverHerId, First, true, token));
                    var history = SessionHistory.For(session);
                    history.HerIds(ReceiverHerId, "Unread messages listed for it");
                    WriteOutput(session, unread, enumerateCollection: true);
                    if (unread.Count == First) WriteWarning($"{First} unread messages shown; there may be more. Mark these read (Confirm-Edi2Message) to see the next.");
                }
                catch (Exception e) when (ErrorRecords.IsExpected(e))
                {
                    throw ThrowEdi2Error(e, ReceiverHerId);
                }
                return;
            }
            foreach (var id in Id)
            {
                TryItem(id.Id, () =>
                {
                    var message = Run(token => session.Api.GetMessageAsync(id.Id, token));
                    WriteOutput(session, message);
                });
            }
        }
    }
}
