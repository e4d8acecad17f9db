using System;

namespace Edi2.Workflows
{
    /// <summary>Why a client key was not rotated. In every case but <see cref="NotSaved"/> the key in use is untouched.</summary>
    public enum KeyRotationErrorReason
    {
        /// <summary>The key source cannot be rewritten: a certificate, -Jwk, an environment variable.</summary>
        NotRotatable,
        /// <summary>HelseID gave no token for nhn:selvbetjening/client: the client lacks the scope.</summary>
        NoSelfServiceScope,
        /// <summary>Self-service answered with an error (4xx/5xx) or not with {"expiration": ...}.</summary>
        Refused,
        /// <summary>Self-service could not be reached, or did not answer in time.</summary>
        Unreachable,
        /// <summary>An earlier rotation left a pending key whose fate could not be found out (HelseID unreachable).</summary>
        Unfinished,
        /// <summary>Self-service took the new key, but it could not be stored; the pending key is kept for the next run.</summary>
        NotSaved,
    }

    /// <summary>A key rotation that did not happen, or did not finish, with what to do. Never carries a key.</summary>
    public sealed class Edi2KeyRotationException : Edi2Exception
    {
        public Edi2KeyRotationException(KeyRotationErrorReason reason, string message, object? target = null, Exception? innerException = null)
            : base(message, innerException)
        {
            RotationReason = reason;
            Target = target;
        }

        public KeyRotationErrorReason RotationReason { get; }

        public override string Reason => "KeyRotation." + RotationReason;
    }
}
