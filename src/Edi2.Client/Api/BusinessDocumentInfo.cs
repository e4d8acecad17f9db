
namespace Edi2.Api
{
    /// <summary>What came with a business document besides its bytes.</summary>
    public sealed class BusinessDocumentInfo
    {
        internal BusinessDocumentInfo(string? contentType, string? contentTransferEncoding, long length)
        {
            ContentType = contentType;
            ContentTransferEncoding = contentTransferEncoding;
            Length = length;
        }

        /// <summary>The response's <c>contentType</c>, e.g. <c>application/xml</c>; null when absent or null.</summary>
        public string? ContentType { get; }

        /// <summary>The response's <c>contentTransferEncoding</c>, normally <c>base64</c>; null when absent or null.</summary>
        public string? ContentTransferEncoding { get; }

        /// <summary>Decoded bytes written to the destination.</summary>
        public long Length { get; }
    }
}
