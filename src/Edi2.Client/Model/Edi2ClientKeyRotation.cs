using System;

namespace Edi2.Model
{
    /// <summary>Update-Edi2ClientKey's result: the new key HelseID self-service accepted, and where the old one was kept.</summary>
    public sealed class Edi2ClientKeyRotation
    {
        /// <summary>RFC 7638 thumbprint of the new public key.</summary>
        public string Thumbprint { get; set; } = "";

        /// <summary>The new key's <c>kid</c> (32 hex characters).</summary>
        public string KeyId { get; set; } = "";

        public string Algorithm { get; set; } = "";

        /// <summary>When HelseID will stop accepting the new key (self-service's <c>expiration</c>); null if an earlier, interrupted rotation was finished.</summary>
        public DateTimeOffset? Expiration { get; set; }

        /// <summary>The key file (or secret) that now holds the new private key.</summary>
        public string Path { get; set; } = "";

        /// <summary>The dated backup of the old key, readable by the current user only.</summary>
        public string BackupPath { get; set; } = "";

        /// <summary>Thumbprint of the key that was replaced.</summary>
        public string PreviousThumbprint { get; set; } = "";
    }
}
