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

    /// <summary>A message handed to EDI 2.0 for sending.</summary>
    public sealed class Edi2SentMessage
    {
        public Guid Id { get; set; }

        public int? SenderHerId { get; set; }

        public int[] ReceiverHerIds { get; set; } = Array.Empty<int>();

        public override string ToString() => Id.ToString();
    }

    /// <summary>An application receipt sent for a received message.</summary>
    public sealed class Edi2Receipt
    {
        /// <summary>The receipt's own message id.</summary>
        public Guid Id { get; set; }

        /// <summary>The message it answers.</summary>
        public Guid MessageId { get; set; }

        public string Status { get; set; } = "";

        public int SenderHerId { get; set; }
    }

    /// <summary>A HER-id this client reserved (v3 configuration with clientLocked), as the local ledger remembers it.</summary>
    public sealed class Edi2Reservation
    {
        public int HerId { get; set; }

        public string ClientId { get; set; } = "";

        public Edi2Environment Environment { get; set; }

        public Uri? ApiBaseUri { get; set; }

        public bool Locked { get; set; } = true;

        public DateTimeOffset ReservedAt { get; set; }

        public string[] RejectMessageFunctions { get; set; } = Array.Empty<string>();

        /// <summary>The ledger file it was read from or recorded in (so <c>Get-Edi2Reservation -LedgerPath x | Remove-Edi2Reservation</c> finds it again).</summary>
        public string? LedgerPath { get; set; }

        public override string ToString() => $"{HerId} ({ClientId}, {Environment})";
    }
}
