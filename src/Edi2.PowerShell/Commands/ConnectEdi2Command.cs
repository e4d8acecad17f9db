using System;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using Edi2.HelseId;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.KeySources;
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
        public const string KeyVariable = ClientKeySources.EnvironmentVariable;

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
            string target = $"HelseID client '{ClientId}' in {Environment}";
            if (!ShouldProcess(target, "Connect to EDI 2.0")) return;

            SigningKey key;
            Edi2Session session;
            try
            {
                key = LoadKey();
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
            DefaultSession.Set(session);
            WriteVerbose($"Connected: {session}. Token expires {session.TokenExpiresAt:u}; DPoP key jkt {session.DPoPKeyThumbprint}.");
            if (PassThru) WriteObject(session);
        }

        private SigningKey LoadKey()
        {
            switch (ParameterSetName)
            {
                case KeyPathSet:
                    return ClientKeySources.FromKeyPath(GetUnresolvedProviderPathFromPSPath(KeyPath), KeyPassword, Algorithm);
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
