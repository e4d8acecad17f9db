using System;

namespace Edi2.Workflows
{
    /// <summary>Why a workflow (receive, reservations) refused to go on.</summary>
    public enum WorkflowErrorReason
    {
        /// <summary>Another run holds the receive state file's lock.</summary>
        StateLocked,
        /// <summary>The state file belongs to another client, environment, API or HER-id set.</summary>
        StateMismatch,
        /// <summary>The state file cannot be read as a receive state.</summary>
        StateCorrupt,
        /// <summary>Another process kept the reservation ledger's lock too long.</summary>
        LedgerLocked,
        /// <summary>The reservation ledger cannot be read; it is left as it is.</summary>
        LedgerCorrupt,
        /// <summary>There is no local application data folder for the default ledger.</summary>
        LedgerLocation,
        /// <summary>A reservation of another client, environment or API than the session's.</summary>
        OtherClient,
        /// <summary>The server accepted a change the ledger could not record.</summary>
        LedgerNotUpdated,
    }

    /// <summary>A workflow stopped on purpose, before it could lose or corrupt anything. The message says what to do.</summary>
    public sealed class Edi2WorkflowException : Edi2Exception
    {
        public Edi2WorkflowException(WorkflowErrorReason reason, string message, object? target = null, Exception? innerException = null)
            : base(message, innerException)
        {
            WorkflowReason = reason;
            Target = target;
        }

        public WorkflowErrorReason WorkflowReason { get; }

        /// <summary>Receive.StateLocked, Reservation.LedgerCorrupt, ...</summary>
        public override string Reason
        {
            get
            {
                switch (WorkflowReason)
                {
                    case WorkflowErrorReason.StateLocked:
                    case WorkflowErrorReason.StateMismatch:
                    case WorkflowErrorReason.StateCorrupt:
                        return "Receive." + WorkflowReason;
                    default:
                        return "Reservation." + WorkflowReason;
                }
            }
        }
    }
}
