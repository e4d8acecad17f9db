using Edi2.FakeNhn;
using Edi2.HelseId;

namespace Edi2.Client.Tests.Api;

/// <summary>README's quick start, through the engine: the sandbox key connects and the seeded messages are there.</summary>
public class SandboxTests
{
    [Fact]
    public async Task The_sandbox_connect_line_works_and_has_messages_waiting()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string folder = Directory.CreateTempSubdirectory("edi2-sandbox-").FullName;
        try
        {
            string line = Sandbox.Prepare(nhn, folder);
            string keyPath = Path.Combine(folder, Sandbox.KeyFileName);
            Assert.Equal($"Connect-Edi2 -ClientId edi2-sandbox -KeyPath '{keyPath}' -Authority {nhn.Issuer} -ApiBaseUri {nhn.Issuer}", line);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));

            var options = new Edi2ConnectionOptions { ClientId = Sandbox.ClientId, Authority = new Uri(nhn.Issuer), ApiBaseUri = nhn.BaseUri };
            using var session = await Edi2Session.ConnectAsync(options, SigningKey.FromFile(keyPath));
            var notifications = new List<Model.Edi2Notification>();
            await foreach (var n in session.Api.GetAllNotificationsAsync([Sandbox.HerId], 0)) notifications.Add(n);

            Assert.Equal(3, notifications.Count);
            using var document = new MemoryStream();
            await session.Api.DownloadBusinessDocumentAsync(notifications[0].RelatedMessageId!.Value, document);
            Assert.Contains("hei fra sandkassen", System.Text.Encoding.UTF8.GetString(document.ToArray()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_sandbox_client_can_try_key_rotation_against_the_fakes_self_service()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string folder = Directory.CreateTempSubdirectory("edi2-sandbox-").FullName;
        try
        {
            Sandbox.Prepare(nhn, folder);
            string keyPath = Path.Combine(folder, Sandbox.KeyFileName);
            using var rotation = new Edi2.Workflows.ClientKeyRotation(new Edi2.Workflows.ClientKeyRotationOptions
            {
                ClientId = Sandbox.ClientId, Authority = new Uri(nhn.Issuer), SelfServiceUri = nhn.BaseUri, Algorithm = "ES256",
            });

            var result = await rotation.RotateAsync(new Edi2.Workflows.KeyFileStore(keyPath));

            var options = new Edi2ConnectionOptions { ClientId = Sandbox.ClientId, Authority = new Uri(nhn.Issuer), ApiBaseUri = nhn.BaseUri };
            using var session = await Edi2Session.ConnectAsync(options, SigningKey.FromFile(keyPath));
            Assert.Equal(result.Thumbprint, session.ClientKeyThumbprint);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_sandbox_test_token_line_works_without_a_client_key()
    {
        await using var nhn = await FakeNhnServer.StartAsync();
        string folder = Directory.CreateTempSubdirectory("edi2-sandbox-").FullName;
        try
        {
            Sandbox.Prepare(nhn, folder);
            string line = Sandbox.PrepareTestToken(nhn);
            var match = System.Text.RegularExpressions.Regex.Match(line,
                @"^Connect-Edi2 -TestTokenApiKey \(ConvertTo-SecureString '(?<key>sandbox-[A-Za-z0-9_-]+)' -AsPlainText -Force\) -TestTokenUri (?<uri>\S+) -ApiBaseUri (?<api>\S+) -ParentOrganizationNumber 999999999$");
            Assert.True(match.Success, line);
            Assert.Equal(nhn.Issuer, match.Groups["uri"].Value);

            var apiKey = new System.Security.SecureString();
            foreach (char c in match.Groups["key"].Value) apiKey.AppendChar(c);
            var options = new Edi2ConnectionOptions { ApiBaseUri = new Uri(match.Groups["api"].Value), ParentOrganizationNumber = Sandbox.OrgNumber };
            using var session = await Edi2Session.ConnectWithTestTokenAsync(options, new Edi2TestTokenOptions(apiKey) { Uri = new Uri(match.Groups["uri"].Value) });
            var notifications = new List<Model.Edi2Notification>();
            await foreach (var n in session.Api.GetAllNotificationsAsync([Sandbox.HerId], 0)) notifications.Add(n);
            Assert.Equal(3, notifications.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
