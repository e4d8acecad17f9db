using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edi2.FakeNhn.Security;

namespace Edi2.FakeNhn.HelseId;

/// <summary>The organisation numbers a token is issued for, or the HID-10xx problem (answered as invalid_request).</summary>
internal sealed record OrganizationNumbers(string? Parent, string? Child, string? Problem)
{
    public static OrganizationNumbers Fail(string problem) => new(null, null, problem);
}

/// <summary>
/// Reads HelseID's "helseid_authorization" object from the client assertion's assertion_details claim
/// (spec §2.4) and checks the organisation numbers against what the client is allowed to name.
/// Error numbers follow HelseID: HID-1001 parent not allowed, HID-1002 child not allowed,
/// HID-1004 not nine digits, HID-1007 structure not as specified.
/// </summary>
internal static partial class AssertionDetailsValidator
{
    public const string ChildOrgSystem = "urn:oid:2.16.578.1.12.4.1.4.101";
    public const string MultiTenantSystem = "urn:oid:1.0.6523";

    [GeneratedRegex(@"^NO:ORGNR:(?<parent>\d{9})(?::(?<child>\d{9})?)?$")]
    private static partial Regex MultiTenantValue();

    public static OrganizationNumbers Validate(CompactJws assertion, RegisteredClient client)
    {
        if (!assertion.Payload.TryGetProperty("assertion_details", out var details))
        {
            if (assertion.Payload.TryGetProperty("authorization_details", out _))
            {
                return OrganizationNumbers.Fail(
                    "HID-1007: the client assertion carries the legacy claim 'authorization_details'; HelseID's client libraries send 'assertion_details'.");
            }

            return client.MultiTenant
                ? OrganizationNumbers.Fail(
                    "HID-1007: a multi-tenant client must name the parent organisation in the client assertion's assertion_details "
                    + $"(system '{MultiTenantSystem}', value 'NO:ORGNR:<parent>:<child>').")
                : new OrganizationNumbers(client.OrgNumber, null, null);
        }

        var items = details.ValueKind switch
        {
            JsonValueKind.Object => [details],
            JsonValueKind.Array => details.EnumerateArray().ToList(),
            _ => new List<JsonElement>(),
        };
        if (items.Count == 0 || items.Any(item => item.ValueKind != JsonValueKind.Object || CompactJws.GetString(item, "type") is null))
        {
            return OrganizationNumbers.Fail("HID-1007: assertion_details must be an object, or an array of objects, each with a 'type'.");
        }

        var authorizations = items.Where(item => CompactJws.GetString(item, "type") == "helseid_authorization").ToList();
        if (authorizations.Count > 1)
        {
            return OrganizationNumbers.Fail("HID-1007: assertion_details holds more than one 'helseid_authorization' object.");
        }

        if (authorizations.Count == 0)
        {
            return client.MultiTenant
                ? OrganizationNumbers.Fail("HID-1007: a multi-tenant client must send a 'helseid_authorization' object naming the parent organisation.")
                : new OrganizationNumbers(client.OrgNumber, null, null);
        }

        if (!TryGetIdentifier(authorizations[0], out var system, out var type, out var value))
        {
            return OrganizationNumbers.Fail(
                "HID-1007: 'helseid_authorization' must hold practitioner_role.organization.identifier with string 'system', 'type' and 'value'.");
        }

        if (type != "ENH")
        {
            return OrganizationNumbers.Fail($"HID-1007: identifier 'type' is '{type}'; it must be 'ENH'.");
        }

        return client.MultiTenant ? ValidateMultiTenant(client, system, value) : ValidateSingleTenant(client, system, value);
    }

    private static OrganizationNumbers ValidateSingleTenant(RegisteredClient client, string system, string value)
    {
        if (system != ChildOrgSystem)
        {
            return OrganizationNumbers.Fail(
                $"HID-1007: identifier 'system' is '{system}'; a single-tenant client names its child unit with '{ChildOrgSystem}'.");
        }

        if (!FakeNhnState.IsOrgNumber(value))
        {
            return OrganizationNumbers.Fail($"HID-1004: the child organisation number '{value}' is not nine digits.");
        }

        if (!client.AllowedChildOrgNumbers.Contains(value))
        {
            return OrganizationNumbers.Fail($"HID-1002: client '{client.ClientId}' may not name the child organisation '{value}'.");
        }

        return new OrganizationNumbers(client.OrgNumber, value, null);
    }

    private static OrganizationNumbers ValidateMultiTenant(RegisteredClient client, string system, string value)
    {
        if (system != MultiTenantSystem)
        {
            return OrganizationNumbers.Fail(
                $"HID-1007: identifier 'system' is '{system}'; a multi-tenant client names organisations with '{MultiTenantSystem}'.");
        }

        if (!value.StartsWith("NO:ORGNR:", System.StringComparison.Ordinal))
        {
            return OrganizationNumbers.Fail($"HID-1007: identifier 'value' is '{value}'; it must look like 'NO:ORGNR:<parent>:<child>'.");
        }

        var match = MultiTenantValue().Match(value);
        if (!match.Success)
        {
            return OrganizationNumbers.Fail($"HID-1004: the organisation numbers in '{value}' are not nine digits each.");
        }

        var parent = match.Groups["parent"].Value;
        var child = match.Groups["child"].Success ? match.Groups["child"].Value : null;
        if (!client.AllowedParentOrgNumbers.Contains(parent))
        {
            return OrganizationNumbers.Fail($"HID-1001: client '{client.ClientId}' may not act for the parent organisation '{parent}'.");
        }

        if (child is not null && !client.AllowedChildOrgNumbers.Contains(child))
        {
            return OrganizationNumbers.Fail($"HID-1002: client '{client.ClientId}' may not name the child organisation '{child}'.");
        }

        return new OrganizationNumbers(parent, child, null);
    }

    private static bool TryGetIdentifier(JsonElement authorization, out string system, out string type, out string value)
    {
        system = type = value = "";
        if (!authorization.TryGetProperty("practitioner_role", out var role) || role.ValueKind != JsonValueKind.Object
            || !role.TryGetProperty("organization", out var organization) || organization.ValueKind != JsonValueKind.Object
            || !organization.TryGetProperty("identifier", out var identifier) || identifier.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var s = CompactJws.GetString(identifier, "system");
        var t = CompactJws.GetString(identifier, "type");
        var v = CompactJws.GetString(identifier, "value");
        if (s is null || t is null || v is null)
        {
            return false;
        }

        (system, type, value) = (s, t, v);
        return true;
    }
}
