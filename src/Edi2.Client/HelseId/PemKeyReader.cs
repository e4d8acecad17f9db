using System;
using System.Security.Cryptography;
using System.Text;

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
    /// Reads RSA and EC private keys from PEM (PKCS#1, SEC1, PKCS#8 and PBES2-encrypted PKCS#8).
    /// netstandard2.0 has no PEM or PKCS#8 import, and the module must run on .NET Framework, so this parses the DER itself.
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
                        return new PemPrivateKey(ReadPkcs1(Whole(der), source));
                    case "EC PRIVATE KEY":
                        return new PemPrivateKey(ReadSec1(Whole(der), null, source));
                    case "PRIVATE KEY":
                        return ReadPkcs8(der, source);
                    default: // ENCRYPTED PRIVATE KEY
                        byte[] plain = DecryptPkcs8(der, password, source);
                        try
                        {
                            return ReadPkcs8(plain, source);
                        }
                        catch (FormatException e)
                        {
                            // Padding was valid by chance but the plaintext is garbage.
                            throw WrongPassword(source, e);
                        }
                        finally
                        {
                            Array.Clear(plain, 0, plain.Length);
                        }
                }
            }
            catch (FormatException e)
            {
                throw NotAKey(source, "the key data is malformed", e);
            }
            finally
            {
                Array.Clear(der, 0, der.Length);
            }
        }

        /// <summary>PBKDF2 (RFC 8018 section 5.2) over HMAC; netstandard2.0's Rfc2898DeriveBytes only offers HMAC-SHA1.</summary>
        internal static byte[] Pbkdf2(HashAlgorithmName prf, byte[] password, byte[] salt, int iterations, int length)
        {
            using HMAC hmac = prf == HashAlgorithmName.SHA1 ? new HMACSHA1(password)
                : prf == HashAlgorithmName.SHA256 ? new HMACSHA256(password)
                : prf == HashAlgorithmName.SHA384 ? new HMACSHA384(password)
                : prf == HashAlgorithmName.SHA512 ? (HMAC)new HMACSHA512(password)
                : throw new ArgumentException("Unsupported PRF.", nameof(prf));
            var result = new byte[length];
            var block = new byte[salt.Length + 4];
            Buffer.BlockCopy(salt, 0, block, 0, salt.Length);
            for (int i = 1, offset = 0; offset < length; i++)
            {
                // T_i = U_1 xor ... xor U_c, with U_1 = PRF(P, S || INT(i)) and U_j = PRF(P, U_{j-1}).
                block[salt.Length] = (byte)(i >> 24);
                block[salt.Length + 1] = (byte)(i >> 16);
                block[salt.Length + 2] = (byte)(i >> 8);
                block[salt.Length + 3] = (byte)i;
                byte[] u = hmac.ComputeHash(block);
                byte[] t = (byte[])u.Clone();
                for (int j = 1; j < iterations; j++)
                {
                    byte[] next = hmac.ComputeHash(u);
                    Array.Clear(u, 0, u.Length);
                    u = next;
                    for (int k = 0; k < t.Length; k++) t[k] ^= u[k];
                }
                int take = Math.Min(t.Length, length - offset);
                Buffer.BlockCopy(t, 0, result, offset, take);
                offset += take;
                Array.Clear(u, 0, u.Length);
                Array.Clear(t, 0, t.Length);
            }
            return result;
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

        /// <summary>PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958).</summary>
        private static PemPrivateKey ReadPkcs8(byte[] der, string source)
        {
            var info = Whole(der);
            int version = info.ReadSmallInteger();
            if (version > 1) throw new FormatException("Unknown PrivateKeyInfo version.");
            var algorithm = info.ReadSequence();
            string oid = algorithm.ReadOid();
            byte[] privateKey = info.ReadOctetString();
            // [0] attributes and [1] publicKey may follow; the inner key structures carry what we need.
            try
            {
                switch (oid)
                {
                    case RsaOid:
                        if (algorithm.HasData) algorithm.ReadNull();
                        algorithm.ThrowIfNotEmpty();
                        return new PemPrivateKey(ReadPkcs1(Whole(privateKey), source));
                    case EcOid:
                        ECCurve? curve = null;
                        if (algorithm.PeekTag() == DerReader.ObjectIdentifier) curve = CurveFromOid(algorithm.ReadOid(), source);
                        else if (algorithm.HasData && algorithm.PeekTag() != DerReader.Null) throw UnsupportedCurve(source, "explicit curve parameters");
                        else if (algorithm.HasData) algorithm.ReadNull();
                        algorithm.ThrowIfNotEmpty();
                        return new PemPrivateKey(ReadSec1(Whole(privateKey), curve, source));
                    default:
                        throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                            $"{SigningKey.Describe(source)} holds a key of algorithm {oid}, which is not supported; HelseID needs an RSA or EC (P-256/384/521) key.",
                            source);
                }
            }
            finally
            {
                Array.Clear(privateKey, 0, privateKey.Length);
            }
        }

        /// <summary>PKCS#1 RSAPrivateKey (RFC 8017 appendix A.1.2).</summary>
        private static RSAParameters ReadPkcs1(DerReader key, string source)
        {
            if (key.ReadSmallInteger() != 0)
            {
                throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType, $"{SigningKey.Describe(source)} holds a multi-prime RSA key, which is not supported.", source);
            }
            byte[] modulus = Positive(key.ReadInteger(), 0);
            byte[] exponent = Positive(key.ReadInteger(), 0);
            int half = (modulus.Length + 1) / 2;
            // .NET wants D as long as the modulus and the CRT values half as long, left-padded with zeros.
            var rsa = new RSAParameters
            {
                Modulus = modulus,
                Exponent = exponent,
                D = Positive(key.ReadInteger(), modulus.Length),
                P = Positive(key.ReadInteger(), half),
                Q = Positive(key.ReadInteger(), half),
                DP = Positive(key.ReadInteger(), half),
                DQ = Positive(key.ReadInteger(), half),
                InverseQ = Positive(key.ReadInteger(), half),
            };
            key.ThrowIfNotEmpty();
            return rsa;
        }

        /// <summary>SEC1 ECPrivateKey (RFC 5915). <paramref name="curve"/> comes from the PKCS#8 wrapper when there is one.</summary>
        private static ECParameters ReadSec1(DerReader key, ECCurve? curve, string source)
        {
            if (key.ReadSmallInteger() != 1) throw new FormatException("Unknown ECPrivateKey version.");
            byte[] d = key.ReadOctetString();
            if (key.PeekTag() == 0xA0)
            {
                var parameters = key.ReadExplicit(0);
                if (parameters.PeekTag() != DerReader.ObjectIdentifier) throw UnsupportedCurve(source, "explicit curve parameters");
                ECCurve inner = CurveFromOid(parameters.ReadOid(), source);
                parameters.ThrowIfNotEmpty();
                if (curve.HasValue && curve.Value.Oid.Value != inner.Oid.Value) throw new FormatException("Conflicting curve parameters.");
                curve = inner;
            }
            byte[]? point = null;
            if (key.PeekTag() == 0xA1)
            {
                var publicKey = key.ReadExplicit(1);
                point = publicKey.ReadBitString();
                publicKey.ThrowIfNotEmpty();
            }
            key.ThrowIfNotEmpty();
            if (!curve.HasValue) throw new FormatException("EC key without curve parameters.");

            int size = FieldSize(curve.Value);
            var ec = new ECParameters { Curve = curve.Value, D = Unsigned(d, size) };
            if (point != null && point.Length == 1 + 2 * size && point[0] == 0x04)
            {
                ec.Q = new ECPoint { X = Slice(point, 1, size), Y = Slice(point, 1 + size, size) };
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

        // ---- PKCS#8 decryption (PBES2, RFC 8018) ----

        private static byte[] DecryptPkcs8(byte[] der, string? password, string source)
        {
            var info = Whole(der);
            var scheme = info.ReadSequence();
            string schemeOid = scheme.ReadOid();
            if (schemeOid != Pbes2Oid)
            {
                string name = schemeOid.StartsWith(Pkcs12PbePrefix, StringComparison.Ordinal) ? "a PKCS#12 password-based scheme" : "scheme " + schemeOid;
                throw UnsupportedEncryption(source, name);
            }
            var pbes2 = scheme.ReadSequence();
            scheme.ThrowIfNotEmpty();

            var kdf = pbes2.ReadSequence();
            string kdfOid = kdf.ReadOid();
            if (kdfOid != Pbkdf2Oid) throw UnsupportedEncryption(source, "key derivation " + kdfOid);
            var kdfParams = kdf.ReadSequence();
            kdf.ThrowIfNotEmpty();
            if (kdfParams.PeekTag() != DerReader.OctetString) throw UnsupportedEncryption(source, "a PBKDF2 salt source");
            byte[] salt = kdfParams.ReadOctetString();
            int iterations = kdfParams.ReadSmallInteger();
            int? keyLength = kdfParams.PeekTag() == DerReader.Integer ? kdfParams.ReadSmallInteger() : (int?)null;
            HashAlgorithmName prf = HashAlgorithmName.SHA1; // the DEFAULT when absent
            if (kdfParams.HasData)
            {
                var prfAlgorithm = kdfParams.ReadSequence();
                string prfOid = prfAlgorithm.ReadOid();
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

            var cipher = pbes2.ReadSequence();
            pbes2.ThrowIfNotEmpty();
            string cipherOid = cipher.ReadOid();
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
                byte[] encrypted = info.ReadOctetString();
                info.ThrowIfNotEmpty();
                int blockBytes = algorithm.BlockSize / 8, keyBytes = algorithm.KeySize / 8;
                if (iv.Length != blockBytes || encrypted.Length == 0 || encrypted.Length % blockBytes != 0 || iterations < 1 || (keyLength.HasValue && keyLength != keyBytes))
                {
                    throw new FormatException("Inconsistent PBES2 parameters.");
                }

                if (password == null)
                {
                    throw new Edi2KeyException(KeyErrorReason.PasswordRequired, $"{SigningKey.Describe(source)} is encrypted; give its password.", source);
                }

                byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
                byte[] key = Pbkdf2(prf, passwordBytes, salt, iterations, keyBytes);
                try
                {
                    algorithm.Mode = CipherMode.CBC;
                    algorithm.Padding = PaddingMode.PKCS7;
                    using ICryptoTransform decryptor = algorithm.CreateDecryptor(key, iv);
                    return decryptor.TransformFinalBlock(encrypted, 0, encrypted.Length);
                }
                catch (CryptographicException e)
                {
                    throw WrongPassword(source, e);
                }
                finally
                {
                    Array.Clear(passwordBytes, 0, passwordBytes.Length);
                    Array.Clear(key, 0, key.Length);
                }
            }
        }

        // ---- Helpers ----

        /// <summary>Reads the single top-level SEQUENCE that must fill the whole buffer.</summary>
        private static DerReader Whole(byte[] der)
        {
            var outer = new DerReader(der);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            return sequence;
        }

        /// <summary>An INTEGER that must be positive (RSA values), as <see cref="Unsigned"/>.</summary>
        private static byte[] Positive(byte[] integer, int length)
        {
            if ((integer[0] & 0x80) != 0)
            {
                Array.Clear(integer, 0, integer.Length);
                throw new FormatException("Negative RSA value.");
            }
            return Unsigned(integer, length);
        }

        /// <summary>
        /// A big-endian unsigned value without leading zeros, left-padded to <paramref name="length"/> when that is not 0.
        /// Clears <paramref name="raw"/>, which is a temporary copy.
        /// </summary>
        private static byte[] Unsigned(byte[] raw, int length)
        {
            try
            {
                int skip = 0;
                while (skip < raw.Length - 1 && raw[skip] == 0) skip++;
                int significant = raw.Length - skip;
                if (length == 0) length = significant;
                if (significant > length) throw new FormatException("Key value longer than expected.");
                var value = new byte[length];
                Buffer.BlockCopy(raw, skip, value, length - significant, significant);
                return value;
            }
            finally
            {
                Array.Clear(raw, 0, raw.Length);
            }
        }

        private static byte[] Slice(byte[] data, int start, int length)
        {
            var slice = new byte[length];
            Buffer.BlockCopy(data, start, slice, 0, length);
            return slice;
        }

        private static Edi2KeyException NotAKey(string source, string detail, Exception? inner = null) =>
            new Edi2KeyException(KeyErrorReason.NotAKey, $"{SigningKey.Describe(source)} is not a PEM private key: {detail}.", source, inner);

        private static Edi2KeyException WrongPassword(string source, Exception inner) =>
            new Edi2KeyException(KeyErrorReason.WrongPassword, $"{SigningKey.Describe(source)} does not decrypt with the password given; check the password.", source, inner);

        private static Edi2KeyException UnsupportedEncryption(string source, string what) =>
            new Edi2KeyException(KeyErrorReason.UnsupportedEncryption,
                $"{SigningKey.Describe(source)} is encrypted with {what}, which is not supported; {ConvertHint}.",
                source);
    }
}
