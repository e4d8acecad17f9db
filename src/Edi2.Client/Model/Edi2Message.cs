using System;

namespace Edi2.Model
{
    /// <summary>A message's metadata (v3 GET /messages/{id}, v2 GET /Messages).</summary>
    public sealed class Edi2Message
    {
        public Guid Id { get; set; }

        public int? SenderHerId { get; set; }

        public int[] ReceiverHerIds { get; set; } = Array.Empty<int>();

        /// <summary>The MsgId of the business document (MsgHead).</summary>
        public string? BusinessDocumentId { get; set; }

        /// <summary>GenDate of the business document; NHN sends it without an offset, read as Norwegian time.</summary>
        public DateTimeOffset? BusinessDocumentGenDate { get; set; }

        /// <summary>FinnKode 8279 message type, e.g. DIALOG_HELSEFAGLIG (v3 only).</summary>
        public string? MessageType { get; set; }

        public string? ContentType { get; set; }

        /// <summary>v2 only: the message is an application receipt.</summary>
        public bool? IsAppRec { get; set; }

        public override string ToString() => $"{Id} {MessageType} from {SenderHerId}";
    }
}
