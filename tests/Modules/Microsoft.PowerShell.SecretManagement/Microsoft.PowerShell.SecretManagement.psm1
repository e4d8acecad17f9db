# Test double of Microsoft.PowerShell.SecretManagement 1.1.x (see the .psd1). The cmdlets are C#, compiled once per
# process into an assembly named Microsoft.PowerShell.SecretManagement (the real module's), so that module-qualified
# calls (Microsoft.PowerShell.SecretManagement\Get-Secret), CommandTypes.Cmdlet look-ups and FullyQualifiedErrorIds
# behave as with the real module. Written for these tests from the real module's documented behaviour; no code of it.

$source = @'
using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;

namespace Microsoft.PowerShell.SecretManagement
{
    /// <summary>The in-memory registry: vault name -> (secret name -> value), both case-insensitive.</summary>
    public static class TestVaultRegistry
    {
        internal static readonly object Gate = new object();
        internal static readonly Dictionary<string, Dictionary<string, object>> Vaults =
            new Dictionary<string, Dictionary<string, object>>(StringComparer.OrdinalIgnoreCase);
        internal static readonly Dictionary<string, SecretVaultInfo> Infos = new Dictionary<string, SecretVaultInfo>(StringComparer.OrdinalIgnoreCase);
        internal static string DefaultVault;

        internal static SecureString Secure(string text)
        {
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        internal static string Plain(SecureString secure)
        {
            return new System.Net.NetworkCredential("", secure).Password;
        }
    }

    public sealed class SecretVaultInfo
    {
        internal SecretVaultInfo(string name, string moduleName, Hashtable parameters, bool isDefault)
        {
            Name = name;
            ModuleName = moduleName;
            ModulePath = "";
            Description = "";
            var copy = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            if (parameters != null) foreach (DictionaryEntry e in parameters) copy[e.Key.ToString()] = e.Value;
            VaultParameters = copy;
            IsDefault = isDefault;
        }

        public string Name { get; private set; }
        public string ModuleName { get; private set; }
        public string ModulePath { get; private set; }
        public string Description { get; private set; }
        public IReadOnlyDictionary<string, object> VaultParameters { get; private set; }
        public bool IsDefault { get; internal set; }
    }

    public abstract class SecretCmdlet : PSCmdlet
    {
        /// <summary>The real module's answer for a vault it does not know: a terminating error.</summary>
        internal Dictionary<string, object> VaultOrThrow(string name)
        {
            lock (TestVaultRegistry.Gate)
            {
                Dictionary<string, object> vault;
                if (TestVaultRegistry.Vaults.TryGetValue(name, out vault)) return vault;
            }
            ThrowTerminatingError(new ErrorRecord(
                new PSInvalidOperationException("Vault not found in registry: " + name),
                "GetSecretVaultNotFound", ErrorCategory.ObjectNotFound, this));
            return null;
        }
    }

