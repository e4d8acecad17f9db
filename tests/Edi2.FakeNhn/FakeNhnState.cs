using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Text.Json;
using Edi2.FakeNhn.Security;

namespace Edi2.FakeNhn;

/// <summary>
/// Everything the fake knows about organisations and clients. Thread-safe; tests may seed it while the
/// server runs. Inputs are validated and copied on the way in, so a caller changing its objects later
/// cannot change what the server sees.
/// </summary>
public sealed class FakeNhnState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SeedOrganization> _organizations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegisteredClient> _clients = new(StringComparer.Ordinal);

    internal FakeNhnState(FakeNhnSeed? seed)
    {
        if (seed is null)
        {
            return;
        }

        foreach (var organization in seed.Organizations)
        {
            AddOrganization(organization);
        }

        foreach (var client in seed.Clients)
        {
            AddClient(client);
        }
    }

    /// <summary>Adds an organisation, or replaces the one with the same number.</summary>
    public void AddOrganization(SeedOrganization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        RequireOrgNumber(organization.OrgNumber, "OrgNumber");
        if (organization.ParentOrgNumber is not null)
        {
            RequireOrgNumber(organization.ParentOrgNumber, "ParentOrgNumber");
        }

        var copy = new SeedOrganization
        {
            OrgNumber = organization.OrgNumber,
            HerIds = organization.HerIds.ToArray(),
            ParentOrgNumber = organization.ParentOrgNumber,
        };
        lock (_gate)
        {
            _organizations[copy.OrgNumber] = copy;
        }
    }

    /// <summary>Copies of all organisations (the fake EDI API derives HER-id ownership from them).</summary>
    internal IReadOnlyList<SeedOrganization> OrganizationsSnapshot()
    {
        lock (_gate)
        {
            return _organizations.Values
                .Select(o => new SeedOrganization { OrgNumber = o.OrgNumber, HerIds = o.HerIds.ToArray(), ParentOrgNumber = o.ParentOrgNumber })
                .ToArray();
        }
    }

    public bool TryGetOrganization(string orgNumber, [NotNullWhen(true)] out SeedOrganization? organization)
    {
        lock (_gate)
        {
            if (_organizations.TryGetValue(orgNumber, out var stored))
            {
                organization = new SeedOrganization { OrgNumber = stored.OrgNumber, HerIds = stored.HerIds.ToArray(), ParentOrgNumber = stored.ParentOrgNumber };
                return true;
            }
        }

        organization = null;
        return false;
    }

    /// <summary>
    /// Registers a client. Its PublicJwk (if given) becomes its first key. Throws if the client id is taken,
    /// or if the JWK is not a usable public RSA/EC key (in particular if it holds private members).
    /// </summary>
    public void AddClient(SeedClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (string.IsNullOrWhiteSpace(client.ClientId))
        {
            throw new ArgumentException("A client needs a ClientId.", nameof(client));
        }

        RequireOrgNumber(client.OrgNumber, $"OrgNumber of client '{client.ClientId}'");
        foreach (var org in client.AllowedParentOrgNumbers.Concat(client.AllowedChildOrgNumbers))
        {
            RequireOrgNumber(org, $"an allowed organisation number of client '{client.ClientId}'");
        }

        if (client.Scopes.Length == 0 || client.Scopes.Any(scope => string.IsNullOrWhiteSpace(scope) || scope.Contains(' ')))
        {
            throw new ArgumentException($"Client '{client.ClientId}' needs one or more scopes without spaces.", nameof(client));
        }

        var keys = new List<RegisteredKey>();
        if (client.PublicJwk.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            keys.Add(ReadKey(client.ClientId, client.PublicJwk));
        }

        var registered = new RegisteredClient(
            client.ClientId,
            client.OrgNumber,
            client.HeridClaim,
            client.Scopes.Distinct(StringComparer.Ordinal).ToArray(),
            client.MultiTenant,
            client.AllowedParentOrgNumbers.ToArray(),
            client.AllowedChildOrgNumbers.ToArray(),
            client.ClientName,
            keys);
        lock (_gate)
        {
            if (!_clients.TryAdd(client.ClientId, registered))
            {
                throw new ArgumentException($"Client '{client.ClientId}' is already registered.", nameof(client));
            }
        }
    }

    public bool RemoveClient(string clientId)
    {
        lock (_gate)
        {
            return _clients.Remove(clientId);
        }
    }

    /// <summary>Adds another public key to a client (key rotation: old and new keys are both valid for a while).</summary>
    public void AddClientKey(string clientId, string publicJwkJson)
    {
        ArgumentNullException.ThrowIfNull(publicJwkJson);
        var jwk = JsonSerializer.Deserialize<JsonElement>(publicJwkJson);
        var key = ReadKey(clientId, jwk);
        lock (_gate)
        {
            if (!_clients.TryGetValue(clientId, out var client))
            {
                throw new ArgumentException($"Unknown client '{clientId}'.", nameof(clientId));
            }

            _clients[clientId] = client with { Keys = client.Keys.Append(key).ToArray() };
        }
    }

    /// <summary>Makes the given public key the client's only key (self-service rotation without overlap).</summary>
    public void ReplaceClientKeys(string clientId, string publicJwkJson)
    {
        ArgumentNullException.ThrowIfNull(publicJwkJson);
        var key = ReadKey(clientId, JsonSerializer.Deserialize<JsonElement>(publicJwkJson));
        lock (_gate)
        {
            if (!_clients.TryGetValue(clientId, out var client))
            {
                throw new ArgumentException($"Unknown client '{clientId}'.", nameof(clientId));
            }

            _clients[clientId] = client with { Keys = [key] };
        }
    }

    /// <summary>Removes the client's keys whose kid or RFC 7638 thumbprint is the given value (end of a key rotation).</summary>
    public bool RemoveClientKey(string clientId, string kidOrThumbprint)
    {
        lock (_gate)
        {
            if (!_clients.TryGetValue(clientId, out var client))
            {
                return false;
            }

            var kept = client.Keys.Where(k => k.Key.Kid != kidOrThumbprint && k.Key.Thumbprint != kidOrThumbprint).ToArray();
            _clients[clientId] = client with { Keys = kept };
            return kept.Length != client.Keys.Count;
        }
    }

    /// <summary>A copy of the client's registration; PublicJwk is its first key (see <see cref="GetClientKeys"/> for all).</summary>
    public bool TryGetClient(string clientId, [NotNullWhen(true)] out SeedClient? client)
    {
        if (TryGetRegisteredClient(clientId, out var registered))
        {
            client = new SeedClient
            {
                ClientId = registered.ClientId,
                OrgNumber = registered.OrgNumber,
                PublicJwk = registered.Keys.Count > 0 ? registered.Keys[0].Jwk : default,
                HeridClaim = registered.HeridClaim,
                Scopes = registered.Scopes.ToArray(),
                MultiTenant = registered.MultiTenant,
                AllowedParentOrgNumbers = registered.AllowedParentOrgNumbers.ToArray(),
                AllowedChildOrgNumbers = registered.AllowedChildOrgNumbers.ToArray(),
                ClientName = registered.ClientName,
            };
            return true;
        }

        client = null;
        return false;
    }

    /// <summary>The client's registered public keys as JWK JSON.</summary>
    public IReadOnlyList<string> GetClientKeys(string clientId) =>
        TryGetRegisteredClient(clientId, out var client) ? client.Keys.Select(k => k.Jwk.GetRawText()).ToArray() : [];

    internal bool TryGetRegisteredClient(string clientId, [NotNullWhen(true)] out RegisteredClient? client)
    {
        lock (_gate)
        {
            return _clients.TryGetValue(clientId, out client);
        }
    }

    private static RegisteredKey ReadKey(string clientId, JsonElement jwk)
    {
        if (Jwk.HasPrivateMembers(jwk))
        {
            throw new ArgumentException(
                $"The JWK for client '{clientId}' contains private key members ({string.Join(", ", Jwk.PrivateMembers)}); register the public key only.");
        }

        if (!Jwk.TryReadPublicKey(jwk, out var key, out var problem))
        {
            throw new ArgumentException($"The JWK for client '{clientId}' is not usable: {problem}.");
        }

        return new RegisteredKey(jwk.Clone(), key);
    }

    private static void RequireOrgNumber(string? value, string what)
    {
        if (!IsOrgNumber(value))
        {
            throw new ArgumentException($"{what} must be a 9-digit organisation number (got '{value}').");
        }
    }

    internal static bool IsOrgNumber(string? value) => value is { Length: 9 } && value.All(char.IsAsciiDigit);
}

/// <summary>A registered client as the token endpoint sees it. Immutable; changes replace the whole record.</summary>
internal sealed record RegisteredClient(
    string ClientId,
    string OrgNumber,
    string? HeridClaim,
    IReadOnlyList<string> Scopes,
    bool MultiTenant,
    IReadOnlyList<string> AllowedParentOrgNumbers,
    IReadOnlyList<string> AllowedChildOrgNumbers,
    string? ClientName,
    IReadOnlyList<RegisteredKey> Keys);

internal sealed record RegisteredKey(JsonElement Jwk, JwkPublicKey Key);
