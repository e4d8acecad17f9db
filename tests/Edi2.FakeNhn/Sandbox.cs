using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edi2.FakeNhn.Edi;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.FakeNhn;

/// <summary>
/// The local sandbox behind README's quick start: a client with a key made now (never stored in the repository),
/// two configured HER-ids and a few messages waiting, so every cmdlet can be tried without HelseID credentials.
/// </summary>
public static class Sandbox
{
    public const string ClientId = "edi2-sandbox";
    public const string OrgNumber = "999999999";
    public const int HerId = 8142519;
    public const int OtherHerId = 8142520;
    public const string KeyFileName = "sandbox-client.json";

    /// <summary>Writes the client key into <paramref name="folder"/>, seeds the server and returns the line to paste.</summary>
    public static string Prepare(FakeNhnServer server, string folder)
    {
        Directory.CreateDirectory(folder);
        string keyPath = Path.GetFullPath(Path.Combine(folder, KeyFileName));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: true);
        var publicJwk = new { kty = "EC", crv = "P-256", x = Base64UrlEncoder.Encode(p.Q.X), y = Base64UrlEncoder.Encode(p.Q.Y) };
        var privateJwk = new { publicJwk.kty, publicJwk.crv, publicJwk.x, publicJwk.y, d = Base64UrlEncoder.Encode(p.D), alg = "ES256", kid = "sandbox" };
        File.WriteAllText(keyPath, JsonSerializer.Serialize(privateJwk), new UTF8Encoding(false));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        if (!server.State.TryGetOrganization(OrgNumber, out _))
        {
            server.State.AddOrganization(new SeedOrganization { OrgNumber = OrgNumber, HerIds = [HerId, OtherHerId] });
        }
        server.State.AddClient(new SeedClient
        {
            ClientId = ClientId,
            OrgNumber = OrgNumber,
            PublicJwk = JsonSerializer.SerializeToElement(publicJwk),
            HeridClaim = "0",
            ClientName = "Edi2 sandbox",
            // The self-service scope too, so that Update-Edi2ClientKey can be tried against the fake's self-service endpoint.
            Scopes = ["nhn:msh/api", "nhn:selvbetjening/client"],
        });
        foreach (int herId in new[] { HerId, OtherHerId }) server.Edi.SetConfiguration(herId, ClientId, clientLocked: false);
        for (int i = 1; i <= 3; i++)
        {
            server.Edi.AddInboundMessage(FakeEdiState.ExternalSenderHerId, [HerId], Dialogmelding(i));
        }

        return $"Connect-Edi2 -ClientId {ClientId} -KeyPath '{keyPath}' -Authority {server.Issuer} -ApiBaseUri {server.Issuer}";
    }

    /// <summary>
    /// Registers a test token service API key made now (a sandbox secret, shown on purpose) and returns the line that
    /// connects through the fake test token service, as a user without a HelseID client would against NHN's test
    /// environment. Call after <see cref="Prepare"/>, which seeds the organisation and its HER-ids.
    /// </summary>
    public static string PrepareTestToken(FakeNhnServer server)
    {
        string apiKey = "sandbox-" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(18));
        server.TestTokens.AddApiKey(apiKey);
        return $"Connect-Edi2 -TestTokenApiKey (ConvertTo-SecureString '{apiKey}' -AsPlainText -Force) -TestTokenUri {server.Issuer} -ApiBaseUri {server.Issuer} -ParentOrganizationNumber {OrgNumber}";
    }

    private static byte[] Dialogmelding(int number) => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="UTF-8"?>
        <MsgHead xmlns="http://www.kith.no/xmlstds/msghead/2006-05-24">
          <MsgInfo>
            <Type V="DIALOG_HELSEFAGLIG" DN="Helsefaglig dialog" />
            <MIGversion>v1.2 2006-05-24</MIGversion>
            <GenDate>{DateTime.Now:yyyy-MM-ddTHH:mm:ss}</GenDate>
            <MsgId>{Guid.NewGuid()}</MsgId>
            <Sender><Organisation><OrganisationName>Meldingsvalidering (sandbox)</OrganisationName><Ident><Id>{FakeEdiState.ExternalSenderHerId}</Id><TypeId V="HER" S="2.16.578.1.12.4.1.1.9051" DN="HER-id" /></Ident></Organisation></Sender>
            <Receiver><Organisation><OrganisationName>Sandbox legekontor</OrganisationName><Ident><Id>{HerId}</Id><TypeId V="HER" S="2.16.578.1.12.4.1.1.9051" DN="HER-id" /></Ident></Organisation></Receiver>
          </MsgInfo>
          <Document><RefDoc><Content><Notat>Sandbox message {number}: hei fra sandkassen, æøå.</Notat></Content></RefDoc></Document>
        </MsgHead>
        """);
}
