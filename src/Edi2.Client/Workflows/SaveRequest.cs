using System;

namespace Edi2.Workflows
{
    /// <summary>One message for <c>MessageFiles.SaveEachAsync</c>: save it, and mark it downloaded for a receiver if one is given.</summary>
    public sealed class SaveRequest
    {
        public SaveRequest(Guid messageId, int markForHerId = 0)
        {
            if (markForHerId < 0) throw new ArgumentOutOfRangeException(nameof(markForHerId), markForHerId, "Give the HER-id to mark for, or 0 not to mark.");
            MessageId = messageId;
            MarkForHerId = markForHerId;
        }

        public Guid MessageId { get; }

        /// <summary>Mark downloaded for this HER-id once the file is safe; 0: only save.</summary>
        public int MarkForHerId { get; }
    }
}
