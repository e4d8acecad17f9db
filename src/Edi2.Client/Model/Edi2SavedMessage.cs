using System;

namespace Edi2.Model
{
    /// <summary>A business document safely on disk (written to a temporary file, flushed, then renamed).</summary>
    public sealed class Edi2SavedMessage
    {
        public Guid MessageId { get; set; }

        public string Path { get; set; } = "";

        public long Length { get; set; }

        /// <summary>SHA-256 of the file, hex.</summary>
        public string Sha256 { get; set; } = "";

        /// <summary>The HER-id it was received for, when known (Receive-Edi2Message).</summary>
        public int? ReceiverHerId { get; set; }

        /// <summary>The file was already there, complete, from an earlier run: kept, not downloaded again.</summary>
        public bool AlreadyPresent { get; set; }

        /// <summary>Marked downloaded at NHN after the file was safe.</summary>
        public bool MarkedDownloaded { get; set; }

        public override string ToString() => Path;
    }
}
