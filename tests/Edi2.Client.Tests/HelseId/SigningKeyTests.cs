using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Edi2.HelseId;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Edi2.Client.Tests.HelseId;

public class SigningKeyTests
{
    [Theory]
    [InlineData(2048, null, "PS256")]
    [InlineData(2048, "RS256", "RS256")]
    [InlineData(4096, "PS256", "PS256")]
    [InlineData(4096, "rs512", "RS512")]
    public void Rsa_jwk_signs_with_its_alg_or_PS256(int bits, string? alg, string expected)
    {
        string jwk = TestJwks.RsaJwk(bits, alg, kid: "kid-1");
        using var key = SigningKey.FromJwk(jwk);
        Assert.Equal(expected, key.Algorithm);
        Assert.Equal("kid-1", key.KeyId);
        Assert.Equal("RSA", key.KeyType);
        Assert.Equal(bits, key.KeySize);
        AssertSignsVerifiably(key, TestJwks.PublicOf(jwk));
    }

    [Theory]
    [InlineData("P-256", "ES256")]
    [InlineData("P-384", "ES384")]
    [InlineData("P-521", "ES512")]
    public void Ec_jwk_signs_with_the_curves_algorithm(string crv, string expected)
    {
        string jwk = TestJwks.EcJwk(crv);
        using var key = SigningKey.FromJwk(jwk);
        Assert.Equal(expected, key.Algorithm);
        Assert.Null(key.KeyId);
        AssertSignsVerifiably(key, TestJwks.PublicOf(jwk));
    }

    [Fact]
    public void Thumbprint_and_public_export_describe_the_same_public_key()
    {
        string jwk = TestJwks.RsaJwk(2048, "PS256", "k");
        using var key = SigningKey.FromJwk(jwk);
        var exported = TestJwks.Json(key.ExportPublicJwk());
        var original = TestJwks.Json(jwk);
        Assert.Equal(original.GetProperty("n").GetString(), exported.GetProperty("n").GetString());
        Assert.Equal("PS256", exported.GetProperty("alg").GetString());
        Assert.Equal("sig", exported.GetProperty("use").GetString());
        foreach (var member in new[] { "d", "p", "q", "dp", "dq", "qi" }) Assert.False(exported.TryGetProperty(member, out _), member);
        Assert.Equal(new JsonWebKey(jwk).ComputeJwkThumbprint() is var t ? Base64UrlEncoder.Encode(t) : "", key.Thumbprint);
    }

    [Fact]
    public void Private_export_round_trips()
    {
        using var original = SigningKey.Generate("ES256");
        using var again = SigningKey.FromJwk(original.ExportPrivateJwk());
        Assert.Equal(original.Thumbprint, again.Thumbprint);
        Assert.Equal(original.KeyId, again.KeyId);
        Assert.Equal("ES256", again.Algorithm);
    }

    [Fact]
    public void Generated_rsa_key_is_4096_bit_like_helseid_key_rotation()
    {
        using var key = SigningKey.Generate("PS256");
        Assert.Equal(4096, key.KeySize);
        Assert.Equal(32, key.KeyId!.Length);
        Assert.Throws<ArgumentException>(() => SigningKey.Generate("HS256"));
    }

    [Fact]
    public void ToString_shows_no_key_material()
    {
        string jwk = TestJwks.RsaJwk(2048, kid: "k");
        using var key = SigningKey.FromJwk(jwk);
        string text = key.ToString();
        Assert.Contains("RSA 2048 PS256", text);
        Assert.Contains(key.Thumbprint, text);
        var json = TestJwks.Json(jwk);
        foreach (var member in new[] { "d", "p", "q", "n" })
        {
            Assert.DoesNotContain(json.GetProperty(member).GetString()!.Substring(0, 16), text);
        }
    }

    [Fact]
    public void A_jwks_with_one_private_key_and_a_self_service_file_are_accepted()
    {
        string jwk = TestJwks.EcJwk("P-256", kid: "one");
        string jwks = $"{{\"keys\":[{TestJwks.PublicOf(TestJwks.EcJwk())},{jwk}]}}";
        using (var key = SigningKey.FromJwk(jwks)) Assert.Equal("one", key.KeyId);

        string selfService = JsonSerializer.Serialize(new { clientId = "c1", privateJwk = WebUtility.UrlEncode(jwk) });
        using (var key = SigningKey.FromText(selfService)) Assert.Equal("one", key.KeyId);
    }

