using System;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using Edi2.HelseId;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.KeySources;
using Edi2.PowerShell.Validation;
using Edi2.Workflows;

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
        private const string TestTokenSet = "TestToken";

        /// <summary>The environment variable holding the private JWK when no key parameter is given.</summary>
        public const string KeyVariable = ClientKeySources.EnvironmentVariable;

        /// <summary>The HelseID client id; with -TestTokenApiKey, any name the test tokens should carry (default <see cref="Edi2TestTokenOptions.DefaultClientId"/>).</summary>
        [Parameter(ParameterSetName = EnvironmentVariableSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = KeyPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = JwkSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = CertificateSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ThumbprintSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = VaultSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = TestTokenSet, Position = 0)]
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
        [Parameter(ParameterSetName = EnvironmentVariableSet)]
        [Parameter(ParameterSetName = KeyPathSet)]
        [Parameter(ParameterSetName = JwkSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = VaultSet)]
        [ValidateList(SigningAlgorithms.AllowedList)]
        [ArgumentCompleter(typeof(SigningAlgorithmCompleter))]
        public string? Algorithm { get; set; }

        [Parameter]
        public Edi2Environment Environment { get; set; } = Edi2Environment.Test;

        [Parameter]
        public Edi2Network Network { get; set; }

        [Parameter(ParameterSetName = EnvironmentVariableSet)]
        [Parameter(ParameterSetName = KeyPathSet)]
        [Parameter(ParameterSetName = JwkSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = VaultSet)]
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

        [Parameter(ParameterSetName = EnvironmentVariableSet)]
        [Parameter(ParameterSetName = KeyPathSet)]
        [Parameter(ParameterSetName = JwkSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = VaultSet)]
        public DPoPKeyMode DPoPKey { get; set; } = DPoPKeyMode.Ephemeral;

        /// <summary>An API key of NHN's test token service (test environment only): tokens without a HelseID client.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TestTokenSet)]
        [ValidateNotNull]
        public SecureString? TestTokenApiKey { get; set; }

        /// <summary>The test token service's address (or the endpoint itself), instead of NHN's.</summary>
        [Parameter(ParameterSetName = TestTokenSet)]
        [ValidateNotNull]
        public Uri? TestTokenUri { get; set; }

        /// <summary>The HER-ids the token's herid claim names; 0 (the default) for every HER-id of the organisation.</summary>
        [Parameter(ParameterSetName = TestTokenSet)]
        [ValidateNotNullOrEmpty]
        [ValidateRange(0, Edi2HerIds.Max)]
        public int[]? TestTokenHerId { get; set; }
        /// <summary>How long a download may send no bytes before it is given up as stalled and tried again (seconds, or a TimeSpan); 30 s if not given.</summary>
        [Parameter]
        [SecondsToTimeSpan]
        public TimeSpan BodyTimeout { get; set; }

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
            if (MyInvocation.BoundParameters.ContainsKey(nameof(BodyTimeout)))
            {
                if (BodyTimeout <= TimeSpan.Zero)
                {
                    throw ThrowEdi2Error(new ArgumentException($"-BodyTimeout must be more than 0 seconds, not {BodyTimeout.TotalSeconds:0.###}.", nameof(BodyTimeout)), BodyTimeout);
                }
                options.Retry = new Edi2.Api.RetryPolicy { BodyTimeout = BodyTimeout };
            }
            if (ParameterSetName == TestTokenSet)
            {
                ConnectWithTestToken(options);
                return;
            }
            string target = $"HelseID client '{ClientId}' in {Environment}";
            if (!ShouldProcess(target, "Connect to EDI 2.0")) return;

            SigningKey key;
            Edi2Session session;
            string? keyFile = null; // -KeyPath as a file system path, resolved once
            try
            {
                if (ParameterSetName == KeyPathSet) keyFile = GetUnresolvedProviderPathFromPSPath(KeyPath);
                if (keyFile != null && KeyFileStore.HasPending(keyFile))
                {
                    ResolveInterruptedRotation(new KeyFileStore(keyFile), options);
                }
                else if (ParameterSetName == VaultSet)
                {
                    ResolveInterruptedRotation(new VaultKeyStore(InvokeCommand, PostAndWait, Vault, SecretName), options);
                }
                key = LoadKey(keyFile);
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, null); // about the key source the exception names, not the client
            }
            CurrentTarget = ClientId;
            try
            {
                session = Run(token => Edi2Session.ConnectAsync(options, key, token));
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, ClientId);
            }
            SessionKeySource.Remember(session, ParameterSetName, keyFile,
                ParameterSetName == VaultSet ? Vault : null, ParameterSetName == VaultSet ? SecretName : null);
            Connected(session);
        }

        private void ConnectWithTestToken(Edi2ConnectionOptions options)
        {
            string clientId = string.IsNullOrEmpty(ClientId) ? Edi2TestTokenOptions.DefaultClientId : ClientId;
            CurrentTarget = clientId;
            if (!ShouldProcess($"test tokens for client '{clientId}' in {Environment}", "Connect to EDI 2.0")) return;
            Edi2Session session;
            try
            {
                var testToken = new Edi2TestTokenOptions(TestTokenApiKey!)
                {
                    Uri = TestTokenUri,
                    HerIdClaim = TestTokenHerId is null ? Edi2TestTokenOptions.AllHerIds : string.Join("-", TestTokenHerId),
                };
                session = Run(token => Edi2Session.ConnectWithTestTokenAsync(options, testToken, token));
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, clientId);
            }
            Connected(session);
        }

        private void Connected(Edi2Session session)
        {
            DefaultSession.Set(session);
            WriteVerbose($"Connected: {session}. Token expires {session.TokenExpiresAt:u}; DPoP key jkt {session.DPoPKeyThumbprint}.");
            if (PassThru) WriteObject(session);
        }

        /// <summary>An Update-Edi2ClientKey that died left a pending key beside the file or secret: finish or roll back first (ClientKeyRotation's rule).</summary>
        private void ResolveInterruptedRotation(IClientKeyStore store, Edi2ConnectionOptions options)
        {
            string path = store.Location;
            var rotationOptions = new ClientKeyRotationOptions
            {
                ClientId = options.ClientId,
                Authority = options.Authority ?? Edi2Endpoints.Authority(options.Environment),
                Organizations = new OrganizationNumbers(options.ParentOrganizationNumber, options.ChildOrganizationNumber),
            };
            try
            {
                using (var rotation = new ClientKeyRotation(rotationOptions))
                {
                    var resolution = Run(token => rotation.ResolvePendingAsync(store, token));
                    switch (resolution.Outcome)
                    {
                        case PendingKeyOutcome.Finished:
                            WriteWarning($"An interrupted key rotation of {path} was finished: HelseID accepts the new key (thumbprint {resolution.Thumbprint}); the old key is kept in {resolution.BackupPath}.");
                            break;
                        case PendingKeyOutcome.RolledBack:
                            WriteWarning($"An interrupted key rotation of {path} was rolled back: HelseID never took the new key, so the current key stays.");
                            break;
                        case PendingKeyOutcome.AlreadyCommitted:
                            WriteVerbose($"A leftover pending key of {path} was the current key already; it was removed.");
                            break;
                    }
                }
            }
            catch (Edi2KeyRotationException e)
            {
                WriteWarning(e.Message + " Connecting with the current key.");
            }
        }

        private SigningKey LoadKey(string? keyFile)
        {
            switch (ParameterSetName)
            {
                case KeyPathSet:
                    return ClientKeySources.FromKeyPath(keyFile!, KeyPassword, Algorithm);
                case JwkSet:
                    return ClientKeySources.FromJwk(Jwk, Algorithm);
                case CertificateSet:
                    return ClientKeySources.FromCertificate(Certificate!, Algorithm);
                case ThumbprintSet:
                    return ClientKeySources.FromCertificateStore(CertificateThumbprint, Algorithm);
                case VaultSet:
                    return ClientKeySources.FromVault(InvokeCommand, Vault, SecretName, Algorithm);
                default:
                    return ClientKeySources.FromEnvironmentVariable(ClientId, Algorithm);
            }
        }
    }
}
