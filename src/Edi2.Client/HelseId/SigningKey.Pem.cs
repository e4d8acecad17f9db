using System;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Edi2.HelseId
{
    // The PEM export: an unencrypted PKCS#8 "PRIVATE KEY", for a rotated key whose file was PEM. netstandard2.0 has no
    // ExportPkcs8PrivateKey, so the DER is written with System.Formats.Asn1's AsnWriter (RFC 5208, RFC 8017 A.1.2, RFC 5915).
    public sealed partial class SigningKey
    {
        private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
        private const string EcPublicKeyOid = "1.2.840.10045.2.1";

        /// <summary>The private key as PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>). Handle with care.</summary>
        public string ExportPrivatePem()
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteInteger(0);
                if (_key is RSA rsa)
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(RsaEncryptionOid);
                        writer.WriteNull();
                    }
                    var p = rsa.ExportParameters(true);
                    try
                    {
                        writer.WriteOctetString(RsaPrivateKeyDer(p));
                    }
                    finally
                    {
                        Wipe(p);
                    }
                }
                else
                {
                    var p = ((ECDsa)_key).ExportParameters(true);
                    try
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(EcPublicKeyOid);
                            writer.WriteObjectIdentifier(CurveOid(CurveName(p.Curve, "the key")));
                        }
                        writer.WriteOctetString(EcPrivateKeyDer(p));
                    }
                    finally
                    {
                        Array.Clear(p.D, 0, p.D.Length);
                    }
                }
            }
            byte[] der = writer.Encode();
            try
            {
                // RFC 7468 section 2: generators wrap the base64 at exactly 64 characters.
                string base64 = Convert.ToBase64String(der);
                var pem = new System.Text.StringBuilder("-----BEGIN PRIVATE KEY-----\n");
                for (int i = 0; i < base64.Length; i += 64) pem.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
                return pem.Append("-----END PRIVATE KEY-----\n").ToString();
            }
            finally
            {
                Array.Clear(der, 0, der.Length);
            }
        }

        private static byte[] RsaPrivateKeyDer(RSAParameters p)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteInteger(0);
                foreach (var part in new[] { p.Modulus, p.Exponent, p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ })
                {
                    // .NET pads the private parts to fixed lengths; a DER INTEGER has no leading zero bytes.
                    int zeros = 0;
                    while (zeros < part.Length - 1 && part[zeros] == 0) zeros++;
                    writer.WriteIntegerUnsigned(new ReadOnlySpan<byte>(part, zeros, part.Length - zeros));
                }
            }
            return writer.Encode();
        }

        private static byte[] EcPrivateKeyDer(ECParameters p)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                writer.WriteOctetString(p.D);
                var point = new byte[1 + p.Q.X.Length + p.Q.Y.Length];
                point[0] = 0x04; // uncompressed
                Buffer.BlockCopy(p.Q.X, 0, point, 1, p.Q.X.Length);
                Buffer.BlockCopy(p.Q.Y, 0, point, 1 + p.Q.X.Length, p.Q.Y.Length);
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                {
                    writer.WriteBitString(point);
                }
            }
            return writer.Encode();
        }

        private static string CurveOid(string curve)
        {
            switch (curve)
            {
                case "P-256": return "1.2.840.10045.3.1.7";
                case "P-384": return "1.3.132.0.34";
                default: return "1.3.132.0.35";
            }
        }
    }
}
