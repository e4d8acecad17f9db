using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// api-version 3 (spec §9): notifications instead of polling /messages, explicit sender and receivers on
/// send, 202 {id} answers, PUT .../downloaded, and per-HER-id MSH configurations with client locks.
/// </summary>
internal sealed class V3Endpoints
{
    private readonly FakeEdiState _edi;
    private readonly FakeApiOptions _options;
    private readonly FakeClock _clock;

    public V3Endpoints(FakeEdiState edi, FakeApiOptions options, FakeClock clock)
    {
        _edi = edi;
        _options = options;
        _clock = clock;
    }

    public Task PingAsync(ApiCall call) =>
        ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, new PingResponse("Pong", _clock.UtcNow.UtcDateTime));

    /// <summary>GET /notifications?HerIds=..&amp;Offset=n&amp;NotificationsToFetch=1..1000: newer than Offset, oldest first.</summary>
    public Task GetNotificationsAsync(ApiCall call)
    {
        var (herIds, offset) = NotificationQuery(call, offsetRequired: true);
        var max = (int)(ApiQuery.Long(call.Request, "NotificationsToFetch", 1, 1000) ?? 100);
        var notifications = _edi.NotificationsAfter(herIds.ToHashSet(), offset!.Value, max);
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, new NotificationsResponse(notifications));
    }

    /// <summary>HerIds (1..1500) and Offset, with the v3 checks on each HER-id (authorized, configured). Shared with the stream.</summary>
    public static (int[] HerIds, long? Offset) NotificationQuery(ApiCall call, bool offsetRequired)
    {
        var herIds = ApiQuery.HerIds(call.Request, "HerIds", 1500);
        var offset = ApiQuery.Long(call.Request, "Offset", 0, long.MaxValue);
        if (offset is null && offsetRequired)
        {
            throw ApiException.Validation("The Offset field is required.");
        }

        call.Caller.RequireActFor(herIds);
        call.Caller.RequireConfigured(herIds);
        return (herIds, offset);
    }

    /// <summary>POST /messages: explicit sender and receivers; 202 {"id"}. Receivers in the fake get it at once.</summary>
    public async Task PostMessageAsync(ApiCall call)
    {
        var body = await ApiJson.ReadAsync<PostMessageRequest>(call.Context);
        var errors = new List<string>();
        if (body.SenderHerId is not > 0)
        {
            errors.Add("The SenderHerId field is required.");
        }

        if (body.ReceiverHerIds is not { Length: > 0 })
        {
            errors.Add("The ReceiverHerIds field is required.");
        }
        else if (body.ReceiverHerIds.Any(r => r <= 0))
        {
            errors.Add("ReceiverHerIds must be positive HER-ids.");
        }

        var document = MessageRequests.DecodeDocument(body.BusinessDocument, body.ContentType, body.ContentTransferEncoding, _options.MaxDocumentBytes, errors);
        RequireText(body.MessageTypeIdentificator, "MessageTypeIdentificator", errors);
        RequireText(body.ApplicationName, "ApplicationName", errors);
        RequireText(body.ApplicationVersion, "ApplicationVersion", errors);
        MessageRequests.ThrowIfAny(errors);

        var sender = body.SenderHerId!.Value;
        call.Caller.RequireV3Ownership(sender);
        var receivers = body.ReceiverHerIds!.Distinct().ToArray();
        var unknown = receivers.Where(r => !_edi.IsKnownHerId(r)).ToArray();
        if (unknown.Length > 0)
        {
            throw ApiException.BadRequest(1001, $"Receiver HER-id(s) {ApiJson.JoinIds(unknown)} not found in the Address Registry.");
        }

        var info = MsgHead.Read(document);
        var isAppRec = info.IsAppRec || string.Equals(body.MessageTypeIdentificator, "APPREC", StringComparison.OrdinalIgnoreCase);
        var id = _edi.Send(sender, receivers, document, body.MessageTypeIdentificator!, isAppRec, info, call.Caller.ClientId);
        await ApiJson.WriteAsync(call.Context, StatusCodes.Status202Accepted, new IdResponse(id));
    }

    public Task GetMessageAsync(ApiCall call)
    {
        var message = call.Caller.ReadableMessage(call.Id);
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, new GetMessageResponse(
            message.Id, message.SenderHerId, message.ReceiverHerIds, message.BusinessDocumentId,
            message.BusinessDocumentGenDate, message.MessageType, message.ContentType));
    }

    public Task GetStatusAsync(ApiCall call)
    {
        var message = call.Caller.ReadableMessage(call.Id);
        var list = message.Receivers.Select(r => new StatusInfo(
            r.HerId,
            r.TransportDeliveryState,
            r.Sent,
            r.AppRec is { } appRec ? new ApprecInfo(appRec.Status, appRec.Errors.Select(AppRecErrorDto.From).ToArray(), appRec.AppRecId) : null));
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, new StatusResponse(list.ToArray()));
    }

    /// <summary>POST /messages/{id}/apprec: the MSH writes the AppRec; 202 {"id"} of the AppRec message.</summary>
    public async Task PostAppRecAsync(ApiCall call)
    {
        var body = await ApiJson.ReadAsync<PostAppRecRequest>(call.Context);
        var errors = new List<string>();
        if (body.AppRecSenderHerId is not > 0)
        {
            errors.Add("The AppRecSenderHerId field is required.");
        }

        var status = MessageRequests.ParseAppRecStatus(body.AppRecStatus, errors);
        var appRecErrors = MessageRequests.AppRecErrors(status, body.AppRecErrorList, errors);
        RequireText(body.ApplicationName, "ApplicationName", errors);
        RequireText(body.ApplicationVersion, "ApplicationVersion", errors);
        MessageRequests.ThrowIfAny(errors);

        var message = _edi.GetMessage(call.Id) ?? throw ApiException.MessageNotFound(call.Id);
        var appRecSender = body.AppRecSenderHerId!.Value;
        call.Caller.RequireV3Ownership(appRecSender);
        if (message.IsAppRec)
        {
            throw ApiException.BadRequest(1100, $"Message {message.Id} is itself an application receipt; an AppRec cannot be sent for it.");
        }

        if (!message.ReceiverHerIds.Contains(appRecSender))
        {
            throw ApiException.BadRequest(1102, $"HER-id {appRecSender} is not a receiver of message {message.Id}.");
        }

        var appRecId = _edi.CreateAppRec(message.Id, appRecSender, status!, appRecErrors, call.Caller.ClientId);
        await ApiJson.WriteAsync(call.Context, StatusCodes.Status202Accepted, new IdResponse(appRecId));
    }

    /// <summary>PUT /messages/{id}/downloaded {"receiverHerId"}: 204.</summary>
    public async Task MarkDownloadedAsync(ApiCall call)
    {
        var body = await ApiJson.ReadAsync<MarkDownloadedRequest>(call.Context);
        if (body.ReceiverHerId is not > 0)
        {
            throw ApiException.Validation("The ReceiverHerId field is required.");
        }

        var message = _edi.GetMessage(call.Id) ?? throw ApiException.MessageNotFound(call.Id);
        var receiver = body.ReceiverHerId.Value;
        call.Caller.RequireV3Ownership(receiver);
        if (!_edi.MarkFetched(message.Id, receiver, downloaded: true))
        {
            throw ApiException.BadRequest(1001, $"HER-id {receiver} is not a receiver of message {message.Id}.");
        }

        call.Context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>PUT /mshconfigurations: all entries or none (403 / 423 on any); the caller becomes each one's owner.</summary>
    public async Task PutConfigurationsAsync(ApiCall call)
    {
        var body = await ApiJson.ReadAsync<PutConfigurationsRequest>(call.Context);
        var errors = new List<string>();
        if (body.Configurations is not { Count: > 0 })
        {
            errors.Add("The Configurations field is required.");
        }

        var configurations = new List<MshConfigurationInfo>();
        foreach (var (entry, index) in (body.Configurations ?? []).Select((c, i) => (c, i)))
        {
            if (entry.HerId is not > 0)
            {
                errors.Add($"Configurations[{index}]: the HerId field is required.");
                continue;
            }

            var channel = entry.ReceiveNotificationChannel switch
            {
                { } c when c.Equals("Api", StringComparison.OrdinalIgnoreCase) => "Api",
                { } c when c.Equals("Kafka", StringComparison.OrdinalIgnoreCase) => "Kafka",
                _ => null,
            };
            if (channel is null)
            {
                errors.Add($"Configurations[{index}]: ReceiveNotificationChannel must be 'Api' or 'Kafka' (got '{entry.ReceiveNotificationChannel}').");
            }

            var filters = entry.RejectMessageFilters ?? new Dictionary<string, List<string>>();
            var unknownFilter = filters.Keys.FirstOrDefault(k => !k.Equals("MessageFunction", StringComparison.OrdinalIgnoreCase));
            if (unknownFilter is not null)
            {
                errors.Add($"Configurations[{index}]: RejectMessageFilters only takes 'MessageFunction' (got '{unknownFilter}').");
            }

            var functions = filters.Where(f => f.Key.Equals("MessageFunction", StringComparison.OrdinalIgnoreCase)).SelectMany(f => f.Value ?? []).ToArray();
            configurations.Add(new MshConfigurationInfo(entry.HerId.Value, call.Caller.ClientId, entry.ClientLocked ?? false, channel ?? "", functions, default));
        }

        if (configurations.GroupBy(c => c.HerId).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            errors.Add($"HER-id {duplicate.Key} has more than one configuration.");
        }

        MessageRequests.ThrowIfAny(errors);
        var herIds = configurations.Select(c => c.HerId).ToArray();
        call.Caller.RequireActFor(herIds);
        call.Caller.RequireNotLockedByOthers(herIds);
        _edi.PutConfigurations(configurations);
        call.Context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>DELETE /mshconfigurations?HerIds=..: removes them (and their locks); 404 if one has none.</summary>
    public Task DeleteConfigurationsAsync(ApiCall call)
    {
        var herIds = ApiQuery.HerIds(call.Request, "HerIds", 1500);
        call.Caller.RequireActFor(herIds);
        call.Caller.RequireNotLockedByOthers(herIds);
        var missing = herIds.Where(h => _edi.GetConfiguration(h) is null).ToArray();
        if (missing.Length > 0)
        {
            throw new ApiException(StatusCodes.Status404NotFound, 1010, $"There is no MSH configuration for HER-id(s): {ApiJson.JoinIds(missing)}.");
        }

        _edi.DeleteConfigurations(herIds);
        call.Context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }


    private static void RequireText(string? value, string name, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"The {name} field is required.");
        }
    }

    private sealed class PostMessageRequest
    {
        public int? SenderHerId { get; set; }

        public int[]? ReceiverHerIds { get; set; }

        public string? BusinessDocument { get; set; }

        public string? ContentType { get; set; }

        public string? ContentTransferEncoding { get; set; }

        public string? MessageTypeIdentificator { get; set; }

        public string? ApplicationName { get; set; }

        public string? ApplicationVersion { get; set; }

        public JsonElement? TransportMetadataOverrides { get; set; }
    }

    private sealed class PostAppRecRequest
    {
        public int? AppRecSenderHerId { get; set; }

        public JsonElement? AppRecStatus { get; set; }

        public List<AppRecErrorDto>? AppRecErrorList { get; set; }

        public string? ApplicationName { get; set; }

        public string? ApplicationVersion { get; set; }

        public JsonElement? TransportMetadataOverrides { get; set; }
    }

    private sealed class MarkDownloadedRequest
    {
        public int? ReceiverHerId { get; set; }
    }

    private sealed class PutConfigurationsRequest
    {
        public List<ConfigurationEntry>? Configurations { get; set; }
    }

    private sealed class ConfigurationEntry
    {
        public int? HerId { get; set; }

        public string? ReceiveNotificationChannel { get; set; }

        public bool? ClientLocked { get; set; }

        public Dictionary<string, List<string>>? RejectMessageFilters { get; set; }

        /// <summary>In one version of NHN's page; accepted and ignored.</summary>
        public bool? ReceiveRefusedMessageNotices { get; set; }
    }

    private sealed record PingResponse(string Response, DateTime TimestampUtc);

    private sealed record NotificationsResponse(IReadOnlyList<NotificationInfo> Notifications);

    private sealed record IdResponse(Guid Id);

    private sealed record GetMessageResponse(
        Guid Id, int SenderHerId, IReadOnlyList<int> ReceiverHerIds, string? BusinessDocumentId,
        string BusinessDocumentGenDate, string BusinessDocumentMsgType, string ContentType);

    private sealed record StatusResponse(StatusInfo[] StatusList);

    private sealed record StatusInfo(int ReceiverHerId, string TransportDeliveryState, bool Sent, ApprecInfo? ApprecInfo);

    private sealed record ApprecInfo(string AppRecStatus, AppRecErrorDto[] AppRecErrorList, Guid AppRecId);
}
