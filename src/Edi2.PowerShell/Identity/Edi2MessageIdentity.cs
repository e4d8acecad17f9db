using System;
using Edi2.Model;

namespace Edi2.PowerShell.Identity
{
    /// <summary>
    /// A message id from whatever the pipeline brings: a Guid, a string, or one of the module's objects. A notification
    /// gives its RelatedMessageId, not its own Id: PowerShell binds a same-named property before an alias, so a plain
    /// Guid parameter would fetch the wrong id in <c>Get-Edi2Notification | Get-Edi2Message</c>.
    /// </summary>
    public sealed class Edi2MessageIdentity
    {
        public Edi2MessageIdentity(Guid id) => Id = id;

        public Edi2MessageIdentity(string id)
        {
            if (!Guid.TryParse(id, out Guid parsed)) throw new ArgumentException($"'{id}' is not a message id (a GUID).");
            Id = parsed;
        }

        public Edi2MessageIdentity(Edi2Notification notification) =>
            Id = notification.RelatedMessageId
                 ?? throw new ArgumentException($"Notification {notification.Id} ({notification.Type}) is about no message.");

        public Edi2MessageIdentity(Edi2Message message) => Id = message.Id;

        public Edi2MessageIdentity(Edi2SavedMessage saved) => Id = saved.MessageId;

        public Edi2MessageIdentity(Edi2SentMessage sent) => Id = sent.Id;

        public Edi2MessageIdentity(Edi2MessageStatus status) => Id = status.MessageId;

        public Edi2MessageIdentity(Edi2Receipt receipt) => Id = receipt.Id;

        public Guid Id { get; }

        public override string ToString() => Id.ToString();
    }
}
