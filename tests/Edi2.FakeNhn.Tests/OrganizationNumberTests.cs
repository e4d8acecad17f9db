using System.Collections.Generic;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace Edi2.FakeNhn.Tests;

/// <summary>assertion_details: single-tenant child units and multi-tenant parent/child (spec §2.4).</summary>
public sealed class OrganizationNumberTests
{
    private const string Parent = "111111111";
    private const string OtherParent = "222222222";
    private const string Child = "333333333";
    private const string OtherChild = "444444444";

    [Fact]
    public async Task Multi_tenant_client_acting_for_an_allowed_parent_and_child()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: MultiTenantSeed());
        using var caller = new HelseIdCaller(server);

        var answer = await caller.GetTokenAsync(editAssertion: Details(MultiTenant($"NO:ORGNR:{Parent}:{Child}")));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var payload = TokenEndpointHappyPathTests.PayloadOf(new JsonWebToken(answer.AccessToken));
        Assert.Equal(Parent, payload.GetProperty("helseid://claims/client/claims/orgnr_parent").GetString());
        Assert.Equal(Child, payload.GetProperty("helseid://claims/client/claims/orgnr_child").GetString());
        Assert.Equal(HelseIdCaller.OrgNumber, payload.GetProperty("helseid://claims/client/claims/orgnr_supplier").GetString());
        Assert.Equal("multi-tenant", payload.GetProperty("helseid://claims/client/client_tenancy").GetString());
    }

    [Theory]
    [InlineData("NO:ORGNR:111111111:")] // what HelseID's .NET library sends without a child
    [InlineData("NO:ORGNR:111111111")]  // what the Java and KS libraries send
    public async Task Multi_tenant_parent_without_child_in_both_spellings(string value)
    {
        await using var server = await FakeNhnServer.StartAsync(seed: MultiTenantSeed());
        using var caller = new HelseIdCaller(server);

        var answer = await caller.GetTokenAsync(editAssertion: Details(MultiTenant(value)));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var payload = TokenEndpointHappyPathTests.PayloadOf(new JsonWebToken(answer.AccessToken));
        Assert.Equal(Parent, payload.GetProperty("helseid://claims/client/claims/orgnr_parent").GetString());
        Assert.False(payload.TryGetProperty("helseid://claims/client/claims/orgnr_child", out _));
    }

    [Theory]
    [InlineData("NO:ORGNR:222222222:", "HID-1001")]
    [InlineData("NO:ORGNR:111111111:444444444", "HID-1002")]
    [InlineData("NO:ORGNR:12345", "HID-1004")]
    [InlineData("ORGNR:111111111", "HID-1007")]
    public async Task Multi_tenant_organisation_numbers_not_allowed_or_malformed(string value, string code)
    {
        await using var server = await FakeNhnServer.StartAsync(seed: MultiTenantSeed());
        using var caller = new HelseIdCaller(server);

        var answer = await caller.GetTokenAsync(editAssertion: Details(MultiTenant(value)));

        AssertHid(answer, code);
    }

    [Fact]
    public async Task Multi_tenant_client_must_name_a_parent()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: MultiTenantSeed());
        using var caller = new HelseIdCaller(server);

        AssertHid(await caller.GetTokenAsync(), "HID-1007");
    }

    [Fact]
    public async Task Single_tenant_child_unit_in_an_array_with_other_details()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed(c => c.AllowedChildOrgNumbers = [Child]));
        using var caller = new HelseIdCaller(server);
        var details = JsonSerializer.Deserialize<JsonElement>(
            $"[{SingleTenantJson(Child)},{{\"type\":\"nhn:sfm:journal-id\",\"value\":{{\"journal_id\":\"j1\"}}}}]");

        var answer = await caller.GetTokenAsync(editAssertion: c => c["assertion_details"] = details);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var payload = TokenEndpointHappyPathTests.PayloadOf(new JsonWebToken(answer.AccessToken));
        Assert.Equal(HelseIdCaller.OrgNumber, payload.GetProperty("helseid://claims/client/claims/orgnr_parent").GetString());
        Assert.Equal(Child, payload.GetProperty("helseid://claims/client/claims/orgnr_child").GetString());
    }

    [Fact]
    public async Task Single_tenant_child_checks()
    {
        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed(c => c.AllowedChildOrgNumbers = [Child]));
        using var caller = new HelseIdCaller(server);

        AssertHid(await caller.GetTokenAsync(editAssertion: Details(SingleTenantJson(OtherChild))), "HID-1002");
        AssertHid(await caller.GetTokenAsync(editAssertion: Details(SingleTenantJson("12345678"))), "HID-1004");
        // The OID the old samples used, corrected by NHN (Tillitsrammeverk issue #19).
        AssertHid(await caller.GetTokenAsync(editAssertion: Details(SingleTenantJson(Child, "urn:oid:2.16.578.1.12.4.1.2.101"))), "HID-1007");
        AssertHid(await caller.GetTokenAsync(editAssertion: Details("{\"type\":\"helseid_authorization\"}")), "HID-1007");
        AssertHid(await caller.GetTokenAsync(editAssertion: c => c["authorization_details"] = JsonSerializer.Deserialize<JsonElement>(SingleTenantJson(Child))), "HID-1007");
    }

    private static FakeNhnSeed MultiTenantSeed() => HelseIdCaller.Seed(c =>
    {
        c.MultiTenant = true;
        c.AllowedParentOrgNumbers = [Parent];
        c.AllowedChildOrgNumbers = [Child];
    });

    private static string MultiTenant(string value) =>
        $"{{\"type\":\"helseid_authorization\",\"practitioner_role\":{{\"organization\":{{\"identifier\":{{\"system\":\"urn:oid:1.0.6523\",\"type\":\"ENH\",\"value\":\"{value}\"}}}}}}}}";

    private static string SingleTenantJson(string child, string system = "urn:oid:2.16.578.1.12.4.1.4.101") =>
        $"{{\"type\":\"helseid_authorization\",\"practitioner_role\":{{\"organization\":{{\"identifier\":{{\"system\":\"{system}\",\"type\":\"ENH\",\"value\":\"{child}\"}}}}}}}}";

    private static System.Action<Dictionary<string, object>> Details(string json) =>
        claims => claims["assertion_details"] = JsonSerializer.Deserialize<JsonElement>(json);

    private static void AssertHid(TokenAnswer answer, string code)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("invalid_request", answer.Error);
        Assert.StartsWith(code + ":", answer.Description);
    }
}
