using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// Who an authenticated call may act for, and the checks built on that. The rule (NHN, "HelseID" page):
/// a HER-id is reachable when its organisation is the token's orgnr_parent or a sub-unit of it. v2 also
/// narrows that by the token's herid claim; v3 instead needs an MSH configuration per HER-id, which may
/// lock the HER-id to one client.
/// </summary>
internal sealed class ApiCaller
{
    private readonly IReadOnlySet<int> _actable;
    private readonly FakeEdiState _edi;

    public ApiCaller(ApiToken token, int version, FakeNhnState nhn, FakeEdiState edi)
    {
        Token = token;
        Version = version;
        _edi = edi;
        _actable = ActableHerIds(token, version, nhn);
    }

    public ApiToken Token { get; }

    public string ClientId => Token.ClientId;

    /// <summary>2 or 3.</summary>
    public int Version { get; }

    public bool MayActFor(int herId) => _actable.Contains(herId);

    /// <summary>403 (v3 1202; v2 "Not authorized for HerId(s): ...") unless the caller may act for every HER-id.</summary>
    public void RequireActFor(IEnumerable<int> herIds)
    {
        var refused = herIds.Where(h => !MayActFor(h)).Distinct().ToArray();
        if (refused.Length > 0)
        {
            throw ApiException.NotAuthorizedForHerIds(refused);
        }
    }

    /// <summary>v3: acting for a HER-id needs its MSH configuration (403 1202 without one).</summary>
    public void RequireConfigured(IEnumerable<int> herIds)
    {
        var missing = herIds.Where(h => _edi.GetConfiguration(h) is null).Distinct().ToArray();
        if (missing.Length > 0)
        {
            throw ApiException.NotConfigured(missing);
        }
    }

    /// <summary>v3: a HER-id locked by another client answers 423 (1210) to sending, downloaded, AppRec and configuration changes.</summary>
    public void RequireNotLockedByOthers(IEnumerable<int> herIds)
    {
        foreach (var herId in herIds)
        {
            if (_edi.GetConfiguration(herId) is { ClientLocked: true } configuration && configuration.ClientId != ClientId)
            {
                throw ApiException.Locked(herId);
            }
        }
    }

    /// <summary>All three v3 checks for acting for HER-ids: authorized (403), configured (403), not locked by another client (423).</summary>
    public void RequireV3Ownership(params int[] herIds)
    {
        RequireActFor(herIds);
        RequireConfigured(herIds);
        RequireNotLockedByOthers(herIds);
    }

    /// <summary>The message the call names, when the caller may read it: 404 when there is none, else <see cref="RequireMessageAccess"/>.</summary>
    public StoredMessage ReadableMessage(Guid id)
    {
        var message = _edi.GetMessage(id) ?? throw ApiException.MessageNotFound(id);
        RequireMessageAccess(message);
        return message;
    }

    /// <summary>Reading a message needs the caller to act for its sender or one of its receivers (else 403, v3 1201).</summary>
    private void RequireMessageAccess(StoredMessage message)
    {
        if (!MayActFor(message.SenderHerId) && !message.ReceiverHerIds.Any(MayActFor))
        {
            throw ApiException.NotAuthorizedForMessage(message.Id, message.ReceiverHerIds.Prepend(message.SenderHerId).Distinct());
        }
    }

    private static IReadOnlySet<int> ActableHerIds(ApiToken token, int version, FakeNhnState nhn)
    {
        if (token.OrgNumberParent is not { } parent)
        {
            return new HashSet<int>();
        }

        var fromOrganisations = nhn.OrganizationsSnapshot()
            .Where(o => o.OrgNumber == parent || o.ParentOrgNumber == parent)
            .SelectMany(o => o.HerIds)
            .ToHashSet();

        // v2's herid claim: "0" keeps all, "a-b-c" keeps those; an unreadable claim keeps none.
        if (version == 2 && token.HeridClaim is { } claim && claim != "0")
        {
            var listed = new HashSet<int>();
            foreach (var part in claim.Split('-'))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var herId))
                {
                    return new HashSet<int>();
                }

                listed.Add(herId);
            }

            fromOrganisations.IntersectWith(listed);
        }

        return fromOrganisations;
    }
}
