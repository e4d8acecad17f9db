using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Edi2.HelseId;
using Edi2.PowerShell.Commands;

namespace Edi2.PowerShell.KeySources
{
    /// <summary>-Vault/-SecretName: the private JWK from a SecretManagement vault.</summary>
    internal static class SecretManagementVault
    {
        /// <summary>
        /// Microsoft.PowerShell.SecretManagement\Get-Secret, called by name: no compile-time dependency. What SecretManagement
        /// 1.1 does: an unknown vault is a terminating GetSecretVaultNotFound error ("Vault not found in registry: x"), a
        /// missing secret a non-terminating GetSecretNotFound ("The secret x was not found."), and a vault extension that
        /// fails writes its own error first. Each becomes an Edi2.Key error that names the vault and the secret, never the value.
        /// </summary>
        /// <returns>The secret's members (an <see cref="IDictionary"/>) or its text.</returns>
        public static object ReadSecret(CommandInvocationIntrinsics invokeCommand, string vault, string secretName)
        {
            if (invokeCommand.GetCommand("Microsoft.PowerShell.SecretManagement\\Get-Secret", CommandTypes.Cmdlet) is null)
            {
                throw new Edi2KeyException(KeyErrorReason.SecretManagementMissing,
                    "-Vault needs the module Microsoft.PowerShell.SecretManagement: Install-Module Microsoft.PowerShell.SecretManagement.", vault);
            }
            var vaults = invokeCommand.InvokeScript("param($n) Microsoft.PowerShell.SecretManagement\\Get-SecretVault -Name $n -ErrorAction SilentlyContinue",
                true, PipelineResultTypes.None, null, vault);
            if (vaults.Count == 0) throw VaultNotFound(vault);

            // The secret and the errors Get-Secret wrote (or the terminating one it threw), without letting either escape.
            var answer = invokeCommand.InvokeScript(
                "param($v, $n) $s = $null; $ev = $null; " +
                "try { $s = Microsoft.PowerShell.SecretManagement\\Get-Secret -Vault $v -Name $n -ErrorAction SilentlyContinue -ErrorVariable ev; $e = @($ev) } " +
                "catch { $e = @($ev) + @($_) }; " +
                "@{ Secret = $s; Errors = @($e | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) }",
                true, PipelineResultTypes.None, null, vault, secretName);
            var result = answer.Count == 1 ? ParameterValues.Unwrap(answer[0]) as IDictionary : null;
            object? value = ParameterValues.Unwrap(result?["Secret"]);
            var errors = ((ParameterValues.Unwrap(result?["Errors"]) as IEnumerable) ?? Array.Empty<object>()).Cast<object>()
                .Select(ParameterValues.Unwrap).OfType<ErrorRecord>().ToList();

            if (errors.Any(e => e.FullyQualifiedErrorId.StartsWith("GetSecretVaultNotFound", StringComparison.Ordinal))) throw VaultNotFound(vault);
            if (value is IDictionary members && members.Count > 0) return members;
            string? text = value is IDictionary ? null : SecretText.Plain(value);
            if (!string.IsNullOrEmpty(text)) return text!;

            // Not there, or the vault could not read it: say which, with the vault's own reason (it names the secret, not its value).
            var reason = errors.FirstOrDefault(e => !e.FullyQualifiedErrorId.StartsWith("GetSecretNotFound", StringComparison.Ordinal));
            string message = reason is null
                ? $"Vault '{vault}' has no secret named '{secretName}' (Get-SecretInfo -Vault '{vault}' lists them)."
                : $"The secret '{secretName}' in vault '{vault}' could not be read: {reason.Exception?.Message ?? reason.ToString()}";
            throw new Edi2KeyException(KeyErrorReason.SecretNotFound, message, secretName);
        }

        /// <summary>Set-Secret of a string (a private JWK); a failure is an IOException that names the vault and the secret.</summary>
        public static void WriteSecret(CommandInvocationIntrinsics invokeCommand, string vault, string secretName, string text) =>
            Invoke(invokeCommand, "param($v, $n, $s) Microsoft.PowerShell.SecretManagement\\Set-Secret -Vault $v -Name $n -Secret $s -ErrorAction Stop -Confirm:$false",
                $"write the secret '{secretName}' to vault '{vault}'", vault, secretName, text);

        /// <summary>Remove-Secret; a secret that is not there is no error.</summary>
        public static void RemoveSecret(CommandInvocationIntrinsics invokeCommand, string vault, string secretName) =>
            Invoke(invokeCommand, "param($v, $n) Microsoft.PowerShell.SecretManagement\\Remove-Secret -Vault $v -Name $n -ErrorAction SilentlyContinue -Confirm:$false",
                $"remove the secret '{secretName}' from vault '{vault}'", vault, secretName);

        private static void Invoke(CommandInvocationIntrinsics invokeCommand, string script, string what, params object[] args)
        {
            try
            {
                invokeCommand.InvokeScript(script, true, PipelineResultTypes.None, null, args);
            }
            catch (RuntimeException e)
            {
                // The vault's own reason names the secret, never its value (the value is a parameter, not in the script).
                throw new System.IO.IOException($"Could not {what}: {e.Message}", e);
            }
        }

        private static Edi2KeyException VaultNotFound(string vault) =>
            new Edi2KeyException(KeyErrorReason.VaultNotFound,
                $"There is no SecretManagement vault named '{vault}' (Get-SecretVault lists them; vaults are registered per user).", vault);
    }
}
