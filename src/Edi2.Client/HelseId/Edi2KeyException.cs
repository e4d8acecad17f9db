using System;

namespace Edi2.HelseId
{
    /// <summary>Why a client key could not be used.</summary>
    public enum KeyErrorReason
    {
        FileNotFound,
        NotAKey,
        MalformedJwk,
        PublicOnly,
        UnsupportedKeyType,
        KeyTooSmall,
        AlgorithmMismatch,
        PasswordRequired,
        WrongPassword,
        UnsupportedEncryption,
        NoPrivateKey,
        FileExists,
        SecretManagementMissing,
        VaultNotFound,
        SecretNotFound,
        NoKeyGiven,
    }

    /// <summary>A key file, JWK, PEM or certificate that cannot sign. The message says what to fix, never what the key holds.</summary>
    public sealed class Edi2KeyException : Edi2Exception
    {
        public Edi2KeyException(KeyErrorReason reason, string message, object? target = null, Exception? innerException = null)
            : base(message, innerException)
        {
            KeyReason = reason;
            Target = target;
        }

        public KeyErrorReason KeyReason { get; }

        public override string Reason => "Key." + KeyReason;
    }
}
