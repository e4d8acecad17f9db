using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edi2.HelseId;
using Xunit;

namespace Edi2.Client.Tests.HelseId
{
    /// <summary>
    /// PemKeyReader against .NET's own PEM/PKCS#8 exporters (keys are generated at test time, never committed).
    /// Every success case also signs with the key that was read and verifies with the original.
    /// </summary>
    public class PemKeyReaderTests
    {
        private const string Password = "Tr0ub4dor&3-pem-test";
        private const string Source = "/keys/client.pem";

        private static readonly ConcurrentDictionary<int, RSA> RsaKeys = new ConcurrentDictionary<int, RSA>();
        private static readonly ConcurrentDictionary<string, ECDsa> EcKeys = new ConcurrentDictionary<string, ECDsa>();
        private static readonly byte[] Data = Encoding.UTF8.GetBytes("HelseID client assertion");

        private static RSA RsaKey(int bits) => RsaKeys.GetOrAdd(bits, b => RSA.Create(b));

        private static ECDsa EcKey(string curve) => EcKeys.GetOrAdd(curve, c => ECDsa.Create(Curve(c)));

        private static ECCurve Curve(string name) => name switch
        {
            "P-256" => ECCurve.NamedCurves.nistP256,
            "P-384" => ECCurve.NamedCurves.nistP384,
            _ => ECCurve.NamedCurves.nistP521,
        };

        // ---- Success cases ----

        public static IEnumerable<object[]> RsaCases() =>
            from bits in new[] { 2048, 4096 }
            from format in new[] { "pkcs1", "pkcs8", "aes256-sha256", "aes128-sha1", "aes192-sha384", "aes256-sha512" }
            select new object[] { bits, format };

        [Theory]
        [MemberData(nameof(RsaCases))]
        public void ReadsRsaKey(int bits, string format)
        {
            RSA original = RsaKey(bits);
            string pem = format switch
            {
                "pkcs1" => original.ExportRSAPrivateKeyPem(),
                "pkcs8" => original.ExportPkcs8PrivateKeyPem(),
                _ => original.ExportEncryptedPkcs8PrivateKeyPem(Password, Pbe(format)),
            };

            PemPrivateKey key = PemKeyReader.Read(pem, format.StartsWith("aes") ? Password : null, Source);

            Assert.Null(key.EC);
            AssertRsaMatches(original, key);
        }

        public static IEnumerable<object[]> EcCases() =>
            from curve in new[] { "P-256", "P-384", "P-521" }
            from format in new[] { "sec1", "pkcs8", "aes256-sha256", "aes128-sha1" }
            select new object[] { curve, format };

        [Theory]
        [MemberData(nameof(EcCases))]
        public void ReadsEcKey(string curve, string format)
        {
            ECDsa original = EcKey(curve);
            string pem = format switch
            {
                "sec1" => original.ExportECPrivateKeyPem(),
                "pkcs8" => original.ExportPkcs8PrivateKeyPem(),
                _ => original.ExportEncryptedPkcs8PrivateKeyPem(Password, Pbe(format)),
            };

            PemPrivateKey key = PemKeyReader.Read(pem, format.StartsWith("aes") ? Password : null, Source);

            Assert.Null(key.Rsa);
            AssertEcMatches(original, key);
        }

        [Theory]
        [InlineData("1.2.840.113549.3.7", null, false)]                   // DES-EDE3-CBC, default PRF (HMAC-SHA1) omitted
        [InlineData("1.2.840.113549.3.7", "1.2.840.113549.2.9", true)]     // DES-EDE3-CBC, HMAC-SHA256, explicit key length
        [InlineData("2.16.840.1.101.3.4.1.42", "1.2.840.113549.2.11", true)] // AES-256-CBC, HMAC-SHA512, explicit key length
        [InlineData("2.16.840.1.101.3.4.1.2", null, false)]                // AES-128-CBC, default PRF
        public void ReadsHandBuiltPbes2(string cipherOid, string? prfOid, bool writeKeyLength)
        {
            RSA original = RsaKey(2048);
            string pem = EncryptPbes2(original.ExportPkcs8PrivateKey(), Password, cipherOid, prfOid, writeKeyLength);

            AssertRsaMatches(original, PemKeyReader.Read(pem, Password, Source));
        }

