using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Edi2.FakeNhn.Edi;

/// <summary>A message as the fake MSH stores it. A snapshot: later changes to the store do not show here.</summary>
public sealed class StoredMessage
{
    public required Guid Id { get; init; }

    public required int SenderHerId { get; init; }

    public required IReadOnlyList<int> ReceiverHerIds { get; init; }

    /// <summary>The business document as sent (decoded, not base64).</summary>
    public required ReadOnlyMemory<byte> Document { get; init; }

    public required string ContentType { get; init; }

    /// <summary>MsgHead Type/@V, the v3 messageTypeIdentificator, or "APPREC".</summary>
    public required string MessageType { get; init; }

    /// <summary>MsgHead MsgId / AppRec Id, when the document has one.</summary>
    public string? BusinessDocumentId { get; init; }

    /// <summary>Norwegian local time without offset, exactly as the API emits it.</summary>
    public required string BusinessDocumentGenDate { get; init; }

    public required bool IsAppRec { get; init; }

    /// <summary>
    /// True for a message in its receivers' inboxes (arrived from EDI, or the per-receiver copy of an API
    /// send); false for the sender's record of what it sent, whose Receivers carry the delivery status.
    /// </summary>
    public required bool IsInbound { get; init; }

    /// <summary>For an inbound copy: the id the sender got back from POST.</summary>
    public Guid? OriginalMessageId { get; init; }

    /// <summary>The HelseID client that sent it through the API (null for seeded messages).</summary>
    public string? SentByClientId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required IReadOnlyList<StoredReceiver> Receivers { get; init; }

    public StoredReceiver Receiver(int herId) =>
        Receivers.FirstOrDefault(r => r.HerId == herId) ?? throw new ArgumentException($"HER-id {herId} is not a receiver of message {Id}.", nameof(herId));
}

/// <summary>Per-receiver state: transport status, AppRec, and whether the receiver has fetched it (v3 downloaded, v2 read).</summary>
public sealed record StoredReceiver(int HerId, string TransportDeliveryState, bool Sent, bool Downloaded, bool Read, AppRecInfo? AppRec);

/// <summary>The AppRec a receiver sent back: Ok, Rejected or OkErrorInMessagePart, its errors, and the AppRec message's id.</summary>
public sealed record AppRecInfo(string Status, IReadOnlyList<AppRecErrorInfo> Errors, Guid AppRecId);

/// <summary>One AppRec error (code system 8221, e.g. E10).</summary>
public sealed record AppRecErrorInfo(string? ErrorCode, string? Details, string? Description = null, string? Oid = null);

/// <summary>A v3 notification, with the member names the API uses on the wire.</summary>
public sealed record NotificationInfo(
    Guid Id,
    Guid RelatedMessageId,
    string Type,
    int NotificationReceiverHerId,
    int NotificationTriggeredByHerId,
    string Description,
    DateTimeOffset CreatedAt,
    long Offset);

/// <summary>A v3 MSH configuration: who set it, whether it locks the HER-id to that client, and its filters.</summary>
public sealed record MshConfigurationInfo(
    int HerId,
    string ClientId,
    bool ClientLocked,
    string ReceiveNotificationChannel,
    IReadOnlyList<string> RejectedMessageFunctions,
    DateTimeOffset UpdatedAt);

/// <summary>
/// The fake MSH's store: messages, per-receiver state, notifications with global offsets, and v3 MSH
/// configurations. v2 and v3 share it, so a message sent through either is visible through both.
/// Thread-safe: every read and write takes one lock; readers get snapshots.
/// </summary>
public sealed class FakeEdiState
{
    /// <summary>The classic-EDI party that seeded bulk messages come from (NHN's "Meldingsvalidering").</summary>
    public const int ExternalSenderHerId = 8094866;

    public const string NewMessage = "NewMessage";
    public const string MessageApprecInfoUpdated = "MessageApprecInfoUpdated";

