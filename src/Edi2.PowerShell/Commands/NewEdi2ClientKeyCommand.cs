using System;
using System.Management.Automation;
using Edi2.HelseId;
using Edi2.Model;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.Validation;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Generates a key pair for HelseID self-service: writes the private JWK to -Path, readable by the current user
    /// only, and returns the public JWK to upload.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "Edi2ClientKey", SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/New-Edi2ClientKey.md")]
    [OutputType(typeof(Edi2ClientKeyInfo))]
    public sealed class NewEdi2ClientKeyCommand : Edi2Cmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>PS256 (RSA 4096, as HelseID's own key rotation), RS256 (RSA 4096) or ES256 (P-256).</summary>
        [Parameter]
        [ValidateList(SigningAlgorithms.ForNewKeysList)]
        [ArgumentCompleter(typeof(NewKeyAlgorithmCompleter))]
        public string Algorithm { get; set; } = "PS256";

        /// <summary>Replace an existing file (the old key is lost).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessingCore()
        {
            string path = GetUnresolvedProviderPathFromPSPath(Path);
            CurrentTarget = path;
            if (!ShouldProcess(path, $"Write a new {Algorithm} private key")) return;
            try
            {
                using (var key = SigningKey.Generate(Algorithm))
                {
                    KeyFile.WritePrivate(path, key.ExportPrivateJwk(), Force);
                    WriteObject(new Edi2ClientKeyInfo
                    {
                        Path = path, Algorithm = key.Algorithm, KeyId = key.KeyId ?? "", Thumbprint = key.Thumbprint, PublicJwk = key.ExportPublicJwk(),
                    });
                }
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                throw ThrowEdi2Error(e, path);
            }
        }
    }
}
