using System.Management.Automation;
using System.Security;
using Edi2.PowerShell.Commands;

namespace Edi2.PowerShell.KeySources
{
    /// <summary>The text of a key or password, however PowerShell handed it over.</summary>
    internal static class SecretText
    {
        /// <summary>Secrets and -Jwk arrive as SecureString, string, byte[] or PSCredential, wrapped or not (hashtables are handled by the caller).</summary>
        public static string? Plain(object? value)
        {
            object? unwrapped = ParameterValues.Unwrap(value);
            switch (unwrapped)
            {
                case null: return null;
                case SecureString secure: return new System.Net.NetworkCredential("", secure).Password;
                case PSCredential credential: return credential.GetNetworkCredential().Password;
                case string text: return text;
                case byte[] bytes: return System.Text.Encoding.UTF8.GetString(bytes);
                default: return unwrapped.ToString();
            }
        }
    }
}