    [Fact]
    public void A_certificate_with_a_private_key_signs()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Edi2 test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var key = SigningKey.FromCertificate(cert, "PS256");
        Assert.Equal(cert.Thumbprint, key.KeyId);
        AssertSignsVerifiably(key, TestJwks.RsaJwk(rsa.ExportParameters(false), includePrivate: false));

        using var publicOnly = X509CertificateLoader.LoadCertificate(cert.Export(X509ContentType.Cert));
        var e = Assert.Throws<Edi2KeyException>(() => SigningKey.FromCertificate(publicOnly));
        Assert.Equal(KeyErrorReason.NoPrivateKey, e.KeyReason);
        Assert.Equal(cert.Thumbprint, e.Target);
    }

    [Fact]
    public void A_missing_file_names_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), "edi2-no-such-key-" + Guid.NewGuid() + ".json");
        var e = Assert.Throws<Edi2KeyException>(() => SigningKey.FromFile(path));
        Assert.Equal(KeyErrorReason.FileNotFound, e.KeyReason);
        Assert.Equal(path, e.Target);
        Assert.Contains(path, e.Message);
        Assert.Equal("Key.FileNotFound", e.Reason);
    }

    public static TheoryData<string, KeyErrorReason, string> BadKeys()
    {
        string rsa = TestJwks.RsaJwk(2048);
        var json = TestJwks.Json(rsa);
        string withoutCrt = JsonSerializer.Serialize(new { kty = "RSA", n = json.GetProperty("n").GetString(), e = "AQAB", d = json.GetProperty("d").GetString() });
        return new TheoryData<string, KeyErrorReason, string>
        {
            { "hello, I am not a key", KeyErrorReason.NotAKey, "neither a JWK" },
            { "{\"kty\":\"RSA\", \"n\": ", KeyErrorReason.MalformedJwk, "not valid JSON" },
            { "[1,2,3]", KeyErrorReason.NotAKey, "neither a JWK" },
            { "{\"use\":\"sig\"}", KeyErrorReason.MalformedJwk, "no 'kty'" },
            { TestJwks.PublicOf(rsa), KeyErrorReason.PublicOnly, "only a public key" },
            { "{\"keys\":[" + TestJwks.PublicOf(rsa) + "]}", KeyErrorReason.PublicOnly, "only a public key" },
            { "{\"keys\":[" + TestJwks.EcJwk() + "," + TestJwks.EcJwk() + "]}", KeyErrorReason.MalformedJwk, "2 private keys" },
            { "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"d\":\"x\"}", KeyErrorReason.UnsupportedKeyType, "'oct'" },
            { "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\",\"d\":\"AA\"}", KeyErrorReason.UnsupportedKeyType, "secp256k1" },
            { TestJwks.RsaJwk(1024), KeyErrorReason.KeyTooSmall, "1024 bits" },
            { TestJwks.RsaJwk(2048, alg: "ES256"), KeyErrorReason.AlgorithmMismatch, "'ES256'" },
            { TestJwks.RsaJwk(2048, alg: "HS256"), KeyErrorReason.AlgorithmMismatch, "'HS256'" },
            { TestJwks.EcJwk("P-256", alg: "ES384"), KeyErrorReason.AlgorithmMismatch, "ES256" },
            { withoutCrt, KeyErrorReason.MalformedJwk, "p, q, dp, dq, qi" },
            { rsa.Replace("\"e\":\"AQAB\"", "\"e\":\"!!!\""), KeyErrorReason.MalformedJwk, "'e'" },
        };
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Bad_key_input_gets_its_clear_error_and_no_key_material(string text, KeyErrorReason reason, string messagePart)
    {
        var e = Assert.Throws<Edi2KeyException>(() => SigningKey.FromText(text, source: "the EDI2_CLIENT_KEY variable"));
        Assert.Equal(reason, e.KeyReason);
        Assert.Contains(messagePart, e.Message);
        Assert.StartsWith("The EDI2_CLIENT_KEY variable", e.Message);
        if (text.Contains("\"d\":\""))
        {
            string d = TestJwks.Json(text.StartsWith("{\"keys") ? "{}" : text) is var j && j.TryGetProperty("d", out var dv) ? dv.GetString()! : "";
            if (d.Length > 8) Assert.DoesNotContain(d.Substring(0, 8), e.Message);
        }
    }

    [Fact]
    public void A_key_file_error_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), "edi2-public-" + Guid.NewGuid() + ".json");
        File.WriteAllText(path, TestJwks.PublicOf(TestJwks.EcJwk()));
        try
        {
            var e = Assert.Throws<Edi2KeyException>(() => SigningKey.FromFile(path));
            Assert.Equal(KeyErrorReason.PublicOnly, e.KeyReason);
            Assert.Equal(path, e.Target);
            Assert.Contains($"Key file '{path}'", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_key_loaded_again_after_dispose_still_signs()
    {
        // Disconnect then Connect with the same key file: nothing may keep the first, disposed key object.
        string jwk = TestJwks.EcJwk("P-384");
        SigningKey.FromJwk(jwk).Dispose();
        using var again = SigningKey.FromJwk(jwk);
        AssertSignsVerifiably(again, TestJwks.PublicOf(jwk));
    }

    [Theory]
    [InlineData("P-256")]
    [InlineData("RSA")]
    public async Task One_key_signs_from_many_threads_at_once_and_every_signature_verifies(string kind)
    {
        // The key keeps its signature provider for every proof (made once, not per proof): shared by a session's requests.
        string jwk = kind == "RSA" ? TestJwks.RsaJwk(2048) : TestJwks.EcJwk(kind);
        using var key = SigningKey.FromJwk(jwk);
        var jwts = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            jwts.Add(ClientAssertion.Create(key, "client", "https://issuer.test", null, DateTimeOffset.UtcNow)));

        var publicKey = new JsonWebKey(TestJwks.PublicOf(jwk));
        foreach (string jwt in jwts)
        {
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
            {
                IssuerSigningKey = publicKey, ValidateIssuer = false, ValidateAudience = false, ValidateLifetime = false,
            });
            Assert.True(result.IsValid, result.Exception?.Message);
        }
        Assert.Equal(64, jwts.Distinct().Count());
    }

    [Fact]
    public void A_disposed_key_refuses_to_sign()
    {
        var key = SigningKey.FromJwk(TestJwks.EcJwk());
        AssertSignsVerifiably(key, key.ExportPublicJwk());
        key.Dispose();
        Assert.ThrowsAny<ObjectDisposedException>(() => ClientAssertion.Create(key, "client", "https://issuer.test", null, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Pem_files_load_through_the_same_entry_point_as_jwk_files()
    {
        using var rsa = RSA.Create(3072);
        string path = Path.Combine(Path.GetTempPath(), "edi2-pem-" + Guid.NewGuid() + ".pem");
        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10000);
        File.WriteAllText(path, rsa.ExportEncryptedPkcs8PrivateKeyPem("correct horse", pbe));
        try
        {
            using (var key = SigningKey.FromFile(path, "correct horse", "RS384"))
            {
                Assert.Equal("RS384", key.Algorithm);
                AssertSignsVerifiably(key, TestJwks.RsaJwk(rsa.ExportParameters(false), includePrivate: false));
            }
            var e = Assert.Throws<Edi2KeyException>(() => SigningKey.FromFile(path));
            Assert.Equal(KeyErrorReason.PasswordRequired, e.KeyReason);
            Assert.Equal(path, e.Target);
            e = Assert.Throws<Edi2KeyException>(() => SigningKey.FromFile(path, "Tr0ub4dor&3"));
            Assert.Equal(KeyErrorReason.WrongPassword, e.KeyReason);
            Assert.DoesNotContain("Tr0ub4dor", e.Message);
            Assert.StartsWith($"Key file '{path}' does not decrypt", e.Message);

            File.WriteAllText(path, TestJwks.Rsa(2048) is var p && true ? ExportPkcs1(p) : "");
            using (var key = SigningKey.FromFile(path)) Assert.Equal("PS256", key.Algorithm);

            using var small = RSA.Create(1024);
            File.WriteAllText(path, small.ExportRSAPrivateKeyPem());
            Assert.Equal(KeyErrorReason.KeyTooSmall, Assert.Throws<Edi2KeyException>(() => SigningKey.FromFile(path)).KeyReason);
        }
        finally
        {
            File.Delete(path);
        }

        static string ExportPkcs1(RSAParameters p)
        {
            using var r = RSA.Create();
            r.ImportParameters(p);
            return r.ExportRSAPrivateKeyPem();
        }
    }

    /// <summary>Signs a JWT with the key and verifies it with a key built only from the public JWK.</summary>
    internal static void AssertSignsVerifiably(SigningKey key, string publicJwk)
    {
        string jwt = ClientAssertion.Create(key, "client", "https://issuer.test", null, DateTimeOffset.UtcNow);
        var result = new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKey = new JsonWebKey(publicJwk),
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        }).GetAwaiter().GetResult();
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(key.Algorithm, TestJwks.Decode(jwt).Header.GetProperty("alg").GetString());
    }
}
