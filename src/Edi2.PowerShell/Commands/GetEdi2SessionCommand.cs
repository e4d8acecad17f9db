using System.Management.Automation;

namespace Edi2.PowerShell.Commands
{
    /// <summary>The runspace's default session (or nothing when not connected). It shows settings and token facts, never a key or token.</summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Session")]
    [OutputType(typeof(Edi2Session))]
    public sealed class GetEdi2SessionCommand : Edi2Cmdlet
    {
        protected override void EndProcessing()
        {
            var session = DefaultSession.Get();
            if (session != null && !session.IsDisposed) WriteObject(session);
        }
    }
}
