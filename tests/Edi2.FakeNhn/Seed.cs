using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Edi2.FakeNhn;

/// <summary>
/// What the fake knows at start-up: organisations and HelseID clients. Read from camelCase JSON
/// (names matched case-insensitively), or built in code by tests.
/// </summary>
public sealed class FakeNhnSeed
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public List<SeedOrganization> Organizations { get; set; } = new();

    public List<SeedClient> Clients { get; set; } = new();

    /// <summary>API keys the fake test token service accepts in X-Auth-Key.</summary>
    public List<string> TestTokenApiKeys { get; set; } = new();

    public static FakeNhnSeed Load(string path) => Parse(File.ReadAllText(path));

    public static FakeNhnSeed Parse(string json) =>
        JsonSerializer.Deserialize<FakeNhnSeed>(json, JsonOptions)
        ?? throw new InvalidDataException("The seed JSON is empty (null).");
}

/// <summary>An organisation (hovedenhet or underenhet) and the HER-ids it owns.</summary>
public sealed class SeedOrganization
{
    public string OrgNumber { get; set; } = "";

    public int[] HerIds { get; set; } = [];

    /// <summary>For a child unit (underenhet): its parent organisation.</summary>
    public string? ParentOrgNumber { get; set; }
}

/// <summary>A HelseID client registration (machine-to-machine, private_key_jwt, DPoP).</summary>
public sealed class SeedClient
{
    public string ClientId { get; set; } = "";

    /// <summary>The organisation that owns the client (single-tenant) or the supplier (multi-tenant).</summary>
    public string OrgNumber { get; set; } = "";

    /// <summary>The registered public JWK (a JSON object). Registration is refused if it holds private members.</summary>
    public JsonElement PublicJwk { get; set; }

    /// <summary>Value of the "nhn:msh/client/claims/herid" claim, e.g. "0"; the claim is left out when null.</summary>
    public string? HeridClaim { get; set; }

    public string[] Scopes { get; set; } = ["nhn:msh/api"];

    public bool MultiTenant { get; set; }

    /// <summary>Multi-tenant: the parent organisations the client may act for.</summary>
    public string[] AllowedParentOrgNumbers { get; set; } = [];

    /// <summary>The child units (underenheter) the client may name.</summary>
    public string[] AllowedChildOrgNumbers { get; set; } = [];

    public string? ClientName { get; set; }
}
