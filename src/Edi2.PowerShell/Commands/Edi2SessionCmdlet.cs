using System;
using System.Management.Automation;
using Edi2.PowerShell.Completion;

namespace Edi2.PowerShell.Commands
{
    /// <summary>A cmdlet that talks to NHN: <c>-Session</c>, or the runspace's default session from Connect-Edi2.</summary>
    public abstract class Edi2SessionCmdlet : Edi2Cmdlet
    {
        /// <summary>The session to use; binds by property name, so objects that carry their session flow through the pipeline.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public Edi2Session? Session { get; set; }

        /// <summary>The session to use, or a terminating error that says how to get one.</summary>
        protected Edi2Session ResolveSession()
        {
            var session = Session ?? DefaultSession.Get();
            if (session is null) throw ThrowEdi2Error(ErrorRecords.NotConnected());
            if (session.IsDisposed) throw ThrowEdi2Error(ErrorRecords.Disconnected(session));
            return session;
        }

        /// <summary>Writes output got through <paramref name="session"/>, recording its ids for tab completion first.</summary>
        protected void WriteOutput(Edi2Session session, object? value, bool enumerateCollection = false)
        {
            SessionHistory.For(session).Output(value);
            WriteObject(value, enumerateCollection);
        }
    }
}
