// TEMPORARY until the pem-reader branch is merged.
using System.Security.Cryptography;
namespace Edi2.HelseId
{
    internal sealed class PemPrivateKey { public RSAParameters? Rsa { get; set; } public ECParameters? EC { get; set; } }
    internal static class PemKeyReader
    {
        public static PemPrivateKey Read(string pemText, string? password, string source) => throw new System.NotImplementedException();
        public static bool LooksLikePem(string text) => text.Contains("-----BEGIN ");
    }
}
