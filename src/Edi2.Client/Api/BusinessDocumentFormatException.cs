using System;

namespace Edi2.Api
{
    /// <summary>
    /// The business-document response could not be read: not JSON, no <c>businessDocument</c> string, invalid base64, or the
    /// download ended early. Whatever was written to the destination before is incomplete. Messages never carry document content.
    /// </summary>
    internal sealed class BusinessDocumentFormatException : FormatException
    {
        public BusinessDocumentFormatException(string message, long bytesWritten, bool endedEarly = false, Exception? innerException = null)
            : base(message, innerException)
        {
            BytesWritten = bytesWritten;
            EndedEarly = endedEarly;
        }

        /// <summary>Decoded bytes already written to the destination when the error was found (an incomplete document).</summary>
        public long BytesWritten { get; }

        /// <summary>True when the response stream ended before the JSON did (a cut download), false for a malformed response.</summary>
        public bool EndedEarly { get; }
    }
}
