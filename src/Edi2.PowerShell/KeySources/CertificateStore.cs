using System.Security.Cryptography.X509Certificates;
using Edi2.HelseId;

namespace Edi2.PowerShell.KeySources
{
    /// <summary>-CertificateThumbprint: a certificate in CurrentUser\My, then LocalMachine\My.</summary>
    internal static class CertificateStore
    {
        public static X509Certificate2 FindByThumbprint(string thumbprint)
        {
            string wanted = thumbprint.Replace(" ", "").ToUpperInvariant();
            foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                try
                {
                    using (var store = new X509Store(StoreName.My, location))
                    {
                        store.Open(OpenFlags.ReadOnly);
                        var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
                        if (found.Count > 0) return found[0];
                    }
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // This store does not exist on this platform (LocalMachine\My on Linux): try the next.
                }
            }
            throw new Edi2KeyException(KeyErrorReason.FileNotFound,
                $"No certificate with thumbprint {wanted} in CurrentUser\\My or LocalMachine\\My.", wanted);
        }
    }
}
