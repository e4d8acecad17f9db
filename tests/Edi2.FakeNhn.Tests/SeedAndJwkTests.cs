using System;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Edi2.FakeNhn.Security;
using Xunit;

namespace Edi2.FakeNhn.Tests;

public sealed class SeedAndJwkTests
{
    [Fact]
    public void Thumbprint_of_the_RFC_7638_example_RSA_key()
    {
        const string jwk = """
            {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
            """;

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", Jwk.ComputeThumbprint(jwk));
    }

    [Fact]
    public void Thumbprint_of_the_RFC_9449_figure_4_EC_key()
    {
        const string jwk = """
            {"kty":"EC","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","crv":"P-256"}
            """;

        Assert.Equal("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", Jwk.ComputeThumbprint(jwk));
    }

    [Fact]
    public void Thumbprint_agrees_with_Microsoft_IdentityModel_for_generated_keys()
    {
        foreach (var key in new[] { TestKeys.ClientRsa, TestKeys.ProofEc, TestKey.Ec("ES512") })
        {
            Assert.Equal(key.Thumbprint, Jwk.ComputeThumbprint(key.PublicJwkJson));
        }
    }

    [Fact]
    public void Private_members_are_detected()
    {
        Assert.False(Jwk.HasPrivateMembers(TestKeys.ClientRsa.PublicJwk));
        Assert.True(Jwk.HasPrivateMembers(JsonSerializer.Deserialize<JsonElement>(TestKeys.ClientRsa.PrivateJwkJson())));
        Assert.True(Jwk.HasPrivateMembers(JsonSerializer.Deserialize<JsonElement>(TestKeys.ProofEc.PrivateJwkJson())));
        Assert.True(Jwk.HasPrivateMembers(JsonSerializer.Deserialize<JsonElement>("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}")));
    }

    [Fact]
    public async Task Seed_file_is_camelCase_read_case_insensitively()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fake-nhn-seed-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "organizations": [ { "orgNumber": "999999999", "herIds": [8142519, 8142520], "parentOrgNumber": null },
                                 { "OrgNumber": "888888888", "HerIds": [1], "ParentOrgNumber": "999999999" } ],
              "clients": [ { "clientId": "c1", "orgNumber": "999999999", "publicJwk": {{TestKeys.ClientRsa.PublicJwkJson}},
                             "heridClaim": "0", "multiTenant": false, "allowedChildOrgNumbers": ["888888888"] } ]
            }
            """);
        try
        {
            var seed = FakeNhnSeed.Load(path);
            await using var server = await FakeNhnServer.StartAsync(seed: seed);

            Assert.True(server.State.TryGetOrganization("888888888", out var child));
            Assert.Equal("999999999", child.ParentOrgNumber);
            Assert.True(server.State.TryGetClient("c1", out var client));
            Assert.Equal("0", client.HeridClaim);
            Assert.Equal(["nhn:msh/api"], client.Scopes);
            Assert.Equal(["888888888"], client.AllowedChildOrgNumbers);
            Assert.Equal(TestKeys.ClientRsa.Thumbprint, Jwk.ComputeThumbprint(client.PublicJwk));

            using var caller = new HelseIdCaller(server, clientId: "c1");
            Assert.Equal(System.Net.HttpStatusCode.OK, (await caller.GetTokenAsync()).Status);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_private_key_is_refused_at_seed_time()
    {
        var leaky = HelseIdCaller.Seed(c => c.PublicJwk = JsonSerializer.Deserialize<JsonElement>(TestKeys.ClientRsa.PrivateJwkJson()));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => FakeNhnServer.StartAsync(seed: leaky));
        Assert.Contains("private", error.Message);

        await using var server = await FakeNhnServer.StartAsync(seed: HelseIdCaller.Seed());
        Assert.Throws<ArgumentException>(() => server.State.AddClientKey(HelseIdCaller.ClientId, TestKeys.ProofEc.PrivateJwkJson()));
        Assert.Throws<ArgumentException>(() => server.State.AddClient(new SeedClient
        {
            ClientId = "c2",
            OrgNumber = "999999999",
            PublicJwk = JsonSerializer.Deserialize<JsonElement>(TestKeys.ProofEc.PrivateJwkJson()),
        }));
        Assert.Throws<ArgumentException>(() => server.State.AddClient(new SeedClient { ClientId = "c3", OrgNumber = "12345" }));
        Assert.Throws<ArgumentException>(() => server.State.AddClient(new SeedClient { ClientId = HelseIdCaller.ClientId, OrgNumber = "999999999" }));
    }

    [Fact]
    public async Task Clients_can_be_added_while_the_server_runs()
    {
        await using var server = await FakeNhnServer.StartAsync();
        server.State.AddOrganization(new SeedOrganization { OrgNumber = "999999999", HerIds = [1] });
        server.State.AddClient(new SeedClient { ClientId = "late", OrgNumber = "999999999", PublicJwk = TestKeys.ClientRsa.PublicJwk });
        using var caller = new HelseIdCaller(server, clientId: "late");

        Assert.Equal(System.Net.HttpStatusCode.OK, (await caller.GetTokenAsync()).Status);
    }
}
