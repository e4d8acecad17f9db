using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Edi2.HelseId
{
    // The factories: a new key, or one read from a file, key text, a JWK, JWK members or a certificate; and the checks
    // they share (algorithm fits the key, curve, size).
    public sealed partial class SigningKey
    {
        // The algorithms are SigningAlgorithms' list; this says which EC algorithm fits which curve.
        private static readonly Dictionary<string, string> EcAlgorithmByCurve = new Dictionary<string, string>
        {
            ["P-256"] = "ES256", ["P-384"] = "ES384", ["P-521"] = "ES512",
        };

        /// <summary>A fresh P-256 key for DPoP proofs: fast to sign with, never stored.</summary>
        public static SigningKey CreateEphemeral() => new SigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256), "ES256", null);

        /// <summary>A new key pair for HelseID self-service. RSA algorithms get 4096 bits, as HelseID's own key rotation does.</summary>
        public static SigningKey Generate(string algorithm = "PS256")
        {
            string kid = Guid.NewGuid().ToString("N");
            if (SigningAlgorithms.Find(SigningAlgorithms.Rsa, algorithm) is string alg)
            {
                var rsa = CreateRsa();
                rsa.KeySize = 4096;
                return new SigningKey(rsa, alg, kid);
            }
            string? ec = SigningAlgorithms.Find(SigningAlgorithms.Ec, algorithm);
            foreach (var pair in EcAlgorithmByCurve)
            {
                if (ec != null && pair.Value == ec) return new SigningKey(ECDsa.Create(CurveFromName(pair.Key, "generated key")), ec, kid);
            }
            throw new ArgumentException(
                $"Unsupported algorithm '{algorithm}'. Use one of {string.Join(", ", SigningAlgorithms.ForNewKeys)} (or {string.Join("/", SigningAlgorithms.Allowed.Except(SigningAlgorithms.ForNewKeys))}).",
                nameof(algorithm));
        }

        /// <summary>Reads a key file: a private JWK (or a JWKS / self-service configuration holding one), or PEM.</summary>
        public static SigningKey FromFile(string path, string? password = null, string? algorithm = null)
        {
            if (!File.Exists(path))
            {
                throw new Edi2KeyException(KeyErrorReason.FileNotFound, $"Key file '{path}' does not exist.", path);
            }
            string text = File.ReadAllText(path);
            return FromText(text, password, algorithm, path);
        }

        /// <summary>Reads key text of any supported kind; <paramref name="source"/> names it in errors.</summary>
        public static SigningKey FromText(string text, string? password = null, string? algorithm = null, string source = "the key")
        {
            string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (trimmed.StartsWith("{", StringComparison.Ordinal)) return FromJwk(trimmed, algorithm, source);
            if (PemKeyReader.LooksLikePem(trimmed))
            {
                var pem = PemKeyReader.Read(trimmed, password, source);
                AsymmetricAlgorithm key = pem.Rsa is RSAParameters rsa ? ImportRsa(rsa, source) : ImportEc(pem.EC!.Value, source);
                return Create(key, algorithm, null, source);
            }
            throw new Edi2KeyException(KeyErrorReason.NotAKey,
                $"{Describe(source)} is neither a JWK (JSON) nor a PEM private key.", source);
        }

        /// <summary>Reads a private JWK. Also accepts a JWKS with one private key and a HelseID self-service configuration file (<c>privateJwk</c>).</summary>
        public static SigningKey FromJwk(string json, string? algorithm = null, string source = "the JWK")
        {
            JsonElement jwk = Jwk.ParsePrivate(json, source);
            string kty = Jwk.RequiredString(jwk, "kty", source);
            string? kid = Jwk.OptionalString(jwk, "kid");
            string? alg = algorithm ?? Jwk.OptionalString(jwk, "alg");
            AsymmetricAlgorithm key;
            if (kty == "RSA")
            {
                var p = Jwk.ReadRsaParameters(jwk, source);
                key = ImportRsa(p, source);
                Wipe(p);
            }
            else if (kty == "EC")
            {
                var p = Jwk.ReadEcParameters(jwk, source);
                key = ImportEc(p, source);
                Array.Clear(p.D, 0, p.D.Length);
            }
            else
            {
                throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                    $"{Describe(source)} has key type '{kty}'. HelseID accepts only asymmetric RSA or EC keys.", source);
            }
            return Create(key, alg, kid, source);
        }

        /// <summary>A private JWK given as its members (a SecretManagement hashtable secret, for one).</summary>
        public static SigningKey FromJwkMembers(IEnumerable<KeyValuePair<string, string>> members, string? algorithm = null, string source = "the JWK") =>
            FromJwk(Jwk.Serialize(members.ToDictionary(m => m.Key, m => (object)m.Value)), algorithm, source);

        /// <summary>Uses a certificate's private key. <paramref name="algorithm"/> defaults to PS256 (RSA) or the curve's ES algorithm.</summary>
        public static SigningKey FromCertificate(X509Certificate2 certificate, string? algorithm = null)
        {
            string source = $"certificate {certificate.Subject} ({certificate.Thumbprint})";
            if (!certificate.HasPrivateKey)
            {
                throw new Edi2KeyException(KeyErrorReason.NoPrivateKey,
                    $"The {source} has no private key on this machine (or this account cannot read it).", certificate.Thumbprint);
            }
            AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey()
                ?? certificate.GetECDsaPrivateKey()
                ?? throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                    $"The {source} has neither an RSA nor an EC key.", certificate.Thumbprint);
            // The key object belongs to this SigningKey; the certificate stays the caller's.
            return Create(key, algorithm, certificate.Thumbprint, source);
        }

        private static SigningKey Create(AsymmetricAlgorithm key, string? algorithm, string? kid, string source)
        {
            try
            {
                return new SigningKey(key, ResolveAlgorithm(key, algorithm, source), kid);
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }

        /// <summary>JWK <c>alg</c> when given (it must fit the key), else PS256 for RSA and the curve's ES algorithm for EC.</summary>
        private static string ResolveAlgorithm(AsymmetricAlgorithm key, string? algorithm, string source)
        {
            if (key is RSA rsa)
            {
                if (rsa.KeySize < 2048)
                {
                    throw new Edi2KeyException(KeyErrorReason.KeyTooSmall,
                        $"{Describe(source)} is an RSA key of {rsa.KeySize} bits; HelseID needs at least 2048 (4096 recommended).", source);
                }
                if (algorithm is null) return "PS256";
                if (SigningAlgorithms.Find(SigningAlgorithms.Rsa, algorithm) is string alg) return alg;
                throw AlgorithmMismatch(source, algorithm, "an RSA key",
                    string.Join(", ", SigningAlgorithms.Rsa.Take(SigningAlgorithms.Rsa.Count - 1)) + " or " + SigningAlgorithms.Rsa[SigningAlgorithms.Rsa.Count - 1]);
            }

            string curve = CurveName(((ECDsa)key).ExportParameters(false).Curve, source);
            string ecAlg = EcAlgorithmByCurve[curve];
            if (algorithm is null || string.Equals(algorithm, ecAlg, StringComparison.OrdinalIgnoreCase)) return ecAlg;
            throw AlgorithmMismatch(source, algorithm, $"an EC {curve} key", ecAlg);
        }

        private static Edi2KeyException AlgorithmMismatch(string source, string algorithm, string keyKind, string fits) =>
            new Edi2KeyException(KeyErrorReason.AlgorithmMismatch,
                $"{Describe(source)} says algorithm '{algorithm}', which does not fit {keyKind}. Use {fits}.", source);

        private static RSA ImportRsa(RSAParameters parameters, string source)
        {
            var rsa = CreateRsa();
            try
            {
                rsa.ImportParameters(parameters);
                return rsa;
            }
            catch (CryptographicException e)
            {
                rsa.Dispose();
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk, $"{Describe(source)} is not a consistent RSA private key.", source, e);
            }
        }

        private static ECDsa ImportEc(ECParameters parameters, string source)
        {
            try
            {
                return ECDsa.Create(parameters);
            }
            catch (CryptographicException e)
            {
                throw new Edi2KeyException(KeyErrorReason.MalformedJwk, $"{Describe(source)} is not a consistent EC private key.", source, e);
            }
        }

        // .NET Framework's default RSA (RSACryptoServiceProvider) cannot sign PSS; its CNG implementation can.
        private static RSA CreateRsa() =>
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)
                ? new RSACng()
                : RSA.Create();

        internal static ECCurve CurveFromName(string crv, string source)
        {
            switch (crv)
            {
                case "P-256": return ECCurve.NamedCurves.nistP256;
                case "P-384": return ECCurve.NamedCurves.nistP384;
                case "P-521": return ECCurve.NamedCurves.nistP521;
                default:
                    throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                        $"{Describe(source)} uses curve '{crv}'. HelseID accepts P-256, P-384 and P-521.", source);
            }
        }

        private static string CurveName(ECCurve curve, string source)
        {
            // Curves come back by OID value, friendly name or both depending on the platform.
            string id = curve.Oid?.Value ?? "";
            string name = curve.Oid?.FriendlyName ?? "";
            if (id == "1.2.840.10045.3.1.7" || name == "nistP256" || name == "ECDSA_P256") return "P-256";
            if (id == "1.3.132.0.34" || name == "nistP384" || name == "ECDSA_P384") return "P-384";
            if (id == "1.3.132.0.35" || name == "nistP521" || name == "ECDSA_P521") return "P-521";
            throw new Edi2KeyException(KeyErrorReason.UnsupportedKeyType,
                $"{Describe(source)} uses an EC curve HelseID does not accept ({(name.Length > 0 ? name : id)}); use P-256, P-384 or P-521.", source);
        }

        internal static string Describe(string source) =>
            source.StartsWith("the ", StringComparison.Ordinal) || source.StartsWith("certificate ", StringComparison.Ordinal)
                ? char.ToUpperInvariant(source[0]) + source.Substring(1)
                : $"Key file '{source}'";
    }
}
