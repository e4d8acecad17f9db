using System;
using System.Formats.Asn1;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Edi2.HelseId
{
    /// <summary>The private key parameters read from a PEM file. Exactly one of <see cref="Rsa"/> and <see cref="EC"/> is set.</summary>
    internal sealed class PemPrivateKey
    {
        public PemPrivateKey(RSAParameters rsa) => Rsa = rsa;

        public PemPrivateKey(ECParameters ec) => EC = ec;

        public RSAParameters? Rsa { get; }

        /// <summary>Curve is the named curve (nistP256/384/521) and Q, the public point, is filled in.</summary>
        public ECParameters? EC { get; }
    }

    /// <summary>
    /// Reads RSA and EC private keys from PEM (PKCS#1, SEC1, PKCS#8 and PBES2-encrypted PKCS#8). The DER is read with
    /// <see cref="AsnReader"/> (System.Formats.Asn1); PBKDF2 and the ciphers are the platform's. What stays here, and why:
    /// <list type="bullet">
    /// <item>Walking the structures (PrivateKeyInfo, RSAPrivateKey, ECPrivateKey, PBES2 parameters) and mapping them to
    /// <see cref="RSAParameters"/>/<see cref="ECParameters"/>: .NET Framework 4.7.2 and netstandard2.0 have no
    /// RSA/ECDsa.ImportPkcs8PrivateKey, ImportEncryptedPkcs8PrivateKey, ImportRSAPrivateKey or ImportECPrivateKey, and
    /// System.Security.Cryptography.Pkcs has Pkcs8PrivateKeyInfo (with DecryptAndDecode) only in its netstandard2.1 and
    /// .NET builds, not in the netstandard2.0 or net462 ones that Windows PowerShell loads. So a key reaches the platform
    /// through ImportParameters, on both runtimes the same way.</item>
    /// <item>The PEM armour: netstandard2.0 has no <c>PemEncoding</c> (.NET 5+ only, in no package), and the errors for a
    /// public key, legacy OpenSSL encryption and an unknown block are ours.</item>
    /// <item>PBES2 (RFC 8018 section 6.2) is the platform's PBKDF2 and AES/3DES in CBC mode, put together here.</item>
    /// </list>
    /// </summary>
    internal static class PemKeyReader
    {
        private const string RsaOid = "1.2.840.113549.1.1.1";
        private const string EcOid = "1.2.840.10045.2.1";
        private const string Pbes2Oid = "1.2.840.113549.1.5.13";
        private const string Pbkdf2Oid = "1.2.840.113549.1.5.12";
        private const string Pkcs12PbePrefix = "1.2.840.113549.1.12.1.";
        private const string ConvertHint = "convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD.pem -out NEW.pem`";

        /// <summary>true when the text looks like PEM (has a "-----BEGIN " marker).</summary>
        public static bool LooksLikePem(string text) =>
            text != null && text.IndexOf("-----BEGIN ", StringComparison.Ordinal) >= 0;

        /// <summary>
        /// Reads the first private key block in <paramref name="pemText"/>. <paramref name="source"/> names where the text
        /// came from (a file path or "JWK parameter"); it is the error target and appears in messages.
        /// </summary>
        public static PemPrivateKey Read(string pemText, string? password, string source)
        {
            if (pemText == null) throw new ArgumentNullException(nameof(pemText));
            var (label, body) = FindPrivateKeyBlock(pemText, source);

            byte[] der;
            try
            {
                der = Convert.FromBase64String(body);
            }
            catch (FormatException e)
            {
                throw NotAKey(source, "the base64 data of the key block is damaged", e);
            }

            try
            {
                switch (label)
                {
                    case "RSA PRIVATE KEY":
                        return new PemPrivateKey(ReadPkcs1(der, source));
                    case "EC PRIVATE KEY":
                        return new PemPrivateKey(ReadSec1(der, null, source));
                    case "PRIVATE KEY":
                        return ReadPkcs8(der, source);
                    default: // ENCRYPTED PRIVATE KEY
                        return ReadEncryptedPkcs8(der, password, source);
                }
            }
            catch (Exception e) when (IsMalformed(e))
            {
                throw NotAKey(source, "the key data is malformed", e);
            }
            finally
            {
                Array.Clear(der, 0, der.Length);
            }
        }

        // ---- PEM armour ----

        private static (string Label, string Body) FindPrivateKeyBlock(string text, string source)
        {
            bool sawPublic = false;
            int pos = 0;
            while (true)
            {
                int begin = text.IndexOf("-----BEGIN ", pos, StringComparison.Ordinal);
                if (begin < 0) break;
                int labelStart = begin + "-----BEGIN ".Length;
                int labelEnd = text.IndexOf("-----", labelStart, StringComparison.Ordinal);
                if (labelEnd < 0) break;
                string label = text.Substring(labelStart, labelEnd - labelStart).Trim();
                pos = labelEnd + 5;
                if (label.IndexOf('\n') >= 0) continue; // not a real BEGIN line

                string endMarker = "-----END " + label + "-----";
                int end = text.IndexOf(endMarker, pos, StringComparison.Ordinal);
                bool isPrivate = label.EndsWith("PRIVATE KEY", StringComparison.Ordinal);
                if (end < 0)
                {
                    if (isPrivate) throw NotAKey(source, $"the '{label}' block has no END line (is the file cut short?)");
                    break;
                }
                if (isPrivate)
                {
                    if (label != "RSA PRIVATE KEY" && label != "EC PRIVATE KEY" && label != "PRIVATE KEY" && label != "ENCRYPTED PRIVATE KEY")
                    {
                        throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                            $"{SigningKey.Describe(source)} holds a '{label}' block, which is not supported; HelseID needs an RSA or EC (P-256/384/521) key in PKCS#1, SEC1 or PKCS#8 PEM.",
                            source);
                    }
                    return (label, StripHeaders(text.Substring(pos, end - pos), source));
                }
                sawPublic |= label.IndexOf("PUBLIC KEY", StringComparison.Ordinal) >= 0 || label.IndexOf("CERTIFICATE", StringComparison.Ordinal) >= 0;
                pos = end + endMarker.Length;
            }

            if (sawPublic)
            {
                throw new Edi2KeyException(KeyErrorReason.PublicOnly,
                    $"{SigningKey.Describe(source)} holds only a public key; HelseID needs the private key (the one whose public part is registered for the client).",
                    source);
            }
            throw NotAKey(source, "no '-----BEGIN ... PRIVATE KEY-----' block found");
        }

        /// <summary>Drops RFC 1421 header lines ("Name: value"); base64 never contains ':'. Legacy OpenSSL encryption is refused.</summary>
        private static string StripHeaders(string body, string source)
        {
            var base64 = new StringBuilder(body.Length);
            foreach (string line in body.Split('\n'))
            {
                if (line.IndexOf(':') >= 0)
                {
                    if (line.TrimStart().StartsWith("Proc-Type:", StringComparison.OrdinalIgnoreCase) && line.IndexOf("ENCRYPTED", StringComparison.OrdinalIgnoreCase) >= 0
                        || line.TrimStart().StartsWith("DEK-Info:", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new Edi2KeyException(KeyErrorReason.UnsupportedEncryption,
                            $"{SigningKey.Describe(source)} uses legacy OpenSSL PEM encryption (Proc-Type/DEK-Info), which is not supported; {ConvertHint}.",
                            source);
                    }
                    continue;
                }
                foreach (char c in line)
                {
                    if (!char.IsWhiteSpace(c)) base64.Append(c);
                }
            }
            return base64.ToString();
        }

        // ---- Key structures ----

        /// <summary>PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958): the key inside, by its algorithm.</summary>
        private static PemPrivateKey ReadPkcs8(ReadOnlyMemory<byte> der, string source)
        {
            AsnReader info = Whole(der);
            if (!info.TryReadInt32(out int version) || version < 0 || version > 1) throw Malformed("Unknown PrivateKeyInfo version.");
            AsnReader algorithm = info.ReadSequence();
            string oid = algorithm.ReadObjectIdentifier();
            if (!info.TryReadPrimitiveOctetString(out ReadOnlyMemory<byte> privateKey)) throw Malformed("Constructed OCTET STRING.");
            // [0] attributes and [1] publicKey may follow; the inner key structures carry what we need.
            switch (oid)
            {
                case RsaOid:
                    if (algorithm.HasData) algorithm.ReadNull();
                    algorithm.ThrowIfNotEmpty();
                    return new PemPrivateKey(ReadPkcs1(privateKey, source));
                case EcOid:
                    ECCurve? curve = null;
                    if (algorithm.HasData)
                    {
                        Asn1Tag tag = algorithm.PeekTag();
                        if (tag.HasSameClassAndValue(Asn1Tag.ObjectIdentifier)) curve = CurveFromOid(algorithm.ReadObjectIdentifier(), source);
                        else if (tag.HasSameClassAndValue(Asn1Tag.Null)) algorithm.ReadNull();
                        else throw UnsupportedCurve(source, "explicit curve parameters");
                    }
                    algorithm.ThrowIfNotEmpty();
                    return new PemPrivateKey(ReadSec1(privateKey, curve, source));
                default:
                    throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                        $"{SigningKey.Describe(source)} holds a key of algorithm {oid}, which is not supported; HelseID needs an RSA or EC (P-256/384/521) key.",
                        source);
            }
        }

        /// <summary>PKCS#1 RSAPrivateKey (RFC 8017 appendix A.1.2).</summary>
        private static RSAParameters ReadPkcs1(ReadOnlyMemory<byte> der, string source)
        {
            AsnReader key = Whole(der);
            if (!key.TryReadInt32(out int version) || version < 0) throw Malformed("Bad RSAPrivateKey version.");
            if (version != 0)
            {
                throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType, $"{SigningKey.Describe(source)} holds a multi-prime RSA key, which is not supported.", source);
            }
            byte[] modulus = Positive(key.ReadIntegerBytes(), 0);
            byte[] exponent = Positive(key.ReadIntegerBytes(), 0);
            int half = (modulus.Length + 1) / 2;
            // .NET wants D as long as the modulus and the CRT values half as long, left-padded with zeros.
            var rsa = new RSAParameters
            {
                Modulus = modulus,
                Exponent = exponent,
                D = Positive(key.ReadIntegerBytes(), modulus.Length),
                P = Positive(key.ReadIntegerBytes(), half),
                Q = Positive(key.ReadIntegerBytes(), half),
                DP = Positive(key.ReadIntegerBytes(), half),
                DQ = Positive(key.ReadIntegerBytes(), half),
                InverseQ = Positive(key.ReadIntegerBytes(), half),
            };
            key.ThrowIfNotEmpty();
            return rsa;
        }

        /// <summary>SEC1 ECPrivateKey (RFC 5915). <paramref name="curve"/> comes from the PKCS#8 wrapper when there is one.</summary>
        private static ECParameters ReadSec1(ReadOnlyMemory<byte> der, ECCurve? curve, string source)
        {
            AsnReader key = Whole(der);
            if (!key.TryReadInt32(out int version) || version != 1) throw Malformed("Unknown ECPrivateKey version.");
            if (!key.TryReadPrimitiveOctetString(out ReadOnlyMemory<byte> d)) throw Malformed("Constructed OCTET STRING.");
            var parametersTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (key.HasData && key.PeekTag().HasSameClassAndValue(parametersTag))
            {
                AsnReader parameters = key.ReadSequence(parametersTag);
                if (!parameters.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier)) throw UnsupportedCurve(source, "explicit curve parameters");
                ECCurve inner = CurveFromOid(parameters.ReadObjectIdentifier(), source);
                parameters.ThrowIfNotEmpty();
                if (curve.HasValue && curve.Value.Oid.Value != inner.Oid.Value) throw Malformed("Conflicting curve parameters.");
                curve = inner;
            }
            ReadOnlyMemory<byte>? point = null;
            var publicKeyTag = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
            if (key.HasData && key.PeekTag().HasSameClassAndValue(publicKeyTag))
            {
                AsnReader publicKey = key.ReadSequence(publicKeyTag);
                if (!publicKey.TryReadPrimitiveBitString(out int unusedBits, out ReadOnlyMemory<byte> bits) || unusedBits != 0)
                {
                    throw Malformed("BIT STRING with unused bits.");
                }
                publicKey.ThrowIfNotEmpty();
                point = bits;
            }
            key.ThrowIfNotEmpty();
            if (!curve.HasValue) throw Malformed("EC key without curve parameters.");

            int size = FieldSize(curve.Value);
            var ec = new ECParameters { Curve = curve.Value, D = Unsigned(d.Span, size) };
            if (point is ReadOnlyMemory<byte> q && q.Length == 1 + 2 * size && q.Span[0] == 0x04)
            {
                ec.Q = new ECPoint { X = q.Slice(1, size).ToArray(), Y = q.Slice(1 + size, size).ToArray() };
            }
            else
            {
                // Absent or compressed point: let the platform compute Q = d·G.
                ec.Q = DerivePublicPoint(ec, source);
            }
            return ec;
        }

        private static ECPoint DerivePublicPoint(ECParameters privateOnly, string source)
        {
            try
            {
                using var ecdsa = ECDsa.Create(privateOnly);
                ECPoint q = ecdsa.ExportParameters(false).Q;
                if (q.X == null || q.Y == null) throw new CryptographicException("No public point.");
                return q;
            }
            catch (Exception e) when (e is CryptographicException || e is ArgumentException || e is PlatformNotSupportedException)
            {
                // .NET Framework insists on Q at import, and we do not do curve arithmetic ourselves.
                throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                    $"{SigningKey.Describe(source)} holds an EC private key without its public point, which this platform cannot compute; "
                    + "re-export it with `openssl ec -in OLD.pem -out NEW.pem` (that writes the public point too).",
                    source, e);
            }
        }

        private static ECCurve CurveFromOid(string oid, string source) => oid switch
        {
            "1.2.840.10045.3.1.7" => ECCurve.NamedCurves.nistP256,
            "1.3.132.0.34" => ECCurve.NamedCurves.nistP384,
            "1.3.132.0.35" => ECCurve.NamedCurves.nistP521,
            _ => throw UnsupportedCurve(source, "curve " + oid),
        };

        private static int FieldSize(ECCurve curve) => curve.Oid.Value switch
        {
            "1.2.840.10045.3.1.7" => 32,
            "1.3.132.0.34" => 48,
            _ => 66,
        };

        private static Edi2KeyException UnsupportedCurve(string source, string what) =>
            new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                $"{SigningKey.Describe(source)} holds an EC key with {what}, which is not supported; HelseID needs P-256, P-384 or P-521.",
                source);

        // ---- Encrypted PKCS#8 (PBES2, RFC 8018) ----

        /// <summary>
        /// Tests set this to take the .NET Framework way to PBKDF2 (the Rfc2898DeriveBytes constructor) where the
        /// runtime also has the one-shot method, so both ways are tested on .NET.
        /// </summary>
        internal static readonly AsyncLocal<bool> UseFrameworkPbkdf2 = new AsyncLocal<bool>();

        // netstandard2.0 shows only HMAC-SHA1 PBKDF2, but both runtimes Edi2 runs on have it for SHA-2 as well: .NET 6+ as
        // the one-shot Rfc2898DeriveBytes.Pbkdf2, .NET Framework 4.7.2+ (and .NET Core 2.0+) as the constructor that takes a
        // HashAlgorithmName. Found once by reflection; no PBKDF2 of our own.
        private static readonly Func<byte[], byte[], int, HashAlgorithmName, int, byte[]>? Pbkdf2OneShot = FindPbkdf2OneShot();
        private static readonly ConstructorInfo? Pbkdf2Constructor =
            typeof(Rfc2898DeriveBytes).GetConstructor(new[] { typeof(byte[]), typeof(byte[]), typeof(int), typeof(HashAlgorithmName) });

        /// <summary>true when PBKDF2 is the one-shot method (.NET 6+), false for the constructor (.NET Framework, or forced).</summary>
        internal static bool UsesOneShotPbkdf2 => Pbkdf2OneShot != null && !UseFrameworkPbkdf2.Value;

        /// <summary>true when the runtime has the constructor that .NET Framework 4.7.2 uses.</summary>
        internal static bool HasFrameworkPbkdf2 => Pbkdf2Constructor != null;

        /// <summary>PBKDF2 (RFC 8018 section 5.2) with an HMAC PRF, by the platform.</summary>
        internal static byte[] Pbkdf2(HashAlgorithmName prf, byte[] password, byte[] salt, int iterations, int length)
        {
            if (UsesOneShotPbkdf2) return Pbkdf2OneShot!(password, salt, iterations, prf, length);
            if (Pbkdf2Constructor == null) throw new PlatformNotSupportedException("This runtime has no PBKDF2 with " + prf.Name + ".");
            // .NET Framework's constructor refuses such salts itself; .NET's does not. Checked here so that both behave alike.
            if (salt.Length < 8) throw new ArgumentException("PBKDF2 by Rfc2898DeriveBytes' constructor needs a salt of at least 8 bytes.", nameof(salt));
            try
            {
                using var kdf = (DeriveBytes)Pbkdf2Constructor.Invoke(new object[] { password, salt, iterations, prf });
                return kdf.GetBytes(length);
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw; // not reached
            }
        }

        private static Func<byte[], byte[], int, HashAlgorithmName, int, byte[]>? FindPbkdf2OneShot()
        {
            MethodInfo? method = typeof(Rfc2898DeriveBytes).GetMethod("Pbkdf2", BindingFlags.Public | BindingFlags.Static, null,
                new[] { typeof(byte[]), typeof(byte[]), typeof(int), typeof(HashAlgorithmName), typeof(int) }, null);
            return method is null || method.ReturnType != typeof(byte[])
                ? null
                : (Func<byte[], byte[], int, HashAlgorithmName, int, byte[]>)Delegate.CreateDelegate(typeof(Func<byte[], byte[], int, HashAlgorithmName, int, byte[]>), method);
        }

        /// <summary>EncryptedPrivateKeyInfo with PBES2: PBKDF2 (HMAC-SHA1/256/384/512) and AES-CBC or DES-EDE3-CBC.</summary>
        private static PemPrivateKey ReadEncryptedPkcs8(byte[] der, string? password, string source)
        {
            AsnReader info = Whole(der);
            AsnReader scheme = info.ReadSequence();
            string schemeOid = scheme.ReadObjectIdentifier();
            if (schemeOid != Pbes2Oid)
            {
                string name = schemeOid.StartsWith(Pkcs12PbePrefix, StringComparison.Ordinal) ? "a PKCS#12 password-based scheme" : "scheme " + schemeOid;
                throw UnsupportedEncryption(source, name);
            }
            AsnReader pbes2 = scheme.ReadSequence();
            scheme.ThrowIfNotEmpty();

            AsnReader kdf = pbes2.ReadSequence();
            string kdfOid = kdf.ReadObjectIdentifier();
            if (kdfOid != Pbkdf2Oid) throw UnsupportedEncryption(source, "key derivation " + kdfOid);
            AsnReader kdfParams = kdf.ReadSequence();
            kdf.ThrowIfNotEmpty();
            if (!kdfParams.PeekTag().HasSameClassAndValue(Asn1Tag.PrimitiveOctetString)) throw UnsupportedEncryption(source, "a PBKDF2 salt source");
            byte[] salt = kdfParams.ReadOctetString();
            if (!kdfParams.TryReadInt32(out int iterations) || iterations < 1) throw Malformed("Bad PBKDF2 iteration count.");
            int? keyLength = null;
            if (kdfParams.HasData && kdfParams.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                keyLength = kdfParams.TryReadInt32(out int length) ? length : throw Malformed("Bad PBKDF2 key length.");
            }
            HashAlgorithmName prf = HashAlgorithmName.SHA1; // the DEFAULT when absent
            if (kdfParams.HasData)
            {
                AsnReader prfAlgorithm = kdfParams.ReadSequence();
                string prfOid = prfAlgorithm.ReadObjectIdentifier();
                prf = prfOid switch
                {
                    "1.2.840.113549.2.7" => HashAlgorithmName.SHA1,
                    "1.2.840.113549.2.9" => HashAlgorithmName.SHA256,
                    "1.2.840.113549.2.10" => HashAlgorithmName.SHA384,
                    "1.2.840.113549.2.11" => HashAlgorithmName.SHA512,
                    _ => throw UnsupportedEncryption(source, "PBKDF2 PRF " + prfOid),
                };
                if (prfAlgorithm.HasData) prfAlgorithm.ReadNull();
                prfAlgorithm.ThrowIfNotEmpty();
            }
            kdfParams.ThrowIfNotEmpty();

            AsnReader cipher = pbes2.ReadSequence();
            pbes2.ThrowIfNotEmpty();
            string cipherOid = cipher.ReadObjectIdentifier();
            SymmetricAlgorithm algorithm;
            switch (cipherOid)
            {
                case "2.16.840.1.101.3.4.1.2": algorithm = Aes.Create(); algorithm.KeySize = 128; break;
                case "2.16.840.1.101.3.4.1.22": algorithm = Aes.Create(); algorithm.KeySize = 192; break;
                case "2.16.840.1.101.3.4.1.42": algorithm = Aes.Create(); algorithm.KeySize = 256; break;
                case "1.2.840.113549.3.7": algorithm = TripleDES.Create(); algorithm.KeySize = 192; break;
                default: throw UnsupportedEncryption(source, "cipher " + cipherOid);
            }
            using (algorithm)
            {
                byte[] iv = cipher.ReadOctetString();
                cipher.ThrowIfNotEmpty();
                if (!info.TryReadPrimitiveOctetString(out ReadOnlyMemory<byte> encrypted)) throw Malformed("Constructed OCTET STRING.");
                info.ThrowIfNotEmpty();
                int blockBytes = algorithm.BlockSize / 8, keyBytes = algorithm.KeySize / 8;
                if (iv.Length != blockBytes || encrypted.Length == 0 || encrypted.Length % blockBytes != 0 || (keyLength.HasValue && keyLength != keyBytes))
                {
                    throw Malformed("Inconsistent PBES2 parameters.");
                }

                if (password == null)
                {
                    throw new Edi2KeyException(KeyErrorReason.PasswordRequired, $"{SigningKey.Describe(source)} is encrypted; give its password.", source);
                }

                byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
                byte[]? key = null, plain = null;
                try
                {
                    try
                    {
                        key = Pbkdf2(prf, passwordBytes, salt, iterations, keyBytes);
                    }
                    catch (Exception e) when (e is ArgumentException || e is PlatformNotSupportedException)
                    {
                        // The .NET Framework constructor refuses salts under 8 bytes (OpenSSL writes 8 or 16).
                        throw UnsupportedEncryption(source, salt.Length < 8 ? "a PBKDF2 salt shorter than 8 bytes, which this platform does not take" : "PBKDF2 parameters this platform does not take", e);
                    }
                    algorithm.Mode = CipherMode.CBC;
                    algorithm.Padding = PaddingMode.PKCS7;
                    using ICryptoTransform decryptor = algorithm.CreateDecryptor(key, iv);
                    byte[] ciphertext = encrypted.ToArray();
                    try
                    {
                        plain = decryptor.TransformFinalBlock(ciphertext, 0, ciphertext.Length);
                    }
                    catch (CryptographicException e)
                    {
                        throw WrongPassword(source, e);
                    }
                    try
                    {
                        return ReadPkcs8(plain, source);
                    }
                    catch (Exception e) when (IsMalformed(e))
                    {
                        // The padding was valid by chance but the plaintext is garbage.
                        throw WrongPassword(source, e);
                    }
                }
                finally
                {
                    Array.Clear(passwordBytes, 0, passwordBytes.Length);
                    if (key != null) Array.Clear(key, 0, key.Length);
                    if (plain != null) Array.Clear(plain, 0, plain.Length);
                }
            }
        }

        // ---- Helpers ----

        /// <summary>Reads the single top-level SEQUENCE that must fill the whole buffer.</summary>
        private static AsnReader Whole(ReadOnlyMemory<byte> der)
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            AsnReader sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            return sequence;
        }

        /// <summary>What reading throws for data that is not the structure it claims to be (the messages never quote it).</summary>
        private static bool IsMalformed(Exception e) => e is FormatException || e is AsnContentException;

        private static FormatException Malformed(string what) => new FormatException(what);

        /// <summary>An INTEGER that must be positive (RSA values), as <see cref="Unsigned"/>.</summary>
        private static byte[] Positive(ReadOnlyMemory<byte> integer, int length)
        {
            if ((integer.Span[0] & 0x80) != 0) throw Malformed("Negative RSA value.");
            return Unsigned(integer.Span, length);
        }

        /// <summary>A big-endian unsigned value without leading zeros, left-padded to <paramref name="length"/> when that is not 0.</summary>
        private static byte[] Unsigned(ReadOnlySpan<byte> raw, int length)
        {
            int skip = 0;
            while (skip < raw.Length - 1 && raw[skip] == 0) skip++;
            ReadOnlySpan<byte> significant = raw.Slice(skip);
            if (length == 0) length = significant.Length;
            if (significant.Length > length) throw Malformed("Key value longer than expected.");
            var value = new byte[length];
            significant.CopyTo(value.AsSpan(length - significant.Length));
            return value;
        }

        private static Edi2KeyException NotAKey(string source, string detail, Exception? inner = null) =>
            new Edi2KeyException(KeyErrorReason.NotAKey, $"{SigningKey.Describe(source)} is not a PEM private key: {detail}.", source, inner);

        private static Edi2KeyException WrongPassword(string source, Exception inner) =>
            new Edi2KeyException(KeyErrorReason.WrongPassword, $"{SigningKey.Describe(source)} does not decrypt with the password given; check the password.", source, inner);

        private static Edi2KeyException UnsupportedEncryption(string source, string what, Exception? inner = null) =>
            new Edi2KeyException(KeyErrorReason.UnsupportedEncryption,
                $"{SigningKey.Describe(source)} is encrypted with {what}, which is not supported; {ConvertHint}.",
                source, inner);
    }
}
