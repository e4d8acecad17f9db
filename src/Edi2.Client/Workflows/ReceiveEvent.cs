using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>One thing that happened during a receive run. Handed out after the offset has moved past it.</summary>
    public sealed class ReceiveEvent
    {
        internal ReceiveEvent(ReceiveEventKind kind, Edi2Notification? notification, Edi2SavedMessage? saved, string? message, ReceiveProgress? progress)
        {
            Kind = kind;
            Notification = notification;
            Saved = saved;
            Message = message;
            Progress = progress;
        }

        public ReceiveEventKind Kind { get; }

        /// <summary>The notification the event is about (all kinds but Progress).</summary>
        public Edi2Notification? Notification { get; }

        /// <summary>Saved: the file.</summary>
        public Edi2SavedMessage? Saved { get; }

        /// <summary>Skipped: why. Saved: a warning, if any (e.g. the message vanished before it could be marked downloaded).</summary>
        public string? Message { get; }

        public ReceiveProgress? Progress { get; }

        public override string ToString() => $"{Kind} {Notification?.RelatedMessageId} {Message}";
    }
}
