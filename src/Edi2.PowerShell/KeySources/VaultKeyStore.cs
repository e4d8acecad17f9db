using System;
using System.Globalization;
using System.Management.Automation;
using Edi2.HelseId;
using Edi2.Workflows;

namespace Edi2.PowerShell.KeySources
{
    /// <summary>
    /// A client key in a SecretManagement vault, for rotation: the pending key is the secret <c>&lt;name&gt;.pending</c>,
    /// backups are <c>&lt;name&gt;.&lt;yyyyMMdd-HHmmss&gt;.bak</c> in the same vault; the new key is written as a private JWK
    /// string (Set-Secret) whatever form the old secret had. SecretManagement runs only on the pipeline thread, so every
    /// call goes through <paramref name="onPipeline"/>.
    /// </summary>
    internal sealed class VaultKeyStore : IClientKeyStore
    {
        private readonly CommandInvocationIntrinsics _invoke;
        private readonly Action<Action> _onPipeline;
        private readonly string _vault;
        private readonly string _name;

        public VaultKeyStore(CommandInvocationIntrinsics invoke, Action<Action> onPipeline, string vault, string name)
        {
            _invoke = invoke;
            _onPipeline = onPipeline;
            _vault = vault;
            _name = name;
        }

        public string Location => Describe(_name);

        private string PendingName => _name + KeyFileStore.PendingSuffix;

        public string ReadCurrent() => Read(_name) ?? throw new InvalidOperationException($"{Location} is gone.");

        public string? ReadPending() => Read(PendingName);

        public void WritePending(string keyText) => OnPipeline(() => SecretManagementVault.WriteSecret(_invoke, _vault, PendingName, keyText));

        public void RemovePending() => OnPipeline(() => SecretManagementVault.RemoveSecret(_invoke, _vault, PendingName));

        public string WriteBackup(string keyText, DateTimeOffset now)
        {
            string backup = $"{_name}.{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.bak";
            OnPipeline(() => SecretManagementVault.WriteSecret(_invoke, _vault, backup, keyText));
            return Describe(backup);
        }

        public void CommitPending(string keyText) =>
            OnPipeline(() =>
            {
                SecretManagementVault.WriteSecret(_invoke, _vault, _name, keyText);
                SecretManagementVault.RemoveSecret(_invoke, _vault, PendingName);
            });

        /// <summary>The secret as private JWK text (a hashtable secret is read by the one key reader and written back as JWK), or null if absent.</summary>
        private string? Read(string name)
        {
            string? text = null;
            OnPipeline(() =>
            {
                try
                {
                    using (var key = ClientKeySources.FromVault(_invoke, _vault, name, null)) text = key.ExportPrivateJwk();
                }
                catch (Edi2KeyException e) when (e.KeyReason == KeyErrorReason.SecretNotFound)
                {
                    text = null;
                }
            });
            return text;
        }

        private string Describe(string name) => $"secret '{name}' in vault '{_vault}'";

        private void OnPipeline(Action action) => _onPipeline(action);
    }
}
