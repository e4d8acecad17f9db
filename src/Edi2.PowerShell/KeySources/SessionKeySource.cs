using System.Runtime.CompilerServices;

namespace Edi2.PowerShell.KeySources
{
    /// <summary>
    /// Where Connect-Edi2 found a session's client key, so that Update-Edi2ClientKey can rotate it in place. Kept beside
    /// the session (the engine's session knows no PowerShell key source) and gone with it.
    /// </summary>
    internal sealed class SessionKeySource
    {
        private static readonly ConditionalWeakTable<Edi2Session, SessionKeySource> Sources = new ConditionalWeakTable<Edi2Session, SessionKeySource>();

        private SessionKeySource(string parameterSet, string? path, string? vault, string? secretName)
        {
            ParameterSet = parameterSet;
            Path = path;
            Vault = vault;
            SecretName = secretName;
        }

        /// <summary>Connect-Edi2's parameter set: KeyPath, Vault, Certificate, CertificateThumbprint, Jwk or EnvironmentVariable.</summary>
        public string ParameterSet { get; }

        /// <summary>The key file, resolved to a file system path.</summary>
        public string? Path { get; }

        public string? Vault { get; }

        public string? SecretName { get; }

        public static void Remember(Edi2Session session, string parameterSet, string? path = null, string? vault = null, string? secretName = null)
        {
            Sources.Remove(session);
            Sources.Add(session, new SessionKeySource(parameterSet, path, vault, secretName));
        }

        public static SessionKeySource? For(Edi2Session session) => Sources.TryGetValue(session, out var source) ? source : null;
    }
}
