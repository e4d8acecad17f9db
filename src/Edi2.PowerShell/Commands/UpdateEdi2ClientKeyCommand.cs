using System;
using System.Management.Automation;
using Edi2.HelseId;
using Edi2.Model;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.KeySources;
using Edi2.PowerShell.Validation;
using Edi2.Workflows;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Rotates the session's HelseID client key through HelseID self-service: a new key, its public JWK sent to
    /// <c>/v1/client-secret</c>, and the key file (or vault secret) replaced only after the server's yes, the old key
    /// kept as a dated backup. The session signs with the new key from then on.
    /// </summary>
    [Cmdlet(VerbsData.Update, "Edi2ClientKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
        HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Update-Edi2ClientKey.md")]
    [OutputType(typeof(Edi2ClientKeyRotation))]
    public sealed class UpdateEdi2ClientKeyCommand : Edi2SessionCmdlet
    {
        /// <summary>The key file to rotate (private JWK or PEM); without it, the key file or vault secret the session was connected with.</summary>
        [Parameter(Position = 0)]
        [Alias("Path", "KeyFile")]
        [ValidateNotNullOrEmpty]
        public string? KeyPath { get; set; }

        /// <summary>The new key's algorithm: PS256 (RSA 4096, as HelseID's own key rotation), RS256 (RSA 4096) or ES256 (P-256).</summary>
        [Parameter]
        [ValidateList(SigningAlgorithms.ForNewKeysList)]
        [ArgumentCompleter(typeof(NewKeyAlgorithmCompleter))]
        public string Algorithm { get; set; } = "PS256";

        /// <summary>The HelseID self-service API base; the default is the session environment's.</summary>
        [Parameter]
        public Uri? SelfServiceUri { get; set; }

        protected override void EndProcessingCore()
        {
            var session = ResolveSession();
            CurrentTarget = session.ClientId;
            IClientKeyStore store;
            try
            {
                store = Store(session);
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, session.ClientId);
            }
            CurrentTarget = store.Location;
            Uri selfService = SelfServiceUri ?? Edi2Endpoints.SelfService(session.Environment);
            if (!ShouldProcess(store.Location,
                $"Replace the key of HelseID client '{session.ClientId}' with a new {Algorithm} key registered through self-service at {selfService}")) return;

            var options = new ClientKeyRotationOptions
            {
                ClientId = session.ClientId,
                Authority = session.Authority,
                Organizations = new OrganizationNumbers(session.ParentOrganizationNumber, session.ChildOrganizationNumber),
                SelfServiceUri = selfService,
                Algorithm = Algorithm,
            };
            Edi2ClientKeyRotation result;
            try
            {
                using (var rotation = new ClientKeyRotation(options))
                {
                    result = Run(token => rotation.RotateAsync(store, token));
                }
                if (session.ClientKeyThumbprint == result.PreviousThumbprint && !session.IsDisposed)
                {
                    session.UseClientKey(SigningKey.FromText(store.ReadCurrent(), null, null, store.Location));
                    WriteVerbose($"The session for client '{session.ClientId}' signs with the new key (thumbprint {result.Thumbprint}) from now on.");
                }
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, store.Location);
            }
            WriteObject(result);
        }

        /// <summary>-KeyPath, else where Connect-Edi2 found the session's key; a source that cannot be rewritten is a clear error.</summary>
        private IClientKeyStore Store(Edi2Session session)
        {
            if (KeyPath != null) return new KeyFileStore(GetUnresolvedProviderPathFromPSPath(KeyPath));
            var source = SessionKeySource.For(session);
            switch (source?.ParameterSet)
            {
                case "KeyPath":
                    return new KeyFileStore(source.Path!);
                case "Vault":
                    return new VaultKeyStore(InvokeCommand, PostAndWait, source.Vault!, source.SecretName!);
                case "Certificate":
                case "CertificateThumbprint":
                    throw new Edi2KeyRotationException(KeyRotationErrorReason.NotRotatable,
                        $"Client '{session.ClientId}' authenticates with a certificate, whose key Edi2 cannot replace: rotate the certificate in HelseID self-service " +
                        "(upload the new certificate's public key there), then Connect-Edi2 with the new certificate.", session.ClientId);
                default:
                    throw new Edi2KeyRotationException(KeyRotationErrorReason.NotRotatable,
                        $"The session for client '{session.ClientId}' got its key from {(source is null ? "a source Edi2 did not record" : source.ParameterSet == "Jwk" ? "-Jwk" : "the " + ConnectEdi2Command.KeyVariable + " environment variable")}, " +
                        "which Edi2 cannot rewrite. Give the key file with -KeyPath, or connect with -KeyPath or -Vault/-SecretName first.", session.ClientId);
            }
        }
    }
}
