using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// api-version 2, after NHN's OpenAPI (msh-api-v2.openapi.json): the unread list per receiver, sender and
/// receivers read from the MsgHead, 201 with the id as a JSON string and a Location header, PUT .../read.
/// Authorization is the organisation link narrowed by the herid claim; v2 knows no MSH configurations.
/// </summary>
internal sealed class V2Endpoints
{
    private readonly FakeEdiState _edi;
    private readonly FakeApiOptions _options;

    public V2Endpoints(FakeEdiState edi, FakeApiOptions options)
    {
        _edi = edi;
        _options = options;
    }

    /// <summary>GET /Messages?ReceiverHerIds=..&amp;IncludeMetadata&amp;MessagesToFetch=1..100&amp;SenderHerId&amp;BusinessDocumentId&amp;OrderBy.</summary>
    public Task GetMessagesAsync(ApiCall call)
    {
        var request = call.Request;
        var receivers = ApiQuery.HerIds(request, "ReceiverHerIds", int.MaxValue);
        var includeMetadata = ApiQuery.Bool(request, "IncludeMetadata") ?? false;
        var max = (int)(ApiQuery.Long(request, "MessagesToFetch", 1, 100) ?? 10);
        var sender = ApiQuery.Long(request, "SenderHerId", int.MinValue, int.MaxValue) is { } s ? (int)s : (int?)null;
        var businessDocumentId = ApiQuery.String(request, "BusinessDocumentId");
        if (businessDocumentId is { Length: > 100 })
        {
            throw ApiException.Validation("The field BusinessDocumentId must be a string with a maximum length of 100.");
        }

        var descending = ApiQuery.String(request, "OrderBy")?.Trim() switch
        {
            null => false,
            { } o when o.Equals("Ascending", StringComparison.OrdinalIgnoreCase) || o == "1" => false,
            { } o when o.Equals("Descending", StringComparison.OrdinalIgnoreCase) || o == "2" => true,
            { } o => throw ApiException.Validation($"The value '{o}' is not valid for OrderBy."),
        };

        call.Caller.RequireActFor(receivers);
        var unread = _edi.Unread(receivers.ToHashSet(), sender, businessDocumentId, descending, max);
        object body = includeMetadata
            ? unread.Select(u => ToMessage(u.Message, u.ReceiverHerId)).ToArray()
            : unread.Select(u => new MessageSummary(u.Message.Id, u.ReceiverHerId)).ToArray();
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, body);
    }

    /// <summary>POST /Messages: sender and receivers come from the MsgHead (optionally narrowed); 201 "id" + Location.</summary>
    public async Task PostMessageAsync(ApiCall call)
    {
        var body = await ApiJson.ReadAsync<PostMessageRequest>(call.Context);
        var errors = new List<string>();
        var document = MessageRequests.DecodeDocument(body.BusinessDocument, body.ContentType, body.ContentTransferEncoding, _options.MaxDocumentBytes, errors);
        MessageRequests.ThrowIfAny(errors);

        var info = MsgHead.Read(document);
        if (info.SenderHerId is not { } sender || info.ReceiverHerIds.Count == 0)
        {
            throw ApiException.BadRequest(1001, "Could not read the sender and receiver HER-ids from the business document (MsgHead/MsgInfo or AppRec).");
        }

        var receivers = info.ReceiverHerIds.ToArray();
        if (body.ReceiverHerIdsSubset is { Length: > 0 } subset)
        {
            var strangers = subset.Where(r => !receivers.Contains(r)).ToArray();
            if (strangers.Length > 0)
            {
                throw ApiException.BadRequest(1001, $"ReceiverHerIdsSubset names HER-id(s) {ApiJson.JoinIds(strangers)} that are not receivers in the business document.");
            }

            receivers = subset.Distinct().ToArray();
        }

        call.Caller.RequireActFor([sender]);
        var unknown = receivers.Where(r => !_edi.IsKnownHerId(r)).ToArray();
        if (unknown.Length > 0)
        {
            throw ApiException.BadRequest(1001, $"Receiver HER-id(s) {ApiJson.JoinIds(unknown)} not found in the Address Registry.");
        }

        var id = _edi.Send(sender, receivers, document, info.MsgType ?? "UNKNOWN", info.IsAppRec, info, call.Caller.ClientId);
        await WriteCreatedAsync(call, id);
    }

    public Task GetMessageAsync(ApiCall call)
    {
        var message = call.Caller.ReadableMessage(call.Id);
        // v2's Message has one receiver: the first the caller may act for (its own copy), else the first.
        var receiver = message.ReceiverHerIds.FirstOrDefault(call.Caller.MayActFor, message.ReceiverHerIds[0]);
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, ToMessage(message, receiver));
    }

    public Task GetStatusAsync(ApiCall call)
    {
        var message = call.Caller.ReadableMessage(call.Id);
        var list = message.Receivers.Select(r => new StatusInfo(r.HerId, r.TransportDeliveryState, r.AppRec?.Status)).ToArray();
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, list);
    }

    /// <summary>GET /Messages/{id}/apprec: per receiver, null status and list until an AppRec came; Ok has an empty list.</summary>
    public Task GetAppRecInfoAsync(ApiCall call)
    {
        var message = call.Caller.ReadableMessage(call.Id);
        var list = message.Receivers
            .Select(r => new ApprecInfo(r.HerId, r.AppRec?.Status, r.AppRec?.Errors.Select(AppRecErrorDto.From).ToArray()))
            .ToArray();
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status200OK, list);
    }

    /// <summary>POST /Messages/{id}/apprec/{appRecSenderHerId}: 201 with the AppRec message's id as a JSON string.</summary>
    public async Task PostAppRecAsync(ApiCall call)
    {
        var body = await ApiJson.ReadAsync<PostAppRecRequest>(call.Context);
        var errors = new List<string>();
        var status = MessageRequests.ParseAppRecStatus(body.AppRecStatus, errors);
        var appRecErrors = MessageRequests.AppRecErrors(status, body.AppRecErrorList, errors);
        MessageRequests.ThrowIfAny(errors);

        var message = _edi.GetMessage(call.Id) ?? throw ApiException.MessageNotFound(call.Id);
        call.Caller.RequireActFor([call.HerId]);
        if (message.IsAppRec)
        {
            throw ApiException.BadRequest(1100, $"Message {message.Id} is itself an application receipt; an AppRec cannot be sent for it.");
        }

        if (!message.ReceiverHerIds.Contains(call.HerId))
        {
            throw ApiException.BadRequest(1102, $"HER-id {call.HerId} is not a receiver of message {message.Id}.");
        }

        var appRecId = _edi.CreateAppRec(message.Id, call.HerId, status!, appRecErrors, call.Caller.ClientId);
        await WriteCreatedAsync(call, appRecId);
    }

    /// <summary>PUT /Messages/{id}/read/{herId}: 204; the message leaves that receiver's unread list.</summary>
    public Task MarkReadAsync(ApiCall call)
    {
        var message = _edi.GetMessage(call.Id) ?? throw ApiException.MessageNotFound(call.Id);
        call.Caller.RequireActFor([call.HerId]);
        if (!_edi.MarkFetched(message.Id, call.HerId, downloaded: false))
        {
            throw ApiException.BadRequest(1001, $"HER-id {call.HerId} is not a receiver of message {message.Id}.");
        }

        call.Context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }


    private static Message ToMessage(StoredMessage message, int receiverHerId) => new(
        message.Id, message.ContentType, receiverHerId, message.SenderHerId, message.BusinessDocumentId, message.BusinessDocumentGenDate, message.IsAppRec);

    /// <summary>201, the id as a JSON string ("…" with quotes), Location = where GET /Messages/{id} finds it.</summary>
    private static Task WriteCreatedAsync(ApiCall call, Guid id)
    {
        var request = call.Request;
        call.Context.Response.Headers.Location = $"{request.Scheme}://{request.Host}{request.PathBase}/Messages/{id}";
        return ApiJson.WriteAsync(call.Context, StatusCodes.Status201Created, id);
    }

    private sealed class PostMessageRequest
    {
        public string? BusinessDocument { get; set; }

        public string? ContentType { get; set; }

        public string? ContentTransferEncoding { get; set; }

        public JsonElement? EbXmlOverrides { get; set; }

        public int[]? ReceiverHerIdsSubset { get; set; }
    }

    private sealed class PostAppRecRequest
    {
        public JsonElement? AppRecStatus { get; set; }

        public List<AppRecErrorDto>? AppRecErrorList { get; set; }

        public JsonElement? EbXmlOverrides { get; set; }
    }

    private sealed record MessageSummary(Guid Id, int ReceiverHerId);

    private sealed record Message(
        Guid Id, string ContentType, int ReceiverHerId, int SenderHerId, string? BusinessDocumentId, string BusinessDocumentGenDate, bool IsAppRec);

    private sealed record StatusInfo(int ReceiverHerId, string TransportDeliveryState, string? AppRecStatus);

    private sealed record ApprecInfo(int ReceiverHerId, string? AppRecStatus, AppRecErrorDto[]? AppRecErrorList);
}
