namespace Edi2
{
    /// <summary>Where a session's access tokens come from.</summary>
    public enum Edi2TokenSource
    {
        /// <summary>HelseID, as the registered client (client assertion, DPoP, nonce): what production needs.</summary>
        HelseId,
        /// <summary>NHN's test token service (test environment only), asked with an API key; no HelseID client needed.</summary>
        TestTokenService,
    }
}
