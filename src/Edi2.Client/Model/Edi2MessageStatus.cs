using System;

namespace Edi2.Model
{
    /// <summary>Delivery and application-receipt state of a sent message for one receiver.</summary>
    public sealed class Edi2MessageStatus
    {
        public Guid MessageId { get; set; }

        public int ReceiverHerId { get; set; }

        /// <summary>Unconfirmed, Acknowledged, Rejected or Abandoned.</summary>
        public string TransportDeliveryState { get; set; } = "";

        /// <summary>Handed over to the transport layer (v3; null from v2).</summary>
        public bool? Sent { get; set; }

        /// <summary>Ok, Rejected or OkErrorInMessagePart; null until a receipt arrives.</summary>
        public string? AppRecStatus { get; set; }

        public Edi2AppRecError[] AppRecErrors { get; set; } = Array.Empty<Edi2AppRecError>();

        /// <summary>Id of the application receipt message (v3).</summary>
        public Guid? AppRecId { get; set; }
    }

    /// <summary>One error in an application receipt (code system 8221, e.g. E10).</summary>
    public sealed class Edi2AppRecError
    {
        public string ErrorCode { get; set; } = "";

        public string? Details { get; set; }

        public string? Description { get; set; }

        public string? Oid { get; set; }

        public override string ToString() => Details is null ? ErrorCode : $"{ErrorCode}: {Details}";
    }
}
