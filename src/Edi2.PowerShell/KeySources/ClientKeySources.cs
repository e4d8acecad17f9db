using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using Edi2.HelseId;

namespace Edi2.PowerShell.KeySources
{
    /// <summary>
    /// Where Connect-Edi2 finds the client key, one method per parameter set: a key file, a -Jwk value, a certificate
    /// object, a certificate in the store, a SecretManagement vault, or the <see cref="EnvironmentVariable"/>. Each hands
    /// what it found to <see cref="SigningKey"/>, the one key reader, naming the source for its errors.
    /// </summary>
    internal static class ClientKeySources
    {
        /// <summary>The environment variable holding the private JWK when no key parameter is given.</summary>
        public const string EnvironmentVariable = "EDI2_CLIENT_KEY";

        /// <summary>-KeyPath: <paramref name="path"/> already resolved to a file system path.</summary>
        public static SigningKey FromKeyPath(string path, SecureString? password, string? algorithm) =>
            SigningKey.FromFile(path, SecretText.Plain(password), algorithm);

        public static SigningKey FromJwk(object? jwk, string? algorithm) =>
            SigningKey.FromText(SecretText.Plain(jwk) ?? "", null, algorithm, "the -Jwk value");

        public static SigningKey FromCertificate(X509Certificate2 certificate, string? algorithm) =>
            SigningKey.FromCertificate(certificate, algorithm);

        public static SigningKey FromCertificateStore(string thumbprint, string? algorithm) =>
            SigningKey.FromCertificate(CertificateStore.FindByThumbprint(thumbprint), algorithm);

        public static SigningKey FromVault(CommandInvocationIntrinsics invokeCommand, string vault, string secretName, string? algorithm)
        {
            string source = $"the secret '{secretName}' in vault '{vault}'";
            object secret = SecretManagementVault.ReadSecret(invokeCommand, vault, secretName);
            return secret is IDictionary members
                ? SigningKey.FromJwkMembers(members.Keys.Cast<object>().Select(k => new KeyValuePair<string, string>(k.ToString()!, SecretText.Plain(members[k]) ?? "")), algorithm, source)
                : SigningKey.FromText((string)secret, null, algorithm, source);
        }

        /// <summary>No key parameter: the private JWK in <see cref="EnvironmentVariable"/>; <paramref name="clientId"/> names a missing one.</summary>
        public static SigningKey FromEnvironmentVariable(string clientId, string? algorithm)
        {
            string? jwk = System.Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(jwk))
            {
                throw new Edi2KeyException(KeyErrorReason.NoKeyGiven,
                    $"No client key given. Use -KeyPath, -Jwk, -Certificate, -CertificateThumbprint or -Vault/-SecretName, or put the private JWK in the {EnvironmentVariable} environment variable.",
                    clientId);
            }
            return SigningKey.FromText(jwk!, null, algorithm, $"the {EnvironmentVariable} environment variable");
        }
    }
}
