using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Edi2.Api;
using Edi2.FakeNhn;
using Edi2.FakeNhn.Edi;
using Edi2.HelseId;
using Edi2.Workflows;

namespace Edi2.Client.Tests.Workflows;

/// <summary>
/// Update-Edi2ClientKey's engine against the fake HelseID and self-service over loopback: the file changes only after
/// the server's yes, refusals leave it untouched, and a crash at each point is finished or rolled back by the next run.
/// </summary>
public sealed class ClientKeyRotationTests : IAsyncLifetime
{
    private const string ClientId = "rotating-client";
    private const string Org = "999999999";

    private readonly TempFolder _folder = new();
    private FakeNhnServer _nhn = null!;

    public async Task InitializeAsync()
    {
        _nhn = await FakeNhnServer.StartAsync();
        _nhn.State.AddOrganization(new SeedOrganization { OrgNumber = Org, HerIds = [8142519] });
    }

    public async Task DisposeAsync()
    {
        await _nhn.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>A client with a new ES256 key in a JWK file (or PEM), registered with the fake.</summary>
    private string NewClient(string clientId = ClientId, bool pem = false, bool selfServiceScope = true)
    {
        using var key = SigningKey.Generate("ES256");
        _nhn.State.AddClient(new SeedClient
        {
            ClientId = clientId, OrgNumber = Org, PublicJwk = TestJwks.Json(key.ExportPublicJwk()),
            Scopes = selfServiceScope ? ["nhn:msh/api", ClientKeyRotation.SelfServiceScope] : ["nhn:msh/api"],
        });
        string path = _folder.Combine(clientId + (pem ? ".pem" : ".json"));
        string text = pem ? PemOf(key) : key.ExportPrivateJwk();
        KeyFile.WritePrivate(path, text, overwrite: false);
        return path;
    }

    /// <summary>PKCS#8 PEM made by .NET itself, not by the engine's writer.</summary>
    private static string PemOf(SigningKey key)
    {
        var jwk = TestJwks.Json(key.ExportPrivateJwk());
        using var ec = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(jwk.GetProperty("d").GetString()),
            Q = new ECPoint
            {
                X = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(jwk.GetProperty("x").GetString()),
                Y = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(jwk.GetProperty("y").GetString()),
            },
        });
        return ec.ExportPkcs8PrivateKeyPem();
    }

    private ClientKeyRotation Rotation(string algorithm = "ES256", Uri? selfService = null, Uri? authority = null, string clientId = ClientId) =>
        new(new ClientKeyRotationOptions
        {
            ClientId = clientId,
            Authority = authority ?? new Uri(_nhn.Issuer),
            SelfServiceUri = selfService ?? _nhn.BaseUri,
            Algorithm = algorithm,
            TokenRequestTimeout = TimeSpan.FromSeconds(10),
            Retry = new RetryPolicy { RequestTimeout = TimeSpan.FromSeconds(10) },
        });

    /// <summary>Whether the fake HelseID gives a token for this key file's key (the proof that it is registered).</summary>
    private async Task<bool> GetsTokenAsync(string keyText, string clientId = ClientId)
    {
        using var http = new HttpClient();
        using var tokens = new HelseIdTokenProvider(new HelseIdClientSettings(new Uri(_nhn.Issuer), clientId), SigningKey.FromText(keyText), DPoPKeyMode.Ephemeral, http);
        try
        {
            await tokens.GetTokenAsync();
            return true;
        }
        catch (Edi2AuthenticationException e) when (e.AuthenticationReason == AuthenticationErrorReason.InvalidClient)
        {
            return false;
        }
    }

    private static string Thumbprint(string keyText)
    {
        using var key = SigningKey.FromText(keyText);
        return key.Thumbprint;
    }


    private static void AssertOwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_rotation_registers_the_new_key_then_replaces_the_file_and_keeps_the_old_as_an_owner_only_backup()
    {
        string path = NewClient();
        string old = File.ReadAllText(path);
        using var rotation = Rotation();

        var result = await rotation.RotateAsync(new KeyFileStore(path));

        string now = File.ReadAllText(path);
        Assert.Equal(result.Thumbprint, Thumbprint(now));
        Assert.Equal(Thumbprint(old), result.PreviousThumbprint);
        Assert.NotEqual(result.PreviousThumbprint, result.Thumbprint);
        Assert.Matches("^[0-9a-f]{32}$", result.KeyId);
        Assert.Equal(path, result.Path);
        Assert.Equal(old, File.ReadAllText(result.BackupPath));
        Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(result.BackupPath));
        Assert.Matches(@"\.\d{8}-\d{6}\.bak$", result.BackupPath);
        AssertOwnerOnly(path);
        AssertOwnerOnly(result.BackupPath);
        Assert.False(File.Exists(path + KeyFileStore.PendingSuffix));
        Assert.NotNull(result.Expiration);
        Assert.InRange(result.Expiration!.Value, DateTimeOffset.UtcNow.AddDays(364), DateTimeOffset.UtcNow.AddDays(366));

        // The fake registered exactly the new public key; the new key gets tokens and the old (fake rule: replaced) does not.
        Assert.Equal([result.Thumbprint], _nhn.State.GetClientKeys(ClientId).Select(FakeNhn.Security.Jwk.ComputeThumbprint));
        Assert.True(await GetsTokenAsync(now));
        Assert.False(await GetsTokenAsync(old));

        // Authenticated like the API: a DPoP token (scope nhn:selvbetjening/client) and a proof for this POST.
        var post = _nhn.Requests.Snapshot().Single(r => r.Path == "/v1/client-secret");
        Assert.Equal(200, post.StatusCode);
        Assert.Equal("POST", post.ProofHtm);
        Assert.Equal(rotation.ClientSecretEndpoint.AbsoluteUri, post.ProofHtu);
        Assert.Equal(ClientId, post.ClientId);
    }

    [Fact]
    public async Task A_redirect_from_self_service_is_not_followed_with_the_token_and_the_file_is_untouched()
    {
        string path = NewClient();
        string old = File.ReadAllText(path);
        await using var capture = new LoopbackHttpServer();
        await using var selfService = new LoopbackHttpServer((_, _) => (307, $"Location: {capture.BaseUri}v1/client-secret\r\n", ""));
        using var rotation = Rotation(selfService: selfService.BaseUri);

        var e = await Assert.ThrowsAnyAsync<Edi2Exception>(() => rotation.RotateAsync(new KeyFileStore(path)));

        Assert.Contains("307", e.ToString());
        Assert.Equal(0, capture.Connections); // the token and its proof went nowhere else
        Assert.Equal(old, File.ReadAllText(path));
        Assert.False(File.Exists(path + KeyFileStore.PendingSuffix));
    }

    [Fact]
    public async Task The_old_key_keeps_working_where_self_service_keeps_previous_keys()
    {
        _nhn.SelfService.KeepPreviousKeys = true;
        string path = NewClient();
        string old = File.ReadAllText(path);
        using var rotation = Rotation();
        await rotation.RotateAsync(new KeyFileStore(path));
        Assert.True(await GetsTokenAsync(File.ReadAllText(path)));
        Assert.True(await GetsTokenAsync(old));
    }

    [Fact]
    public async Task The_default_new_key_is_RSA_4096_PS256_as_NHNs_own_rotation()
    {
        string path = NewClient();
        using var rotation = new ClientKeyRotation(new ClientKeyRotationOptions { ClientId = ClientId, Authority = new Uri(_nhn.Issuer), SelfServiceUri = _nhn.BaseUri });
        var result = await rotation.RotateAsync(new KeyFileStore(path));
        using var key = SigningKey.FromFile(path);
        Assert.Equal(("RSA", 4096, "PS256"), (key.KeyType, key.KeySize, key.Algorithm));
        Assert.Equal("PS256", result.Algorithm);
        Assert.Equal(result.KeyId, key.KeyId);
    }

    [Fact]
    public async Task A_PEM_key_file_stays_PEM_and_other_tools_read_it()
    {
        string path = NewClient(pem: true);
        using var rotation = Rotation();
        var result = await rotation.RotateAsync(new KeyFileStore(path));

        string now = File.ReadAllText(path);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", now);
        Assert.Equal(result.Thumbprint, Thumbprint(now));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(result.BackupPath));
        using var dotnet = ECDsa.Create();
        dotnet.ImportFromPem(now); // .NET's own PKCS#8 reader agrees with the engine's writer
        Assert.True(await GetsTokenAsync(now));
    }

    [Fact]
    public void An_RSA_key_exported_as_PEM_reads_back_with_dotnet_and_the_engine()
    {
        using var key = SigningKey.Generate("RS256");
        string pem = key.ExportPrivatePem();
        Assert.All(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)), line => Assert.InRange(line.Length, 1, 64));
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        Assert.Equal(4096, rsa.KeySize);
        using var again = SigningKey.FromText(pem);
        Assert.Equal(key.Thumbprint, again.Thumbprint);
    }

    [Fact]
    public void An_RSA_key_whose_parameters_start_with_a_zero_byte_exports_as_PEM()
    {
        // .NET pads D, P, Q, DP, DQ and InverseQ to fixed lengths, so some keys have leading zero bytes, which a DER
        // INTEGER must not carry. Keys are made until one has them (about one in 40).
        RSAParameters p = default;
        for (int i = 0; i < 2000; i++)
        {
            using var rsa = RSA.Create(2048);
            p = rsa.ExportParameters(true);
            if (new[] { p.D!, p.P!, p.Q!, p.DP!, p.DQ!, p.InverseQ! }.Any(part => part[0] == 0)) break;
        }
        Assert.Contains(new[] { p.D!, p.P!, p.Q!, p.DP!, p.DQ!, p.InverseQ! }, part => part[0] == 0);
        using var key = SigningKey.FromJwk(TestJwks.RsaJwk(p));

        string pem = key.ExportPrivatePem();

        using var dotnet = RSA.Create();
        dotnet.ImportFromPem(pem);
        Assert.Equal(p.D, dotnet.ExportParameters(true).D);
        using var again = SigningKey.FromText(pem);
        Assert.Equal(key.Thumbprint, again.Thumbprint);
    }

    [Fact]
    public async Task A_client_without_the_self_service_scope_is_refused_and_the_file_is_untouched()
    {
        string path = NewClient(selfServiceScope: false);
        byte[] before = File.ReadAllBytes(path);
        using var rotation = Rotation();

        var e = await Assert.ThrowsAsync<Edi2KeyRotationException>(() => rotation.RotateAsync(new KeyFileStore(path)));

        Assert.Equal(KeyRotationErrorReason.NoSelfServiceScope, e.RotationReason);
        Assert.Equal("KeyRotation.NoSelfServiceScope", e.Reason);
        Assert.Contains("nhn:selvbetjening/client", e.Message);
        Assert.Contains(ClientId, e.Message);
        // HelseID's own refusal, kept as the cause, names the scope it refused, not the API's.
        Assert.Contains("has the scope nhn:selvbetjening/client in HelseID self-service", e.InnerException!.Message);
        AssertUntouched(path, before);
        Assert.DoesNotContain(_nhn.Requests.Snapshot(), r => r.Path == "/v1/client-secret");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    public async Task A_4xx_from_self_service_is_a_refusal_that_leaves_the_file_untouched(int status)
    {
        string path = NewClient();
        byte[] before = File.ReadAllBytes(path);
        _nhn.Faults.FailNext("POST", "v1/client-secret", 1, WorkflowAssert.Problem(status, title: "No thanks"));
        using var rotation = Rotation();

        var e = await Assert.ThrowsAsync<Edi2KeyRotationException>(() => rotation.RotateAsync(new KeyFileStore(path)));

        Assert.Equal(KeyRotationErrorReason.Refused, e.RotationReason);
        Assert.Contains($"HTTP {status}", e.Message);
        Assert.Contains("No thanks", e.Message);
        Assert.Contains("The key is unchanged", e.Message);
        AssertUntouched(path, before);
        Assert.True(await GetsTokenAsync(File.ReadAllText(path)));
    }

    [Fact]
    public async Task Self_service_out_of_reach_is_Unreachable_and_the_pending_key_is_rolled_back_by_asking_HelseID()
    {
        string path = NewClient();
        byte[] before = File.ReadAllBytes(path);
        using var rotation = Rotation(selfService: new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        var e = await Assert.ThrowsAsync<Edi2KeyRotationException>(() => rotation.RotateAsync(new KeyFileStore(path)));

        Assert.Equal(KeyRotationErrorReason.Unreachable, e.RotationReason);
        Assert.Contains("could not be reached", e.Message);
        AssertUntouched(path, before);
    }

    [Fact]
    public async Task A_5xx_is_resolved_by_asking_HelseID_which_key_it_accepts()
    {
        string path = NewClient();
        byte[] before = File.ReadAllBytes(path);
        _nhn.Faults.FailNext("POST", "v1/client-secret", 1, WorkflowAssert.Problem(503));
        using var rotation = Rotation();

        var e = await Assert.ThrowsAsync<Edi2KeyRotationException>(() => rotation.RotateAsync(new KeyFileStore(path)));

        Assert.Equal(KeyRotationErrorReason.Unreachable, e.RotationReason);
        AssertUntouched(path, before); // the 503 came before the fake registered anything: rolled back
    }

    [Fact]
    public async Task A_yes_lost_on_the_way_back_is_found_out_and_the_rotation_finished()
    {
        string path = NewClient();
        string old = File.ReadAllText(path);
        _nhn.Faults.FailNext("POST", "v1/client-secret", 1, ApiFault.DropConnectionAfterBytes(0)); // registered, answer cut
        using var rotation = Rotation();

        var result = await rotation.RotateAsync(new KeyFileStore(path));

        Assert.Null(result.Expiration); // the answer never arrived
        Assert.Equal(result.Thumbprint, Thumbprint(File.ReadAllText(path)));
        Assert.Equal(old, File.ReadAllText(result.BackupPath));
        Assert.False(File.Exists(path + KeyFileStore.PendingSuffix));
        Assert.True(await GetsTokenAsync(File.ReadAllText(path)));
    }

    private sealed class SimulatedCrash : Exception
    {
    }

    [Theory]
    [InlineData("PendingWritten", PendingKeyOutcome.RolledBack)]
    [InlineData("ServerAccepted", PendingKeyOutcome.Finished)]
    [InlineData("BackupWritten", PendingKeyOutcome.Finished)]
    public async Task A_crash_at_each_point_is_finished_or_rolled_back_by_the_next_run(string step, PendingKeyOutcome expected)
    {
        string path = NewClient();
        string old = File.ReadAllText(path);
        var crashAt = Enum.Parse<KeyRotationStep>(step);
        using (var crashing = Rotation())
        {
            // The hook throws where the process would die: nothing after it runs (no catch in the engine cleans up after a crash).
            crashing.AfterStep = s => { if (s == crashAt) throw new SimulatedCrash(); };
            await Assert.ThrowsAsync<SimulatedCrash>(() => crashing.RotateAsync(new KeyFileStore(path)));
        }
        string pending = path + KeyFileStore.PendingSuffix;
        Assert.True(File.Exists(pending));
        AssertOwnerOnly(pending);
        Assert.Equal(old, File.ReadAllText(path)); // at every crash point the key file still holds the old key
        bool serverHasNewKey = crashAt != KeyRotationStep.PendingWritten;
        Assert.Equal(serverHasNewKey, await GetsTokenAsync(File.ReadAllText(pending)));

        using var next = Rotation();
        var resolution = await next.ResolvePendingAsync(new KeyFileStore(path));

        Assert.Equal(expected, resolution.Outcome);
        Assert.False(File.Exists(pending));
        string now = File.ReadAllText(path);
        Assert.True(await GetsTokenAsync(now)); // never locked out
        if (expected == PendingKeyOutcome.Finished)
        {
            Assert.NotEqual(Thumbprint(old), Thumbprint(now));
            Assert.Equal(resolution.Thumbprint, Thumbprint(now));
            Assert.Equal(old, File.ReadAllText(resolution.BackupPath!));
            AssertOwnerOnly(resolution.BackupPath!);
        }
        else
        {
            Assert.Equal(old, now);
        }
    }

    [Fact]
    public async Task A_crash_after_the_replace_but_before_the_pending_file_went_needs_no_network_to_resolve()
    {
        // The commit is one rename of the pending file, so this state cannot arise from the engine itself; a copy
        // (backup tool, hand) can make it: the pending key equals the current one.
        string path = NewClient();
        using (var key = SigningKey.Generate("ES256"))
        {
            KeyFile.WritePrivate(path, key.ExportPrivateJwk(), overwrite: true);
            KeyFile.WritePrivate(path + KeyFileStore.PendingSuffix, key.ExportPrivateJwk(), overwrite: false);
        }
        using var offline = Rotation(authority: new Uri($"http://127.0.0.1:{ClosedPort()}/"));
        var resolution = await offline.ResolvePendingAsync(new KeyFileStore(path));
        Assert.Equal(PendingKeyOutcome.AlreadyCommitted, resolution.Outcome);
        Assert.False(File.Exists(path + KeyFileStore.PendingSuffix));
    }

    [Fact]
    public async Task A_pending_key_whose_fate_HelseID_cannot_tell_is_kept_and_the_rotation_refused()
    {
        string path = NewClient();
        string old = File.ReadAllText(path);
        using (var key = SigningKey.Generate("ES256")) KeyFile.WritePrivate(path + KeyFileStore.PendingSuffix, key.ExportPrivateJwk(), overwrite: false);
        using var offline = Rotation(authority: new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        var e = await Assert.ThrowsAsync<Edi2KeyRotationException>(() => offline.RotateAsync(new KeyFileStore(path)));

        Assert.Equal(KeyRotationErrorReason.Unfinished, e.RotationReason);
        Assert.Contains("pending key is kept", e.Message);
        Assert.True(File.Exists(path + KeyFileStore.PendingSuffix));
        Assert.Equal(old, File.ReadAllText(path));
    }

    [Fact]
    public async Task A_connected_session_switches_to_the_rotated_key()
    {
        string path = NewClient();
        var options = new Edi2ConnectionOptions { ClientId = ClientId, Authority = new Uri(_nhn.Issuer), ApiBaseUri = _nhn.BaseUri };
        using var session = await Edi2Session.ConnectAsync(options, SigningKey.FromFile(path));
        using var rotation = Rotation();
        var result = await rotation.RotateAsync(new KeyFileStore(path));

        session.UseClientKey(SigningKey.FromFile(path));

        Assert.Equal(result.Thumbprint, session.ClientKeyThumbprint);
        int tokenRequests = TokenRequests();
        await session.Api.PingAsync(); // a new token: the old key's was forgotten, and the old key is no longer registered
        Assert.True(TokenRequests() > tokenRequests);
    }

    private int TokenRequests() => _nhn.Requests.Snapshot().Count(r => r.Path == "/connect/token" && r.StatusCode == 200);

    private static void AssertUntouched(string path, byte[] before)
    {
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + KeyFileStore.PendingSuffix));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!).Where(f => Path.GetFileName(f).StartsWith(Path.GetFileName(path), StringComparison.Ordinal)));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
