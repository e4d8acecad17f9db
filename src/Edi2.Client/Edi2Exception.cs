using System;

namespace Edi2
{
    /// <summary>Base of every error the engine raises on purpose. Messages name the cause and the target, never a secret.</summary>
    public abstract class Edi2Exception : Exception
    {
        protected Edi2Exception(string message, Exception? innerException = null) : base(message, innerException) { }

        /// <summary>What the error is about (a file path, a client id, a HER-id, a URL), for the ErrorRecord target.</summary>
        public object? Target { get; protected set; }

        /// <summary>A stable, machine-readable reason; the cmdlets turn it into the ErrorId <c>Edi2.&lt;Area&gt;.&lt;Reason&gt;</c>.</summary>
        public abstract string Reason { get; }
    }
}
