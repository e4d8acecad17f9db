using System.Linq;
using System.Management.Automation;
using System.Security;
using Edi2.Model;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// The session's current access token, for diagnostics and calls to other NHN APIs. -Decode shows its header and
    /// claims instead of the token; -AsSecureString keeps it out of the console.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "Edi2AccessToken", DefaultParameterSetName = "Token", HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Get-Edi2AccessToken.md")]
    [OutputType(typeof(string), typeof(SecureString), ParameterSetName = new[] { "Token" })]
    [OutputType(typeof(Edi2AccessTokenInfo), ParameterSetName = new[] { "Decode" })]
    public sealed class GetEdi2AccessTokenCommand : Edi2SessionCmdlet
    {
        [Parameter(ParameterSetName = "Token")]
        public SwitchParameter AsSecureString { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Decode")]
        public SwitchParameter Decode { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            CurrentTarget = session.ClientId;
            string token;
            try
            {
                token = Run(session.GetAccessTokenAsync);
            }
            catch (System.Exception e) when (ErrorRecords.IsExpected(e))
            {
                WriteItemError(e, session.ClientId);
                return;
            }

            if (Decode)
            {
                var jwt = Edi2.HelseId.JwtParts.Read(token);
                WriteObject(new Edi2AccessTokenInfo
                {
                    ClientId = session.ClientId,
                    ExpiresAt = session.TokenExpiresAt ?? default,
                    Scope = session.Scope ?? "",
                    DPoPKeyThumbprint = session.DPoPKeyThumbprint,
                    Header = jwt.Header.ToDictionary(p => p.Key, p => p.Value),
                    Claims = jwt.Claims.ToDictionary(p => p.Key, p => p.Value),
                });
            }
            else if (AsSecureString)
            {
                var secure = new SecureString();
                foreach (char c in token) secure.AppendChar(c);
                secure.MakeReadOnly();
                WriteObject(secure);
            }
            else
            {
                WriteObject(token);
            }
        }
    }
}