    [Cmdlet(VerbsLifecycle.Register, "SecretVault", SupportsShouldProcess = true)]
    public sealed class RegisterSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0, Mandatory = true)] [ValidateNotNullOrEmpty] public string Name { get; set; }
        [Parameter(Position = 1, Mandatory = true)] [ValidateNotNullOrEmpty] public string ModuleName { get; set; }
        [Parameter] public Hashtable VaultParameters { get; set; }
        [Parameter] public SwitchParameter DefaultVault { get; set; }
        [Parameter] public SwitchParameter AllowClobber { get; set; }

        protected override void EndProcessing()
        {
            lock (TestVaultRegistry.Gate)
            {
                if (TestVaultRegistry.Vaults.ContainsKey(Name) && !AllowClobber)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new InvalidOperationException("Provided Name for vault is already being used."),
                        "RegisterSecretVaultInvalidVaultName", ErrorCategory.InvalidArgument, this));
                }
                if (!ShouldProcess(Name, VerbsLifecycle.Register)) return;
                bool isDefault = DefaultVault || TestVaultRegistry.Vaults.Count == 0; // the first vault becomes the default
                if (isDefault)
                {
                    foreach (SecretVaultInfo info in TestVaultRegistry.Infos.Values) info.IsDefault = false;
                    TestVaultRegistry.DefaultVault = Name;
                }
                TestVaultRegistry.Vaults[Name] = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
                TestVaultRegistry.Infos[Name] = new SecretVaultInfo(Name, ModuleName, VaultParameters, isDefault);
            }
        }
    }

    [Cmdlet(VerbsLifecycle.Unregister, "SecretVault", SupportsShouldProcess = true)]
    public sealed class UnregisterSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)] [ValidateNotNullOrEmpty] public string[] Name { get; set; }

        protected override void ProcessRecord()
        {
            foreach (string name in Name)
            {
                if (!ShouldProcess(name, VerbsLifecycle.Unregister)) continue;
                lock (TestVaultRegistry.Gate)
                {
                    if (!TestVaultRegistry.Vaults.Remove(name))
                    {
                        WriteError(new ErrorRecord(
                            new ItemNotFoundException("Unable to find secret vault " + name + " to unregister it."),
                            "UnregisterSecretVaultObjectNotFound", ErrorCategory.ObjectNotFound, this));
                        continue;
                    }
                    TestVaultRegistry.Infos.Remove(name);
                    if (string.Equals(TestVaultRegistry.DefaultVault, name, StringComparison.OrdinalIgnoreCase)) TestVaultRegistry.DefaultVault = null;
                }
            }
        }
    }

    [Cmdlet(VerbsCommon.Get, "SecretVault")]
    [OutputType(typeof(SecretVaultInfo))]
    public sealed class GetSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0)] [SupportsWildcards] public string[] Name { get; set; }

        protected override void EndProcessing()
        {
            var patterns = new List<WildcardPattern>();
            foreach (string n in Name ?? new[] { "*" }) patterns.Add(new WildcardPattern(n, WildcardOptions.IgnoreCase));
            var found = new List<SecretVaultInfo>();
            lock (TestVaultRegistry.Gate)
            {
                foreach (var info in TestVaultRegistry.Infos.Values)
                {
                    if (patterns.Exists(p => p.IsMatch(info.Name))) found.Add(info);
                }
            }
            found.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase));
            foreach (var info in found) WriteObject(info);
        }
    }

    [Cmdlet(VerbsCommon.Get, "Secret", DefaultParameterSetName = "NameParameterSet")]
    [OutputType(typeof(object))]
    public sealed class GetSecretCommand : SecretCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "NameParameterSet")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(Position = 1, ParameterSetName = "NameParameterSet")]
        public string Vault { get; set; }

        [Parameter] public SwitchParameter AsPlainText { get; set; }

        protected override void ProcessRecord()
        {
            var order = new List<string>();
            if (!string.IsNullOrEmpty(Vault))
            {
                VaultOrThrow(Vault);
                order.Add(Vault);
            }
            else
            {
                lock (TestVaultRegistry.Gate)
                {
                    if (TestVaultRegistry.DefaultVault != null) order.Add(TestVaultRegistry.DefaultVault);
                    foreach (string v in TestVaultRegistry.Vaults.Keys) if (!order.Contains(v)) order.Add(v);
                }
            }
            foreach (string vaultName in order)
            {
                object secret = null;
                lock (TestVaultRegistry.Gate)
                {
                    Dictionary<string, object> vault;
                    if (TestVaultRegistry.Vaults.TryGetValue(vaultName, out vault)) vault.TryGetValue(Name, out secret);
                }
                if (secret != null)
                {
                    WriteSecret(secret);
                    return;
                }
            }
            WriteError(new ErrorRecord(
                new ItemNotFoundException("The secret " + Name + " was not found."),
                "GetSecretNotFound", ErrorCategory.ObjectNotFound, this));
        }

        // As the real module: a hashtable comes back as a new hashtable of converted values; a string becomes a
        // SecureString unless -AsPlainText, and -AsPlainText turns a SecureString into a string. byte[] and PSCredential as they are.
        private void WriteSecret(object secret)
        {
            if (secret is PSObject wrapped) secret = wrapped.BaseObject;
            if (secret is Hashtable table)
            {
                var copy = new Hashtable(table.Count);
                foreach (DictionaryEntry e in table) copy.Add(e.Key, Convert(e.Value));
                WriteObject(copy);
                return;
            }
            WriteObject(Convert(secret));
        }

        private object Convert(object item)
        {
            if (item is PSObject wrapped) item = wrapped.BaseObject;
            if (!AsPlainText && item is string text) return TestVaultRegistry.Secure(text);
            if (AsPlainText && item is SecureString secure) return TestVaultRegistry.Plain(secure);
            return item;
        }
    }

    [Cmdlet(VerbsCommon.Set, "Secret", DefaultParameterSetName = "SecureStringParameterSet", SupportsShouldProcess = true)]
    public sealed class SetSecretCommand : SecretCmdlet
    {
        [Parameter(Position = 0, Mandatory = true)] [ValidateNotNullOrEmpty] public string Name { get; set; }

        /// <summary>string, SecureString, PSCredential, Hashtable or byte[], as the real module takes.</summary>
        [Parameter(Position = 1, Mandatory = true, ValueFromPipeline = true, ParameterSetName = "ObjectParameterSet")]
        public object Secret { get; set; }

        [Parameter(Position = 1, Mandatory = true, ValueFromPipeline = true, ParameterSetName = "SecureStringParameterSet")]
        public SecureString SecureStringSecret { get; set; }

        [Parameter] public string Vault { get; set; }

        [Parameter] public SwitchParameter NoClobber { get; set; }

        protected override void ProcessRecord()
        {
            string vaultName = Vault;
            if (string.IsNullOrEmpty(vaultName))
            {
                lock (TestVaultRegistry.Gate) vaultName = TestVaultRegistry.DefaultVault;
                if (vaultName == null)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new PSInvalidOperationException("Unable to set secret because no vault was provided and there is no default vault."),
                        "SetSecretFailNoVault", ErrorCategory.InvalidOperation, this));
                }
            }
            var vault = VaultOrThrow(vaultName);
            object value = ParameterSetName == "ObjectParameterSet" ? Secret : SecureStringSecret;
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            if (!(value is string || value is SecureString || value is PSCredential || value is Hashtable || value is byte[]))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("Invalid secret type: " + (value == null ? "null" : value.GetType().FullName)),
                    "SetSecretInvalidSecretType", ErrorCategory.InvalidArgument, this));
            }
            if (value is Hashtable table) value = table.Clone();
            if (!ShouldProcess(Name + " in vault " + vaultName, VerbsCommon.Set)) return;
            lock (TestVaultRegistry.Gate)
            {
                if (NoClobber && vault.ContainsKey(Name))
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new PSInvalidOperationException("A secret with name " + Name + " already exists in vault " + vaultName + "."),
                        "AddSecretAlreadyExists", ErrorCategory.ResourceExists, this));
                }
                vault[Name] = value;
            }
        }
    }

    [Cmdlet(VerbsCommon.Remove, "Secret", SupportsShouldProcess = true)]
    public sealed class RemoveSecretCommand : SecretCmdlet
    {
        [Parameter(Position = 0, Mandatory = true)] [ValidateNotNullOrEmpty] public string Name { get; set; }

        [Parameter(Position = 1, Mandatory = true)] [ValidateNotNullOrEmpty] public string Vault { get; set; }

        protected override void ProcessRecord()
        {
            var vault = VaultOrThrow(Vault);
            if (!ShouldProcess(Name + " in vault " + Vault, VerbsCommon.Remove)) return;
            bool removed;
            lock (TestVaultRegistry.Gate) removed = vault.Remove(Name);
            if (!removed)
            {
                WriteError(new ErrorRecord(
                    new ItemNotFoundException("The secret " + Name + " was not found."),
                    "RemoveSecretNotFound", ErrorCategory.ObjectNotFound, this));
            }
        }
    }
}
'@

# Once per process: a second import (Import-Module -Force) reuses the compiled assembly and its registry.
$loaded = 'Microsoft.PowerShell.SecretManagement.GetSecretCommand' -as [type]
if (-not $loaded) {
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ("Edi2.TestSecretManagement." + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $folder
    # The file name makes the assembly name, and with it the name of the binary module the cmdlets belong to.
    $dll = Join-Path $folder 'Microsoft.PowerShell.SecretManagement.dll'
    Add-Type -TypeDefinition $source -OutputAssembly $dll -OutputType Library
    $assembly = [System.Reflection.Assembly]::LoadFrom($dll)
} else {
    $assembly = $loaded.Assembly
}
Import-Module -Assembly $assembly
Export-ModuleMember -Cmdlet Get-Secret, Set-Secret, Remove-Secret, Get-SecretVault, Register-SecretVault, Unregister-SecretVault
