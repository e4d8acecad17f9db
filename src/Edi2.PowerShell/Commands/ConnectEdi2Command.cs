using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using Edi2.HelseId;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.Validation;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Connects to EDI 2.0 as a HelseID client: loads the client key, gets a DPoP-bound token at once (so a wrong
    /// client id or key fails here) and makes the session the runspace's default.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Edi2", DefaultParameterSetName = EnvironmentVariableSet, SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Connect-Edi2.md")]
    [OutputType(typeof(Edi2Session))]
    public sealed class ConnectEdi2Command : Edi2Cmdlet
    {
        private const string EnvironmentVariableSet = "EnvironmentVariable";
        private const string KeyPathSet = "KeyPath";
        private const string JwkSet = "Jwk";
        private const string CertificateSet = "Certificate";
        private const string ThumbprintSet = "CertificateThumbprint";
        private const string VaultSet = "Vault";

        /// <summary>The environment variable holding the private JWK when no key parameter is given.</summary>
        public const string KeyVariable = "EDI2_CLIENT_KEY";

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string ClientId { get; set; } = "";

        /// <summary>A private JWK file (also a JWKS or HelseID self-service file), or a PEM/PKCS#8 key.</summary>
        [Parameter(Mandatory = true, ParameterSetName = KeyPathSet)]
        [Alias("Path", "KeyFile")]
        [ValidateNotNullOrEmpty]
        public string KeyPath { get; set; } = "";

        /// <summary>The password of an encrypted PEM key.</summary>
        [Parameter(ParameterSetName = KeyPathSet)]
        public SecureString? KeyPassword { get; set; }

        /// <summary>The private JWK itself, as a SecureString or a string.</summary>
        [Parameter(Mandatory = true, ParameterSetName = JwkSet)]
        [ValidateNotNull]
        public object? Jwk { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary>A certificate in CurrentUser\My, then LocalMachine\My.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string CertificateThumbprint { get; set; } = "";

        /// <summary>A SecretManagement vault holding the private JWK.</summary>
        [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Edi2VaultCompleter))]
        public string Vault { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
        [ValidateNotNullOrEmpty]
        public string SecretName { get; set; } = "";

        /// <summary>The signing algorithm, overriding a JWK's own alg (it must fit the key). Without it: the JWK's alg, else PS256 for RSA and the curve's for EC.</summary>
        [Parameter]
        [ValidateList(SigningAlgorithms.AllowedList)]
        [ArgumentCompleter(typeof(SigningAlgorithmCompleter))]
        public string? Algorithm { get; set; }

        [Parameter]
        public Edi2Environment Environment { get; set; } = Edi2Environment.Test;

        [Parameter]
        public Edi2Network Network { get; set; }

        [Parameter]
        public Uri? Authority { get; set; }

        [Parameter]
        public Uri? ApiBaseUri { get; set; }

        [Parameter]
        [ValidateSet("3", "2")]
        public string ApiVersion { get; set; } = "3";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SourceSystem { get; set; } = Edi2ConnectionOptions.DefaultSourceSystem;

        [Parameter]
        [ValidatePattern("^[0-9]{9}$")]
        public string? ParentOrganizationNumber { get; set; }

        [Parameter]
        [ValidatePattern("^[0-9]{9}$")]
        public string? ChildOrganizationNumber { get; set; }

        [Parameter]
        public DPoPKeyMode DPoPKey { get; set; } = DPoPKeyMode.Ephemeral;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessingCore()
        {
            CurrentTarget = ClientId;
            var options = new Edi2ConnectionOptions
            {
                ClientId = ClientId,
                Environment = Environment,
                Network = MyInvocation.BoundParameters.ContainsKey(nameof(Network)) ? Network : (Edi2Network?)null,
                Authority = Authority,
                ApiBaseUri = ApiBaseUri,
                ApiVersion = int.Parse(ApiVersion),
                SourceSystem = SourceSystem,
                ParentOrganizationNumber = ParentOrganizationNumber,
                ChildOrganizationNumber = ChildOrganizationNumber,
                DPoPKey = DPoPKey,
            };
            string target = $"HelseID client '{ClientId}' in {Environment}";
            if (!ShouldProcess(target, "Connect to EDI 2.0")) return;

            SigningKey key = OrTerminate(null, LoadKey);
            Edi2Session session = OrTerminate(ClientId, () => Run(token => Edi2Session.ConnectAsync(options, key, token)));
            DefaultSession.Set(session);
            WriteVerbose($"Connected: {session}. Token expires {session.TokenExpiresAt:u}; DPoP key jkt {session.DPoPKeyThumbprint}.");
            if (PassThru) WriteObject(session);
        }

        private SigningKey LoadKey()
        {
            switch (ParameterSetName)
            {
                case KeyPathSet:
                    return SigningKey.FromFile(GetUnresolvedProviderPathFromPSPath(KeyPath), Plain(KeyPassword), Algorithm);
                case JwkSet:
                    return SigningKey.FromText(Plain(Jwk) ?? "", null, Algorithm, "the -Jwk value");
                case CertificateSet:
                    return SigningKey.FromCertificate(Certificate!, Algorithm);
                case ThumbprintSet:
                    return SigningKey.FromCertificate(FindCertificate(CertificateThumbprint), Algorithm);
                case VaultSet:
                    string source = $"the secret '{SecretName}' in vault '{Vault}'";
                    object secret = ReadSecret();
                    return secret is IDictionary members
                        ? SigningKey.FromJwkMembers(members.Keys.Cast<object>().Select(k => new KeyValuePair<string, string>(k.ToString()!, Plain(members[k]) ?? "")), Algorithm, source)
                        : SigningKey.FromText((string)secret, null, Algorithm, source);
                default:
                    string? jwk = System.Environment.GetEnvironmentVariable(KeyVariable);
                    if (string.IsNullOrWhiteSpace(jwk))
                    {
                        throw new Edi2KeyException(KeyErrorReason.NoKeyGiven,
                            $"No client key given. Use -KeyPath, -Jwk, -Certificate, -CertificateThumbprint or -Vault/-SecretName, or put the private JWK in the {KeyVariable} environment variable.",
                            ClientId);
                    }
                    return SigningKey.FromText(jwk!, null, Algorithm, $"the {KeyVariable} environment variable");
            }
        }

        private static X509Certificate2 FindCertificate(string thumbprint)
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

        /// <summary>
        /// Microsoft.PowerShell.SecretManagement\Get-Secret, called by name: no compile-time dependency. What SecretManagement
        /// 1.1 does: an unknown vault is a terminating GetSecretVaultNotFound error ("Vault not found in registry: x"), a
        /// missing secret a non-terminating GetSecretNotFound ("The secret x was not found."), and a vault extension that
        /// fails writes its own error first. Each becomes an Edi2.Key error that names the vault and the secret, never the value.
        /// </summary>
        private object ReadSecret()
        {
            if (InvokeCommand.GetCommand("Microsoft.PowerShell.SecretManagement\\Get-Secret", CommandTypes.Cmdlet) is null)
            {
                throw new Edi2KeyException(KeyErrorReason.SecretManagementMissing,
                    "-Vault needs the module Microsoft.PowerShell.SecretManagement: Install-Module Microsoft.PowerShell.SecretManagement.", Vault);
            }
            var vaults = InvokeCommand.InvokeScript("param($n) Microsoft.PowerShell.SecretManagement\\Get-SecretVault -Name $n -ErrorAction SilentlyContinue",
                true, PipelineResultTypes.None, null, Vault);
            if (vaults.Count == 0) throw VaultNotFound();

            // The secret and the errors Get-Secret wrote (or the terminating one it threw), without letting either escape.
            var answer = InvokeCommand.InvokeScript(
                "param($v, $n) $s = $null; $ev = $null; " +
                "try { $s = Microsoft.PowerShell.SecretManagement\\Get-Secret -Vault $v -Name $n -ErrorAction SilentlyContinue -ErrorVariable ev; $e = @($ev) } " +
                "catch { $e = @($ev) + @($_) }; " +
                "@{ Secret = $s; Errors = @($e | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) }",
                true, PipelineResultTypes.None, null, Vault, SecretName);
            var result = answer.Count == 1 ? ParameterValues.Unwrap(answer[0]) as IDictionary : null;
            object? value = ParameterValues.Unwrap(result?["Secret"]);
            var errors = ((ParameterValues.Unwrap(result?["Errors"]) as IEnumerable) ?? Array.Empty<object>()).Cast<object>()
                .Select(ParameterValues.Unwrap).OfType<ErrorRecord>().ToList();

            if (errors.Any(e => e.FullyQualifiedErrorId.StartsWith("GetSecretVaultNotFound", StringComparison.Ordinal))) throw VaultNotFound();
            if (value is IDictionary members && members.Count > 0) return members;
            string? text = value is IDictionary ? null : Plain(value);
            if (!string.IsNullOrEmpty(text)) return text!;

            // Not there, or the vault could not read it: say which, with the vault's own reason (it names the secret, not its value).
            var reason = errors.FirstOrDefault(e => !e.FullyQualifiedErrorId.StartsWith("GetSecretNotFound", StringComparison.Ordinal));
            string message = reason is null
                ? $"Vault '{Vault}' has no secret named '{SecretName}' (Get-SecretInfo -Vault '{Vault}' lists them)."
                : $"The secret '{SecretName}' in vault '{Vault}' could not be read: {reason.Exception?.Message ?? reason.ToString()}";
            throw new Edi2KeyException(KeyErrorReason.SecretNotFound, message, SecretName);
        }

        private Edi2KeyException VaultNotFound() =>
            new Edi2KeyException(KeyErrorReason.VaultNotFound,
                $"There is no SecretManagement vault named '{Vault}' (Get-SecretVault lists them; vaults are registered per user).", Vault);

        /// <summary>Secrets and -Jwk arrive as SecureString, string, byte[] or PSCredential, wrapped or not (hashtables are handled by the caller).</summary>
        private static string? Plain(object? value)
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