        [Fact]
        public void ReadsKeyEncryptedWithEmptyPassword()
        {
            ECDsa original = EcKey("P-256");
            string pem = original.ExportEncryptedPkcs8PrivateKeyPem("", Pbe("aes256-sha256"));

            AssertEcMatches(original, PemKeyReader.Read(pem, "", Source));
        }

        [Theory]
        [InlineData("P-256")]
        [InlineData("P-384")]
        [InlineData("P-521")]
        public void DerivesMissingEcPublicPoint(string curve)
        {
            ECDsa original = EcKey(curve);
            ECParameters p = original.ExportParameters(true);
            string pem = PemEncoding.WriteString("EC PRIVATE KEY", Sec1(p.D!, CurveOid(curve), publicPoint: null));

            AssertEcMatches(original, PemKeyReader.Read(pem, null, Source));
        }

        [Fact]
        public void LeftPadsShortEcPrivateValue()
        {
            // Some encoders drop leading zero bytes of D; .NET needs it at the full field size.
            ECDsa original = Enumerable.Range(0, 100_000)
                .Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))
                .First(k => k.ExportParameters(true).D![0] == 0);
            ECParameters p = original.ExportParameters(true);
            byte[] point = new byte[] { 4 }.Concat(p.Q.X!).Concat(p.Q.Y!).ToArray();
            string pem = PemEncoding.WriteString("EC PRIVATE KEY", Sec1(p.D!.SkipWhile(b => b == 0).ToArray(), CurveOid("P-256"), point));

            PemPrivateKey key = PemKeyReader.Read(pem, null, Source);

