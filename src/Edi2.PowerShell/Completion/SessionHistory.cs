using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using Edi2.Model;
using Edi2.PowerShell.Commands;

namespace Edi2.PowerShell.Completion
{
    /// <summary>
    /// What a session has used, for tab completion only: the HER-ids passed to cmdlets or seen in their output, and the
    /// message ids seen (notifications, messages, saved, sent, receipts, statuses), newest first, each with a few words on
    /// where it came from. Kept beside the session in the cmdlet layer (the engine knows nothing of it), small and bounded,
    /// and gone with the session object.
    /// </summary>
    internal sealed class SessionHistory
    {
        public const int MaxHerIds = 200;
        public const int MaxMessages = 1000;

        private static readonly ConditionalWeakTable<Edi2Session, SessionHistory> BySession = new ConditionalWeakTable<Edi2Session, SessionHistory>();

        private readonly object _gate = new object();
        private readonly LinkedList<Entry<int>> _herIds = new LinkedList<Entry<int>>();
        private readonly LinkedList<Entry<Guid>> _messages = new LinkedList<Entry<Guid>>();

        /// <summary>The history of <paramref name="session"/>, made on first use.</summary>
        public static SessionHistory For(Edi2Session session) => BySession.GetValue(session, _ => new SessionHistory());

        /// <summary>The history of <paramref name="session"/> if it has one; never makes one.</summary>
        public static SessionHistory? Find(Edi2Session? session) =>
            session != null && BySession.TryGetValue(session, out var history) ? history : null;

        /// <summary>Records <paramref name="herIds"/> as used (newest first), with why.</summary>
        public void HerIds(IEnumerable<int> herIds, string why)
        {
            foreach (int herId in herIds)
            {
                if (herId > 0) Add(_herIds, herId, why, MaxHerIds);
            }
        }

        public void HerId(int? herId, string why)
        {
            if (herId is int h && h > 0) Add(_herIds, h, why, MaxHerIds);
        }

        public void Message(Guid? id, string why)
        {
            if (id is Guid g && g != Guid.Empty) Add(_messages, g, why, MaxMessages);
        }

        /// <summary>Records what a cmdlet wrote out: the ids in the module's objects (a collection is looked into).</summary>
        public void Output(object? value)
        {
            switch (ParameterValues.Unwrap(value))
            {
                case null:
                    return;
                case Edi2Notification n:
                    HerId(n.ReceiverHerId, "Notifications received for it");
                    Message(n.RelatedMessageId, $"{n.Type} notification for HER-id {n.ReceiverHerId}" + When(n.CreatedAt) + $", offset {n.Offset}");
                    return;
                case Edi2Message m:
                    Message(m.Id, $"Message {m.MessageType} from HER-id {Text(m.SenderHerId)} to {string.Join(", ", m.ReceiverHerIds)}" + When(m.BusinessDocumentGenDate));
                    return;
                case Edi2SavedMessage s:
                    Message(s.MessageId, $"Saved to {s.Path} ({ByteSizes.Format(s.Length)})");
                    HerId(s.ReceiverHerId, "Messages saved for it");
                    return;
                case Edi2SentMessage sent:
                    Message(sent.Id, $"Sent from HER-id {Text(sent.SenderHerId)} to {string.Join(", ", sent.ReceiverHerIds)}");
                    HerId(sent.SenderHerId, "Messages sent from it");
                    return;
                case Edi2Receipt r:
                    Message(r.Id, $"{r.Status} receipt (AppRec) for message {r.MessageId}, from HER-id {r.SenderHerId}");
                    Message(r.MessageId, $"Answered with a {r.Status} receipt from HER-id {r.SenderHerId}");
                    HerId(r.SenderHerId, "Receipts sent from it");
                    return;
                case Edi2MessageStatus st:
                    Message(st.MessageId, $"Status looked up: {st.TransportDeliveryState} to HER-id {st.ReceiverHerId}");
                    return;
                case Edi2Reservation res:
                    HerId(res.HerId, $"Reserved for client '{res.ClientId}' ({res.Environment})");
                    return;
                case string _:
                    return;
                case IEnumerable items:
                    foreach (object item in items) Output(item);
                    return;
            }
        }

        /// <summary>The HER-ids, newest first.</summary>
        public IReadOnlyList<KeyValuePair<int, string>> RecentHerIds() => Snapshot(_herIds);

        /// <summary>The message ids, newest first.</summary>
        public IReadOnlyList<KeyValuePair<Guid, string>> RecentMessages() => Snapshot(_messages);

        private void Add<T>(LinkedList<Entry<T>> list, T value, string why, int max)
        {
            lock (_gate)
            {
                var comparer = EqualityComparer<T>.Default;
                for (var node = list.First; node != null; node = node.Next)
                {
                    if (!comparer.Equals(node.Value.Value, value)) continue;
                    list.Remove(node);
                    break;
                }
                list.AddFirst(new Entry<T>(value, why));
                while (list.Count > max) list.RemoveLast();
            }
        }

        private IReadOnlyList<KeyValuePair<T, string>> Snapshot<T>(LinkedList<Entry<T>> list)
        {
            lock (_gate)
            {
                return list.Select(e => new KeyValuePair<T, string>(e.Value, e.Why)).ToList();
            }
        }

        private static string Text(int? herId) => herId?.ToString(CultureInfo.InvariantCulture) ?? "?";

        private static string When(DateTimeOffset? at) =>
            at is DateTimeOffset t ? " at " + t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

        private sealed class Entry<T>
        {
            public Entry(T value, string why)
            {
                Value = value;
                Why = why;
            }

            public T Value { get; }

            public string Why { get; }
        }
    }
}
