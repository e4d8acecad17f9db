using System;

namespace Edi2.Model
{
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
}