    private readonly object _gate = new();
    private readonly Dictionary<Guid, MessageRecord> _messages = new();
    private readonly List<MessageRecord> _inbox = new(); // inbound messages in arrival order
    private readonly List<NotificationInfo> _notifications = new();
    private readonly Dictionary<int, MshConfigurationInfo> _configurations = new();
    private readonly FakeNhnState _nhn;
    private readonly FakeClock _clock;
    // Offsets are global over all HER-ids, so a client sees gaps; fixed seed keeps runs reproducible.
    private readonly Random _offsetSteps = new(9051);
    private long _lastOffset = 100;
    private TaskCompletionSource _changed = NewSignal();

    internal FakeEdiState(FakeNhnState nhn, FakeClock clock)
    {
        _nhn = nhn;
        _clock = clock;
    }

    /// <summary>Offset of the newest notification (the starting value when there is none yet).</summary>
    public long LastOffset
    {
        get
        {
            lock (_gate)
            {
                return _lastOffset;
            }
        }
    }

    /// <summary>All notifications so far, oldest first.</summary>
    public IReadOnlyList<NotificationInfo> Notifications
    {
        get
        {
            lock (_gate)
            {
                return _notifications.ToArray();
            }
        }
    }

    /// <summary>All messages so far (outbound records and inbound copies), oldest first.</summary>
    public IReadOnlyList<StoredMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages.Values.OrderBy(m => m.Sequence).Select(m => m.Snapshot()).ToArray();
            }
        }
    }

    /// <summary>Completes when a notification is added; streams wait on it (take it before reading).</summary>
    internal Task NotificationAdded
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>
    /// A message arriving from classic EDI: stored for its receivers (delivery Acknowledged) with a NewMessage
    /// notification each. If the document is a MsgHead, its Type/@V wins over <paramref name="messageType"/>,
    /// and an AppRec document is always an AppRec.
    /// </summary>
    public Guid AddInboundMessage(int senderHerId, int[] receiverHerIds, byte[] document, string messageType = "DIALOG_HELSEFAGLIG", bool isAppRec = false)
    {
        ArgumentNullException.ThrowIfNull(receiverHerIds);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        if (receiverHerIds.Length == 0)
        {
            throw new ArgumentException("A message needs at least one receiver.", nameof(receiverHerIds));
        }

        var info = MsgHead.Read(document);
        lock (_gate)
        {
            var message = Store(senderHerId, receiverHerIds.Distinct().ToArray(), document.ToArray(), info.MsgType ?? messageType, isAppRec || info.IsAppRec, info,
                inbound: true, original: null, clientId: null);
            foreach (var receiver in message.Receivers)
            {
                Notify(NewMessage, message.Id, receiver, senderHerId, $"New message received. ({message.MessageType}).");
            }

            return message.Id;
        }
    }

    /// <summary>Many small inbound messages to one HER-id, each with its NewMessage notification (paging tests).</summary>
    public void AddNotifications(int receiverHerId, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var msgId = Guid.NewGuid();
                var document = MsgHead.CreateMsgHead("DIALOG_HELSEFAGLIG", msgId, NorwegianTime.FromUtc(_clock.UtcNow), ExternalSenderHerId, receiverHerId, $"Seeded message {i + 1} of {count}");
                var info = new BusinessDocumentInfo { IsMsgHead = true, MsgId = msgId.ToString(), MsgType = "DIALOG_HELSEFAGLIG" };
                var message = Store(ExternalSenderHerId, [receiverHerId], document, "DIALOG_HELSEFAGLIG", false, info, inbound: true, original: null, clientId: null);
                Notify(NewMessage, message.Id, receiverHerId, ExternalSenderHerId, "New message received. (DIALOG_HELSEFAGLIG).");
            }
        }
    }

    /// <summary>As if <paramref name="clientId"/> had PUT a configuration (channel Api, no filters) for the HER-id.</summary>
    public void SetConfiguration(int herId, string clientId, bool clientLocked)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        lock (_gate)
        {
            _configurations[herId] = new MshConfigurationInfo(herId, clientId, clientLocked, "Api", [], _clock.UtcNow);
        }
    }

    /// <summary>Drops a HER-id's configuration (and lock), as DELETE /mshconfigurations would. False if there was none.</summary>
    public bool RemoveConfiguration(int herId)
    {
        lock (_gate)
        {
            return _configurations.Remove(herId);
        }
    }

    public MshConfigurationInfo? GetConfiguration(int herId)
    {
        lock (_gate)
        {
            return _configurations.GetValueOrDefault(herId);
        }
    }

    public StoredMessage? GetMessage(Guid id)
    {
        lock (_gate)
        {
            return _messages.TryGetValue(id, out var message) ? message.Snapshot() : null;
        }
    }

    /// <summary>
    /// The receiver of a sent message answers with an AppRec, as if it had called POST .../apprec (through its
    /// inbound copy when it is an API user). Returns the AppRec message's id.
    /// </summary>
    public Guid ReceiveAppRec(Guid sentMessageId, int fromReceiverHerId, string status = "Ok", IReadOnlyList<AppRecErrorInfo>? errors = null)
    {
        if (status is not ("Ok" or "Rejected" or "OkErrorInMessagePart"))
        {
            throw new ArgumentException("Status must be Ok, Rejected or OkErrorInMessagePart.", nameof(status));
        }

        lock (_gate)
        {
            if (!_messages.TryGetValue(sentMessageId, out var sent) || !sent.States.ContainsKey(fromReceiverHerId))
            {
                throw new ArgumentException($"Message {sentMessageId} does not exist or was not sent to HER-id {fromReceiverHerId}.");
            }

            var answered = _inbox.FirstOrDefault(m => m.OriginalId == sentMessageId && m.States.ContainsKey(fromReceiverHerId)) ?? sent;
            return CreateAppRec(answered.Id, fromReceiverHerId, status, errors ?? [], clientId: null);
        }
    }

    /// <summary>Sets the transport status of one receiver (Unconfirmed, Acknowledged, Rejected, Abandoned) to test status handling.</summary>
    public void SetTransportState(Guid messageId, int receiverHerId, string transportDeliveryState, bool sent = true)
    {
        if (transportDeliveryState is not ("Unconfirmed" or "Acknowledged" or "Rejected" or "Abandoned"))
        {
            throw new ArgumentException("Use Unconfirmed, Acknowledged, Rejected or Abandoned.", nameof(transportDeliveryState));
        }

        lock (_gate)
        {
            var state = _messages.TryGetValue(messageId, out var message) && message.States.TryGetValue(receiverHerId, out var found)
                ? found
                : throw new ArgumentException($"Message {messageId} has no receiver {receiverHerId}.");
            state.DeliveryState = transportDeliveryState;
            state.Sent = sent;
        }
    }

    /// <summary>
    /// An API send: the sender's record (returned id) with every receiver Acknowledged, and for each receiver that
    /// is an API user in the fake an inbound copy with a NewMessage notification (API to API is delivered at once).
    /// </summary>
    internal Guid Send(int senderHerId, IReadOnlyList<int> receiverHerIds, byte[] document, string messageType, bool isAppRec, BusinessDocumentInfo info, string? clientId)
    {
        lock (_gate)
        {
            return SendCore(senderHerId, receiverHerIds, document, messageType, isAppRec, info, clientId).Id;
        }
    }

    /// <summary>
    /// POST .../apprec on a received message: a new AppRec message from the receiver to the original sender,
    /// the AppRec recorded on the received message and on the sender's record, and a MessageApprecInfoUpdated
    /// notification for the sender. The caller has checked the rules (not an AppRec, a receiver).
    /// </summary>
    internal Guid CreateAppRec(Guid receivedMessageId, int appRecSenderHerId, string status, IReadOnlyList<AppRecErrorInfo> errors, string? clientId)
    {
        lock (_gate)
        {
            var received = _messages[receivedMessageId];
            var original = received.OriginalId is { } originalId ? _messages.GetValueOrDefault(originalId) : null;
            var appRecId = Guid.NewGuid();
            var genDate = NorwegianTime.FromUtc(_clock.UtcNow);
            var document = MsgHead.CreateAppRec(appRecId, genDate, appRecSenderHerId, received.SenderHerId, status, errors,
                received.MessageType, received.BusinessDocumentId, received.GenDateLocal);
            var info = new BusinessDocumentInfo { IsAppRec = true, MsgId = appRecId.ToString(), GenDateLocal = genDate, MsgType = "APPREC" };
            var appRec = SendCore(appRecSenderHerId, [received.SenderHerId], document, "APPREC", true, info, clientId, appRecId);

            var answer = new AppRecInfo(status, errors.ToArray(), appRec.Id);
            received.States[appRecSenderHerId].AppRec = answer;
            if (original is not null && original.States.TryGetValue(appRecSenderHerId, out var originalState))
            {
                originalState.AppRec = answer;
            }

            var tracked = original ?? received;
            if (IsKnownHerId(tracked.SenderHerId))
            {
                Notify(MessageApprecInfoUpdated, tracked.Id, tracked.SenderHerId, appRecSenderHerId, $"Application receipt received. ({status}).");
            }

            return appRec.Id;
        }
    }

    /// <summary>v3 PUT .../downloaded and v2 PUT .../read. False when the HER-id is no receiver of the message.</summary>
    internal bool MarkFetched(Guid messageId, int receiverHerId, bool downloaded)
    {
        lock (_gate)
        {
            if (!_messages.TryGetValue(messageId, out var message) || !message.States.TryGetValue(receiverHerId, out var state))
            {
                return false;
            }

            if (downloaded)
            {
                state.Downloaded = true;
            }
            else
            {
                state.Read = true;
            }

            return true;
        }
    }

    /// <summary>Notifications for these HER-ids with an offset above <paramref name="afterOffset"/>, oldest first.</summary>
    internal IReadOnlyList<NotificationInfo> NotificationsAfter(IReadOnlySet<int> herIds, long afterOffset, int max)
    {
        lock (_gate)
        {
            var start = FirstIndexAfter(afterOffset);
            var found = new List<NotificationInfo>();
            for (var i = start; i < _notifications.Count && found.Count < max; i++)
            {
                if (herIds.Contains(_notifications[i].NotificationReceiverHerId))
                {
                    found.Add(_notifications[i]);
                }
            }

            return found;
        }
    }

    /// <summary>v2 GET /Messages: inbound messages not yet read (or downloaded) by these receivers, one entry per receiver.</summary>
    internal IReadOnlyList<(StoredMessage Message, int ReceiverHerId)> Unread(
        IReadOnlySet<int> receiverHerIds, int? senderHerId, string? businessDocumentId, bool descending, int max)
    {
        lock (_gate)
        {
            var entries = _inbox
                .Where(m => senderHerId is null || m.SenderHerId == senderHerId)
                .Where(m => businessDocumentId is null || string.Equals(m.BusinessDocumentId, businessDocumentId, StringComparison.Ordinal))
                .SelectMany(m => m.States.Values
                    .Where(s => receiverHerIds.Contains(s.HerId) && !s.Read && !s.Downloaded)
                    .Select(s => (Message: m, s.HerId)));
            // Ordered by the document's GenDate, as NHN documents; arrival order breaks ties.
            entries = descending
                ? entries.OrderByDescending(e => e.Message.GenDateLocal).ThenByDescending(e => e.Message.Sequence)
                : entries.OrderBy(e => e.Message.GenDateLocal).ThenBy(e => e.Message.Sequence);
            return entries.Take(max).Select(e => (e.Message.Snapshot(), e.HerId)).ToArray();
        }
    }

    /// <summary>Stores a v3 PUT (all entries, checked by the caller); the calling client becomes the owner.</summary>
    internal void PutConfigurations(IEnumerable<MshConfigurationInfo> configurations)
    {
        lock (_gate)
        {
            foreach (var configuration in configurations)
            {
                _configurations[configuration.HerId] = configuration with { UpdatedAt = _clock.UtcNow };
            }
        }
    }

    internal void DeleteConfigurations(IEnumerable<int> herIds)
    {
        lock (_gate)
        {
            foreach (var herId in herIds)
            {
                _configurations.Remove(herId);
            }
        }
    }

    /// <summary>HER-ids the fake's Address Registry knows: those of the seeded organisations.</summary>
    internal bool IsKnownHerId(int herId) => _nhn.OrganizationsSnapshot().Any(o => o.HerIds.Contains(herId));

    private MessageRecord SendCore(
        int senderHerId, IReadOnlyList<int> receiverHerIds, byte[] document, string messageType, bool isAppRec, BusinessDocumentInfo info, string? clientId, Guid? id = null)
    {
        var receivers = receiverHerIds.Distinct().ToArray();
        var sent = Store(senderHerId, receivers, document, messageType, isAppRec, info, inbound: false, original: null, clientId, id);
        var known = _nhn.OrganizationsSnapshot().SelectMany(o => o.HerIds).ToHashSet();
        foreach (var receiver in receivers.Where(known.Contains))
        {
            var copy = Store(senderHerId, [receiver], document, messageType, isAppRec, info, inbound: true, original: sent.Id, clientId);
            Notify(NewMessage, copy.Id, receiver, senderHerId, $"New message received. ({messageType}).");
        }

        return sent;
    }

    private MessageRecord Store(
        int senderHerId, int[] receiverHerIds, byte[] document, string messageType, bool isAppRec, BusinessDocumentInfo info, bool inbound, Guid? original, string? clientId, Guid? id = null)
    {
        var now = _clock.UtcNow;
        var message = new MessageRecord
        {
            Id = id ?? Guid.NewGuid(),
            Sequence = _messages.Count,
            SenderHerId = senderHerId,
            Receivers = receiverHerIds,
            Document = document,
            MessageType = messageType,
            BusinessDocumentId = info.MsgId,
            GenDateLocal = info.GenDateLocal ?? NorwegianTime.FromUtc(now),
            IsAppRec = isAppRec,
            IsInbound = inbound,
            OriginalId = original,
            ClientId = clientId,
            CreatedAt = now,
            States = receiverHerIds.ToDictionary(r => r, r => new ReceiverRecord { HerId = r }),
        };
        _messages.Add(message.Id, message);
        if (inbound)
        {
            _inbox.Add(message);
        }

        return message;
    }

    private void Notify(string type, Guid relatedMessageId, int receiverHerId, int triggeredByHerId, string description)
    {
        _lastOffset += _offsetSteps.Next(1, 4);
        _notifications.Add(new NotificationInfo(Guid.NewGuid(), relatedMessageId, type, receiverHerId, triggeredByHerId, description, _clock.UtcNow, _lastOffset));
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private int FirstIndexAfter(long offset)
    {
        int low = 0, high = _notifications.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_notifications[middle].Offset <= offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    // Continuations run elsewhere, so a waking stream never runs inside the store's lock.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class MessageRecord
    {
        public required Guid Id { get; init; }

        public required int Sequence { get; init; }

        public required int SenderHerId { get; init; }

        public required int[] Receivers { get; init; }

        public required byte[] Document { get; init; }

        public required string MessageType { get; init; }

        public string? BusinessDocumentId { get; init; }

        public required DateTime GenDateLocal { get; init; }

        public required bool IsAppRec { get; init; }

        public required bool IsInbound { get; init; }

        public Guid? OriginalId { get; init; }

        public string? ClientId { get; init; }

        public required DateTimeOffset CreatedAt { get; init; }

        public required Dictionary<int, ReceiverRecord> States { get; init; }

        public StoredMessage Snapshot() => new()
        {
            Id = Id,
            SenderHerId = SenderHerId,
            ReceiverHerIds = Receivers.ToArray(),
            Document = Document, // never changed after storing
            ContentType = "application/xml",
            MessageType = MessageType,
            BusinessDocumentId = BusinessDocumentId,
            BusinessDocumentGenDate = NorwegianTime.Format(GenDateLocal),
            IsAppRec = IsAppRec,
            IsInbound = IsInbound,
            OriginalMessageId = OriginalId,
            SentByClientId = ClientId,
            CreatedAt = CreatedAt,
            Receivers = Receivers.Select(r => States[r].Snapshot()).ToArray(),
        };
    }

    private sealed class ReceiverRecord
    {
        public required int HerId { get; init; }

        // API-to-API and the fake's simulated EDI transport are always acknowledged at once.
        public string DeliveryState { get; set; } = "Acknowledged";

        public bool Sent { get; set; } = true;

        public bool Downloaded { get; set; }

        public bool Read { get; set; }

        public AppRecInfo? AppRec { get; set; }

        public StoredReceiver Snapshot() => new(HerId, DeliveryState, Sent, Downloaded, Read, AppRec);
    }
}
