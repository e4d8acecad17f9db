using System;
using System.Collections.Generic;

namespace Edi2.Api
{
    /// <summary>Why an EDI 2.0 call failed.</summary>
    public enum ApiErrorReason
    {
        BadRequest,
        Unauthorized,
        /// <summary>403: the client may not act for the HER-id or message (NHN errorCode 1200-1202).</summary>
        Forbidden,
        NotFound,
        /// <summary>423: the HER-id is reserved by another HelseID client (errorCode 1210).</summary>
        Locked,
        TooLarge,
        ServerError,
        /// <summary>Not the API's JSON at all: a proxy's HTML page, an empty body.</summary>
        UnexpectedResponse,
        ConnectionFailed,
        Timeout,
        /// <summary>The operation does not exist in the session's API version.</summary>
        NotSupportedInVersion,
        /// <summary>Refused before sending: the document is too large or not well-formed UTF-8 XML.</summary>
        InvalidDocument,
        /// <summary>A download ended before the whole document was received.</summary>
        Incomplete,
        /// <summary>A 3xx: the API (or something on the way) redirected, and Edi2 never follows a redirect with the token.</summary>
        Redirected,
        OtherStatus,
    }

    /// <summary>A failed EDI 2.0 call: HTTP status, NHN errorCode and requestId, and a message that says what it means.</summary>
    public sealed class Edi2ApiException : Edi2Exception
    {
        public Edi2ApiException(ApiErrorReason reason, string message, object? target = null, int? statusCode = null,
            int? errorCode = null, string? requestId = null, IReadOnlyList<string>? validationErrors = null, Exception? innerException = null)
            : base(message, innerException)
        {
            ApiReason = reason;
            Target = target;
            StatusCode = statusCode;
            ErrorCode = errorCode;
            RequestId = requestId;
            ValidationErrors = validationErrors ?? Array.Empty<string>();
        }

        public ApiErrorReason ApiReason { get; }

        public int? StatusCode { get; }

        /// <summary>NHN's errorCode (v3: 1001, 1010, 1100, 1102, 1200, 1201, 1202, 1210; v2: 1000).</summary>
        public int? ErrorCode { get; }

        /// <summary>NHN's request id, for support cases.</summary>
        public string? RequestId { get; }

        public IReadOnlyList<string> ValidationErrors { get; }

        public override string Reason => "Api." + ApiReason;
    }
}
