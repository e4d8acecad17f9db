using System;

namespace Edi2.Model
{
    /// <summary>A message handed to EDI 2.0 for sending.</summary>
    public sealed class Edi2SentMessage
    {
        public Guid Id { get; set; }

        public int? SenderHerId { get; set; }

        public int[] ReceiverHerIds { get; set; } = Array.Empty<int>();

        public override string ToString() => Id.ToString();
    }
}
