using System.Management.Automation;

namespace Edi2.PowerShell.Commands
{
    /// <summary>Forgets the default (or given) session and wipes its keys and token from memory.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Edi2", SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Disconnect-Edi2.md")]
    [OutputType(typeof(void))]
    public sealed class DisconnectEdi2Command : Edi2Cmdlet
    {
        [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public Edi2Session? Session { get; set; }

        protected override void ProcessRecordCore()
        {
            var current = DefaultSession.Get();
            var session = Session ?? current;
            if (session is null)
            {
                WriteVerbose("Not connected: nothing to disconnect.");
                return;
            }
            if (!ShouldProcess(session.ToString(), "Disconnect and wipe the keys")) return;
            if (ReferenceEquals(session, current)) DefaultSession.Set(null);
            session.Dispose();
        }
    }
}
