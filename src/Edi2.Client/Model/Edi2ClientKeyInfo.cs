namespace Edi2.Model
{
    /// <summary>New-Edi2ClientKey's result: the public half, ready for HelseID self-service.</summary>
    public sealed class Edi2ClientKeyInfo
    {
        /// <summary>Where the private JWK was written (readable by the current user only).</summary>
        public string Path { get; set; } = "";

        public string Algorithm { get; set; } = "";

        public string KeyId { get; set; } = "";

        /// <summary>RFC 7638 thumbprint of the public key.</summary>
        public string Thumbprint { get; set; } = "";

        /// <summary>The public JWK to paste into HelseID self-service.</summary>
        public string PublicJwk { get; set; } = "";
    }
}
