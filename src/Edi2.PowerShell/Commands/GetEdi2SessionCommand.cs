using System.Management.Automation;

namespace Edi2.PowerShell.Commands
{
    /// <summary>The runspace's default session (or nothing when not connected). It shows settings and token facts, never a key or token.</summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Session", HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Get-Edi2Session.md")]
    [OutputType(typeof(Edi2Session))]
    public sealed class GetEdi2SessionCommand : Edi2Cmdlet
    {
        protected override void EndProcessingCore()
        {
            var session = DefaultSession.Get();
            if (session != null && !session.IsDisposed) WriteObject(session);
        }
    }
}
