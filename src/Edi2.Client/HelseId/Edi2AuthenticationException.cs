using System;

namespace Edi2.HelseId
{
    /// <summary>Why HelseID did not give a token.</summary>
    public enum AuthenticationErrorReason
    {
        /// <summary>HelseID rejected the client assertion: unknown client, wrong key, wrong audience, clock.</summary>
        InvalidClient,
        InvalidScope,
        InvalidDPoPProof,
        UnauthorizedClient,
        InvalidRequest,
        /// <summary>HelseID asked for a DPoP nonce again after the retry that carried one.</summary>
        NonceRejected,
        /// <summary>Some other OAuth error code.</summary>
        TokenEndpointError,
        /// <summary>Not an OAuth answer at all: a proxy's HTML page, an empty body, a 5xx.</summary>
        UnexpectedResponse,
        /// <summary>A 200 that is not a usable DPoP token response.</summary>
        InvalidTokenResponse,
        DiscoveryFailed,
        ConnectionFailed,
        Timeout,
        /// <summary>HelseID lists the DPoP proof algorithms it accepts, and the session's DPoP key signs with none of them.</summary>
        DPoPAlgorithmNotSupported,
        /// <summary>The test token service refused the API key (401/403).</summary>
        TestTokenApiKeyRejected,
        /// <summary>The test token service answered, but with an error instead of a token.</summary>
        TestTokenRefused,
        /// <summary>Test tokens were asked for production, which they are not valid in: refused before any request.</summary>
        TestTokenNotForProduction,
    }

    /// <summary>A failure to get an access token, with what to check. Never carries the assertion, proof or token.</summary>
    public sealed class Edi2AuthenticationException : Edi2Exception
    {
        public Edi2AuthenticationException(AuthenticationErrorReason reason, string message, object? target,
            int? statusCode = null, string? error = null, string? errorDescription = null, Exception? innerException = null)
            : base(message, innerException)
        {
            AuthenticationReason = reason;
            Target = target;
            StatusCode = statusCode;
            Error = error;
            ErrorDescription = errorDescription;
        }

        public AuthenticationErrorReason AuthenticationReason { get; }

        /// <summary>HTTP status of HelseID's answer, when there was one.</summary>
        public int? StatusCode { get; }

        /// <summary>The OAuth <c>error</c> code, e.g. <c>invalid_client</c>.</summary>
        public string? Error { get; }

        /// <summary>HelseID's <c>error_description</c>.</summary>
        public string? ErrorDescription { get; }

        public override string Reason => "Authentication." + AuthenticationReason;
    }
}
