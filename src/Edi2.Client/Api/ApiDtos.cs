using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Edi2.Model;

namespace Edi2.Api
{
    // The wire shapes of EDI 2.0 (spec edi2-api sections 7 and 9). Read in any casing; mapped to the model types users see.

    internal sealed class NotificationsResponse
    {
        public List<NotificationDto>? Notifications { get; set; }
    }

    internal sealed class NotificationDto
    {
        public Guid? Id { get; set; }
        public Guid? NotificationId { get; set; }
        // Read as it came: one notification naming no proper message id must not make its whole page unreadable.
        public JsonElement? RelatedMessageId { get; set; }
        public string? Type { get; set; }
        public int? NotificationReceiverHerId { get; set; }
        public int? NotificationTriggeredByHerId { get; set; }
        public string? Description { get; set; }
        public DateTimeOffset? CreatedAt { get; set; }
        public long? Offset { get; set; }

        // The docs name the id "id", NHN's newer clients "notificationId": take whichever is there.
        public Edi2Notification ToModel() => new Edi2Notification
        {
            Id = Id ?? NotificationId ?? Guid.Empty,
            Offset = Offset ?? 0,
            Type = Type ?? "",
            RelatedMessageId = RelatedId(out string? unreadable),
            UnreadableRelatedMessageId = unreadable,
            ReceiverHerId = NotificationReceiverHerId ?? 0,
            TriggeredByHerId = NotificationTriggeredByHerId,
            Description = Description,
            CreatedAt = CreatedAt,
        };

        private Guid? RelatedId(out string? unreadable)
        {
            unreadable = null;
            if (!(RelatedMessageId is JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
            string text;
            try
            {
                text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
            }
            catch (InvalidOperationException)
            {
                text = "(text that is not valid UTF-8)"; // the stream's events are parsed from raw bytes
            }
            if (value.ValueKind == JsonValueKind.String && Guid.TryParse(text, out Guid id)) return id;
            unreadable = text.Length > 80 ? text.Substring(0, 80) + "..." : text;
            return null;
        }
    }

    internal sealed class MessageDto
    {
        public Guid? Id { get; set; }
        public int? SenderHerId { get; set; }
        public int[]? ReceiverHerIds { get; set; }
        public int? ReceiverHerId { get; set; }
        public string? BusinessDocumentId { get; set; }
        public DateTimeOffset? BusinessDocumentGenDate { get; set; }
        public string? BusinessDocumentMsgType { get; set; }
        public string? ContentType { get; set; }
        public bool? IsAppRec { get; set; }

        public Edi2Message ToModel() => new Edi2Message
        {
            Id = Id ?? Guid.Empty,
            SenderHerId = SenderHerId,
            ReceiverHerIds = ReceiverHerIds ?? (ReceiverHerId is int one ? new[] { one } : Array.Empty<int>()),
            BusinessDocumentId = BusinessDocumentId,
            BusinessDocumentGenDate = BusinessDocumentGenDate,
            MessageType = BusinessDocumentMsgType,
            ContentType = ContentType,
            IsAppRec = IsAppRec,
        };
    }

    internal sealed class IdResponse
    {
        public Guid? Id { get; set; }
    }

    internal sealed class PingResponse
    {
        public string? Response { get; set; }
        public DateTimeOffset? TimestampUtc { get; set; }
    }

    internal sealed class StatusListResponse
    {
        public List<StatusDto>? StatusList { get; set; }
    }

    internal sealed class StatusDto
    {
        public int ReceiverHerId { get; set; }
        public string? TransportDeliveryState { get; set; }
        public bool? Sent { get; set; }
        public string? AppRecStatus { get; set; }
        public ApprecInfoDto? ApprecInfo { get; set; }
    }

    internal sealed class ApprecInfoDto
    {
        public int? ReceiverHerId { get; set; }
        public string? AppRecStatus { get; set; }
        public List<AppRecErrorDto>? AppRecErrorList { get; set; }
        public Guid? AppRecId { get; set; }
    }

    internal sealed class AppRecErrorDto
    {
        public string? ErrorCode { get; set; }
        public string? Details { get; set; }
        public string? Description { get; set; }
        public string? Oid { get; set; }

        public static AppRecErrorDto From(Edi2AppRecError e) =>
            new AppRecErrorDto { ErrorCode = e.ErrorCode, Details = e.Details, Description = e.Description, Oid = e.Oid };

        public Edi2AppRecError ToModel() =>
            new Edi2AppRecError { ErrorCode = ErrorCode ?? "", Details = Details, Description = Description, Oid = Oid };
    }

    internal sealed class SendMessageV3Members
    {
        public int SenderHerId { get; set; }
        public int[] ReceiverHerIds { get; set; } = Array.Empty<int>();
        public string ContentType { get; set; } = "application/xml";
        public string ContentTransferEncoding { get; set; } = "base64";
        public string MessageTypeIdentificator { get; set; } = "";
        public string ApplicationName { get; set; } = "";
        public string ApplicationVersion { get; set; } = "";
    }

    internal sealed class SendMessageV2Members
    {
        public string ContentType { get; set; } = "application/xml";
        public string ContentTransferEncoding { get; set; } = "base64";
        public int[]? ReceiverHerIdsSubset { get; set; }
    }

    internal sealed class AppRecV3Request
    {
        public int AppRecSenderHerId { get; set; }
        public string AppRecStatus { get; set; } = "";
        public List<AppRecErrorDto>? AppRecErrorList { get; set; }
        public string ApplicationName { get; set; } = "";
        public string ApplicationVersion { get; set; } = "";
    }

    internal sealed class AppRecV2Request
    {
        public string AppRecStatus { get; set; } = "";
        public List<AppRecErrorDto>? AppRecErrorList { get; set; }
    }

    internal sealed class DownloadedRequest
    {
        public int ReceiverHerId { get; set; }
    }

    internal sealed class ConfigurationsRequest
    {
        public List<ConfigurationDto> Configurations { get; set; } = new List<ConfigurationDto>();
    }

    internal sealed class ConfigurationDto
    {
        public int HerId { get; set; }
        public string ReceiveNotificationChannel { get; set; } = "Api";
        public bool ClientLocked { get; set; }
        public Dictionary<string, List<string>>? RejectMessageFilters { get; set; }

        public static ConfigurationDto From(MshConfiguration c) => new ConfigurationDto
        {
            HerId = c.HerId,
            ReceiveNotificationChannel = c.ReceiveNotificationChannel,
            ClientLocked = c.ClientLocked,
            RejectMessageFilters = c.RejectMessageFunctions is { Count: > 0 } functions
                ? new Dictionary<string, List<string>> { ["MessageFunction"] = functions.ToList() }
                : null,
        };
    }
}
