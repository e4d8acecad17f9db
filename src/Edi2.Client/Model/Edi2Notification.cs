using System;

namespace Edi2.Model
{
    /// <summary>A v3 notification: something happened to a message for one of the client's HER-ids.</summary>
    public sealed class Edi2Notification
    {
        /// <summary>The notification's own id (not the message's: that is <see cref="RelatedMessageId"/>).</summary>
        public Guid Id { get; set; }

        /// <summary>Global, growing position; pass it as the next offset to get only newer notifications.</summary>
        public long Offset { get; set; }

        /// <summary>NewMessage, RefusedMessage, MessageSentStateUpdated, MessageApprecInfoUpdated, ...</summary>
        public string Type { get; set; } = "";

        public Guid? RelatedMessageId { get; set; }

        /// <summary>The relatedMessageId as the server sent it when it is not a message id (a GUID); <see cref="RelatedMessageId"/> is then null.</summary>
        public string? UnreadableRelatedMessageId { get; set; }

        public int ReceiverHerId { get; set; }

        public int? TriggeredByHerId { get; set; }

        public string? Description { get; set; }

        public DateTimeOffset? CreatedAt { get; set; }

        public override string ToString() => $"{Type} {RelatedMessageId} for {ReceiverHerId} (offset {Offset})";
    }
}
