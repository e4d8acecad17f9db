namespace Edi2.Api
{
    /// <summary>A successful answer to <see cref="Edi2ApiClient.InvokeAsync"/>.</summary>
    public sealed class Edi2RawResponse
    {
        internal Edi2RawResponse(int statusCode, string? contentType, string body, string? location)
        {
            StatusCode = statusCode;
            ContentType = contentType;
            Body = body;
            Location = location;
        }

        public int StatusCode { get; }

        public string? ContentType { get; }

        public string Body { get; }

        public string? Location { get; }
    }
}