            Assert.Equal(32, key.EC!.Value.D!.Length);
            AssertEcMatches(original, key);
        }

        [Fact]
        public void LeftPadsShortRsaValues()
        {
            // DER INTEGERs are minimal, so a D or CRT value with a leading zero byte arrives short; .NET wants it padded.
            // About 1 key in 64 has one; 1024-bit keys keep the search quick (key size policy is the caller's).
            RSA original = Enumerable.Range(0, 3000).Select(_ => RSA.Create(1024)).First(k =>
            {
                RSAParameters p = k.ExportParameters(true);
                return new[] { p.D!, p.DP!, p.DQ!, p.InverseQ! }.Any(v => v[0] == 0);
            });

            AssertRsaMatches(original, PemKeyReader.Read(original.ExportRSAPrivateKeyPem(), null, Source));
        }

        [Fact]
        public void SkipsSurroundingTextAndOtherBlocks()
        {
            ECDsa original = EcKey("P-256");
            string key = original.ExportECPrivateKeyPem().Replace("\n", "\r\n    ");
            string text = "Bag Attributes\r\n    localKeyID: 01 00 00 00\r\nsubject=/CN=client\r\n"
                + CertificatePem(RsaKey(2048)) + "\n"
                + "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + "  " + key + "\r\n\r\ntrailing notes";

            AssertEcMatches(original, PemKeyReader.Read(text, null, Source));
        }

        [Fact]
        public void ToleratesSingleLineAndNonEncryptionHeaders()
        {
            RSA original = RsaKey(2048);
            string[] lines = original.ExportRSAPrivateKeyPem().Split('\n');
            string withHeader = lines[0] + "\nComment: made by a test\n\n" + string.Join("\n", lines.Skip(1));
            string singleLine = original.ExportPkcs8PrivateKeyPem().Replace("\n", " ");

            AssertRsaMatches(original, PemKeyReader.Read(withHeader, null, Source));
            AssertRsaMatches(original, PemKeyReader.Read(singleLine, null, Source));
        }

        [Fact]
        public void LooksLikePem()
        {
            Assert.True(PemKeyReader.LooksLikePem(EcKey("P-256").ExportPkcs8PrivateKeyPem()));
            Assert.True(PemKeyReader.LooksLikePem("notes\r\n-----BEGIN CERTIFICATE-----\r\n"));
            Assert.False(PemKeyReader.LooksLikePem("{\"kty\":\"EC\",\"crv\":\"P-256\"}"));
            Assert.False(PemKeyReader.LooksLikePem(""));
        }

        // ---- Errors ----

        [Fact]
        public void PublicKeysAndCertificatesArePublicOnly()
        {
            AssertFails(KeyErrorReason.PublicOnly, RsaKey(2048).ExportSubjectPublicKeyInfoPem());
            AssertFails(KeyErrorReason.PublicOnly, RsaKey(2048).ExportRSAPublicKeyPem());
            AssertFails(KeyErrorReason.PublicOnly, EcKey("P-384").ExportSubjectPublicKeyInfoPem());
            AssertFails(KeyErrorReason.PublicOnly, CertificatePem(RsaKey(2048)));
        }

        [Fact]
        public void WrongPasswordIsReported()
        {
            AssertFails(KeyErrorReason.WrongPassword, RsaKey(2048).ExportEncryptedPkcs8PrivateKeyPem(Password, Pbe("aes256-sha256")), "not-" + Password);
            AssertFails(KeyErrorReason.WrongPassword, EcKey("P-521").ExportEncryptedPkcs8PrivateKeyPem(Password, Pbe("aes128-sha1")), "not-" + Password);
            AssertFails(KeyErrorReason.WrongPassword,
                EncryptPbes2(EcKey("P-256").ExportPkcs8PrivateKey(), Password, "1.2.840.113549.3.7", null, false), "not-" + Password);
        }

        [Fact]
        public void MissingPasswordIsReported()
        {
            AssertFails(KeyErrorReason.PasswordRequired, EcKey("P-256").ExportEncryptedPkcs8PrivateKeyPem(Password, Pbe("aes256-sha256")), null);
        }

        [Fact]
        public void Pkcs12PbeIsUnsupportedEncryption()
        {
            var pbe = new PbeParameters(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, HashAlgorithmName.SHA1, 2048);
            var e = AssertFails(KeyErrorReason.UnsupportedEncryption, RsaKey(2048).ExportEncryptedPkcs8PrivateKeyPem(Password, pbe));
            Assert.Contains("openssl pkcs8 -topk8 -v2 aes-256-cbc", e.Message);
        }

        [Fact]
        public void LegacyOpenSslEncryptionIsUnsupported()
        {
            string[] lines = RsaKey(2048).ExportRSAPrivateKeyPem().Split('\n');
            string legacy = lines[0] + "\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n" + string.Join("\n", lines.Skip(1));

            var e = AssertFails(KeyErrorReason.UnsupportedEncryption, legacy);
            Assert.Contains("openssl pkcs8 -topk8 -v2 aes-256-cbc", e.Message);
        }

        [Fact]
        public void GarbageIsNotAKey()
        {
            AssertFails(KeyErrorReason.NotAKey, "");
            AssertFails(KeyErrorReason.NotAKey, "this is not a key at all");
            AssertFails(KeyErrorReason.NotAKey, "-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\n");
            AssertFails(KeyErrorReason.NotAKey, "-----BEGIN PRIVATE KEY-----\nAAECAwQF\n-----END PRIVATE KEY-----\n");
        }

        [Fact]
        public void TruncatedKeysAreNotKeys()
        {
            string pem = RsaKey(2048).ExportPkcs8PrivateKeyPem();
            byte[] der = RsaKey(2048).ExportPkcs8PrivateKey();

            // File cut short: no END line.
            AssertFails(KeyErrorReason.NotAKey, pem.Substring(0, pem.Length / 2));
            // Base64 with a line missing in the middle.
            string[] lines = pem.Split('\n');
            AssertFails(KeyErrorReason.NotAKey, string.Join("\n", lines.Take(5).Concat(lines.Skip(6))), extraSecrets: pem);
            // Base64 with characters missing, so its length is no longer a multiple of four.
            AssertFails(KeyErrorReason.NotAKey, pem.Remove(200, 3), extraSecrets: pem);
            // Valid base64 of truncated DER.
            AssertFails(KeyErrorReason.NotAKey, PemEncoding.WriteString("PRIVATE KEY", der.AsSpan(0, der.Length - 40)), extraSecrets: pem);
            AssertFails(KeyErrorReason.NotAKey, PemEncoding.WriteString("RSA PRIVATE KEY", RsaKey(2048).ExportRSAPrivateKey().AsSpan(0, 300)));
            AssertFails(KeyErrorReason.NotAKey, PemEncoding.WriteString("EC PRIVATE KEY", EcKey("P-256").ExportECPrivateKey().AsSpan(0, 20)));
            // Truncated encrypted key: structure is checked before decryption, so this is not a password problem.
            byte[] encrypted = RsaKey(2048).ExportEncryptedPkcs8PrivateKey(Password, Pbe("aes256-sha256"));
            AssertFails(KeyErrorReason.NotAKey, PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", encrypted.AsSpan(0, encrypted.Length - 16)));
        }

        [Fact]
        public void UnsupportedKeyTypesAreReported()
        {
            // Ed25519 PKCS#8 (RFC 8410): right structure, algorithm we do not take.
            var seed = new AsnWriter(AsnEncodingRules.DER);
            seed.WriteOctetString(new byte[32]);
            var w = new AsnWriter(AsnEncodingRules.DER);
            using (w.PushSequence())
            {
                w.WriteInteger(0);
                using (w.PushSequence()) w.WriteObjectIdentifier("1.3.101.112");
                w.WriteOctetString(seed.Encode());
            }
            AssertFails(KeyErrorReason.UnsupportedKeyType, PemEncoding.WriteString("PRIVATE KEY", w.Encode()));

            // secp256k1, a curve HelseID does not use.
            AssertFails(KeyErrorReason.UnsupportedKeyType, PemEncoding.WriteString("EC PRIVATE KEY", Sec1(new byte[] { 1 }, "1.3.132.0.10", null)));

            AssertFails(KeyErrorReason.UnsupportedKeyType, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
            AssertFails(KeyErrorReason.UnsupportedKeyType, "-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n");
        }

        // ---- PBKDF2 ----

        [Fact]
        public void Pbkdf2HmacSha1MatchesRfc6070()
        {
            byte[] dk = PemKeyReader.Pbkdf2(HashAlgorithmName.SHA1, Encoding.ASCII.GetBytes("password"), Encoding.ASCII.GetBytes("salt"), 1, 20);
            Assert.Equal("0c60c80f961f0e71f3a9b524af6012062fe037a6", Convert.ToHexString(dk).ToLowerInvariant());
        }

        [Fact]
        public void Pbkdf2HmacSha256MatchesRfc7914()
        {
            byte[] dk = PemKeyReader.Pbkdf2(HashAlgorithmName.SHA256, Encoding.ASCII.GetBytes("passwd"), Encoding.ASCII.GetBytes("salt"), 1, 64);
            Assert.Equal(
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
                Convert.ToHexString(dk).ToLowerInvariant());
        }

        [Theory]
        [InlineData("SHA1")]
        [InlineData("SHA256")]
        [InlineData("SHA384")]
        [InlineData("SHA512")]
        public void Pbkdf2MatchesDotNet(string hash)
        {
            // Several iterations and a length that needs more than one block, with a partial last block.
            var prf = new HashAlgorithmName(hash);
            byte[] password = Encoding.UTF8.GetBytes(Password), salt = Encoding.ASCII.GetBytes("NaCl-pem");
            Assert.Equal(
                Rfc2898DeriveBytes.Pbkdf2(password, salt, 1000, prf, 150),
                PemKeyReader.Pbkdf2(prf, password, salt, 1000, 150));
        }

        // ---- The .NET Framework way to PBKDF2 (forced on .NET, where the one-shot method is taken otherwise) ----

        [Fact]
        public void Pbkdf2WayFollowsTheSwitch()
        {
            Assert.True(PemKeyReader.HasFrameworkPbkdf2);
            Assert.True(PemKeyReader.UsesOneShotPbkdf2);
            PemKeyReader.UseFrameworkPbkdf2.Value = true;
            Assert.False(PemKeyReader.UsesOneShotPbkdf2);
        }

        public static IEnumerable<object[]> EncryptedCases() =>
            new[] { "aes256-sha256", "aes128-sha1", "aes192-sha384", "aes256-sha512" }.Select(f => new object[] { f });

        [Theory]
        [MemberData(nameof(EncryptedCases))]
        public void FrameworkPbkdf2ReadsEncryptedKeys(string format)
        {
            RSA rsa = RsaKey(2048);
            ECDsa ec = EcKey("P-384");
            string rsaPem = rsa.ExportEncryptedPkcs8PrivateKeyPem(Password, Pbe(format));
            string ecPem = ec.ExportEncryptedPkcs8PrivateKeyPem(Password, Pbe(format));

            PemKeyReader.UseFrameworkPbkdf2.Value = true;
            Assert.False(PemKeyReader.UsesOneShotPbkdf2);
            AssertRsaMatches(rsa, PemKeyReader.Read(rsaPem, Password, Source));
            AssertEcMatches(ec, PemKeyReader.Read(ecPem, Password, Source));
            AssertFails(KeyErrorReason.WrongPassword, rsaPem, "not-" + Password);
        }

        [Theory]
        [InlineData("1.2.840.113549.3.7", null, false)]
        [InlineData("1.2.840.113549.3.7", "1.2.840.113549.2.9", true)]
        [InlineData("2.16.840.1.101.3.4.1.42", "1.2.840.113549.2.11", true)]
        [InlineData("2.16.840.1.101.3.4.1.22", "1.2.840.113549.2.10", false)]
        public void FrameworkPbkdf2ReadsHandBuiltPbes2(string cipherOid, string? prfOid, bool writeKeyLength)
        {
            RSA original = RsaKey(2048);
            string pem = EncryptPbes2(original.ExportPkcs8PrivateKey(), Password, cipherOid, prfOid, writeKeyLength);

            PemKeyReader.UseFrameworkPbkdf2.Value = true;
            AssertRsaMatches(original, PemKeyReader.Read(pem, Password, Source));
        }

        [Theory]
        [InlineData("SHA1")]
        [InlineData("SHA256")]
        [InlineData("SHA384")]
        [InlineData("SHA512")]
        public void FrameworkPbkdf2MatchesDotNet(string hash)
        {
            var prf = new HashAlgorithmName(hash);
            byte[] password = Encoding.UTF8.GetBytes(Password), salt = Encoding.ASCII.GetBytes("NaCl-pem");
            PemKeyReader.UseFrameworkPbkdf2.Value = true;
            Assert.Equal(
                Rfc2898DeriveBytes.Pbkdf2(password, salt, 1000, prf, 150),
                PemKeyReader.Pbkdf2(prf, password, salt, 1000, 150));
        }

        [Fact]
        public void ShortSaltReadsOnDotNetAndIsUnsupportedTheFrameworkWay()
        {
            // .NET Framework's Rfc2898DeriveBytes constructor refuses salts under 8 bytes (so does our constructor path on .NET,
            // to behave alike); the one-shot method does not.
            ECDsa original = EcKey("P-256");
            string pem = EncryptPbes2(original.ExportPkcs8PrivateKey(), Password, "2.16.840.1.101.3.4.1.42", "1.2.840.113549.2.9", false, salt: new byte[] { 1, 2, 3, 4 });

            AssertEcMatches(original, PemKeyReader.Read(pem, Password, Source));

            PemKeyReader.UseFrameworkPbkdf2.Value = true;
            var e = AssertFails(KeyErrorReason.UnsupportedEncryption, pem);
            Assert.Contains("salt shorter than 8 bytes", e.Message);
            Assert.Contains("openssl pkcs8 -topk8 -v2 aes-256-cbc", e.Message);
        }

        // ---- Helpers ----

        private static PbeParameters Pbe(string format) => format switch
        {
            "aes256-sha256" => new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10000),
            "aes128-sha1" => new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA1, 10000),
            "aes192-sha384" => new PbeParameters(PbeEncryptionAlgorithm.Aes192Cbc, HashAlgorithmName.SHA384, 10000),
            "aes256-sha512" => new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA512, 10000),
            _ => throw new ArgumentException(format),
        };

        private static void AssertRsaMatches(RSA original, PemPrivateKey key)
        {
            Assert.True(key.Rsa.HasValue);
            RSAParameters expected = original.ExportParameters(true), actual = key.Rsa!.Value;
            Assert.Equal(expected.Modulus, actual.Modulus);
            Assert.Equal(expected.Exponent, actual.Exponent);
            Assert.Equal(expected.D, actual.D);
            Assert.Equal(expected.P, actual.P);
            Assert.Equal(expected.Q, actual.Q);
            Assert.Equal(expected.DP, actual.DP);
            Assert.Equal(expected.DQ, actual.DQ);
            Assert.Equal(expected.InverseQ, actual.InverseQ);

            using RSA read = RSA.Create();
            read.ImportParameters(actual);
            byte[] signature = read.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            Assert.True(original.VerifyData(Data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        private static void AssertEcMatches(ECDsa original, PemPrivateKey key)
        {
            Assert.True(key.EC.HasValue);
            ECParameters expected = original.ExportParameters(true), actual = key.EC!.Value;
            Assert.Equal(expected.Curve.Oid.Value, actual.Curve.Oid.Value);
            Assert.True(actual.Curve.IsNamed);
            Assert.Equal(expected.D, actual.D);
            Assert.Equal(expected.Q.X, actual.Q.X);
            Assert.Equal(expected.Q.Y, actual.Q.Y);

            using ECDsa read = ECDsa.Create(actual);
            byte[] signature = read.SignData(Data, HashAlgorithmName.SHA256);
            Assert.True(original.VerifyData(Data, signature, HashAlgorithmName.SHA256));
        }

        /// <summary>Asserts the reason and target, and that the message (and inner ones) quote neither the password nor the key.</summary>
        private static Edi2KeyException AssertFails(KeyErrorReason reason, string pem, string? password = Password, string? extraSecrets = null)
        {
            var e = Assert.Throws<Edi2KeyException>(() => PemKeyReader.Read(pem, password, Source));
            Assert.Equal(reason, e.KeyReason);
            Assert.Equal(Source, e.Target);
            Assert.Contains(Source, e.Message);

            string messages = string.Join("\n", Chain(e).Select(x => x.Message));
            Assert.DoesNotContain(Password, messages);
            foreach (string line in (pem + "\n" + extraSecrets).Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 16 && !l.StartsWith("-----")))
            {
                for (int i = 0; i + 16 <= line.Length; i++) Assert.DoesNotContain(line.Substring(i, 16), messages);
            }
            return e;
        }

        private static IEnumerable<Exception> Chain(Exception? e)
        {
            for (; e != null; e = e.InnerException) yield return e;
        }

        private static string CurveOid(string curve) => Curve(curve).Oid.Value!;

        /// <summary>A SEC1 ECPrivateKey with the given (possibly short) D and optional public point.</summary>
        private static byte[] Sec1(byte[] d, string curveOid, byte[]? publicPoint)
        {
            var w = new AsnWriter(AsnEncodingRules.DER);
            using (w.PushSequence())
            {
                w.WriteInteger(1);
                w.WriteOctetString(d);
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true))) w.WriteObjectIdentifier(curveOid);
                if (publicPoint != null)
                {
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true))) w.WriteBitString(publicPoint);
                }
            }
            return w.Encode();
        }

        /// <summary>PBES2 EncryptedPrivateKeyInfo built by hand, for what .NET's exporter cannot write (3DES, default PRF, key length).</summary>
        private static string EncryptPbes2(byte[] pkcs8, string password, string cipherOid, string? prfOid, bool writeKeyLength, byte[]? salt = null)
        {
            using SymmetricAlgorithm cipher = cipherOid == "1.2.840.113549.3.7" ? TripleDES.Create() : Aes.Create();
            cipher.KeySize = cipherOid switch { "2.16.840.1.101.3.4.1.2" => 128, "2.16.840.1.101.3.4.1.22" => 192, "2.16.840.1.101.3.4.1.42" => 256, _ => 192 };
            var prf = prfOid switch
            {
                null or "1.2.840.113549.2.7" => HashAlgorithmName.SHA1,
                "1.2.840.113549.2.9" => HashAlgorithmName.SHA256,
                "1.2.840.113549.2.10" => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA512,
            };
            salt ??= RandomNumberGenerator.GetBytes(16);
            byte[] iv = RandomNumberGenerator.GetBytes(cipher.BlockSize / 8);
            const int iterations = 2048;
            cipher.Key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, prf, cipher.KeySize / 8);
            byte[] encrypted = cipher.EncryptCbc(pkcs8, iv, PaddingMode.PKCS7);

            var w = new AsnWriter(AsnEncodingRules.DER);
            using (w.PushSequence())
            {
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier("1.2.840.113549.1.5.13");
                    using (w.PushSequence())
                    {
                        using (w.PushSequence())
                        {
                            w.WriteObjectIdentifier("1.2.840.113549.1.5.12");
                            using (w.PushSequence())
                            {
                                w.WriteOctetString(salt);
                                w.WriteInteger(iterations);
                                if (writeKeyLength) w.WriteInteger(cipher.KeySize / 8);
                                if (prfOid != null)
                                {
                                    using (w.PushSequence())
                                    {
                                        w.WriteObjectIdentifier(prfOid);
                                        w.WriteNull();
                                    }
                                }
                            }
                        }
                        using (w.PushSequence())
                        {
                            w.WriteObjectIdentifier(cipherOid);
                            w.WriteOctetString(iv);
                        }
                    }
                }
                w.WriteOctetString(encrypted);
            }
            return PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", w.Encode());
        }

        private static string CertificatePem(RSA key)
        {
            var request = new CertificateRequest("CN=client", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            return certificate.ExportCertificatePem();
        }
    }
}
