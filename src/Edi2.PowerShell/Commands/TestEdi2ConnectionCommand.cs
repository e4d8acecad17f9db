using System;
using System.Diagnostics;
using System.Management.Automation;
using Edi2.Model;

namespace Edi2.PowerShell.Commands
{
    /// <summary>Checks the token and (API v3) GET /ping. Reports failure in the result rather than as an error, unless -Quiet.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "Edi2Connection", HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Test-Edi2Connection.md")]
    [OutputType(typeof(Edi2ConnectionTest), typeof(bool))]
    public sealed class TestEdi2ConnectionCommand : Edi2SessionCmdlet
    {
        /// <summary>Return only $true or $false.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            CurrentTarget = session.ClientId;
            var result = new Edi2ConnectionTest { ClientId = session.ClientId, ApiBaseUri = session.ApiBaseUri };
            try
            {
                Run(session.GetAccessTokenAsync);
                result.TokenOk = true;
                result.TokenExpiresAt = session.TokenExpiresAt;
                if (session.ApiVersion >= 3)
                {
                    var watch = Stopwatch.StartNew();
                    var ping = Run(session.Api.PingAsync);
                    result.Latency = watch.Elapsed;
                    result.Ping = ping.Response;
                    result.ServerTime = ping.ServerTime;
                }
                result.Success = true;
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                result.Error = e.Message;
                WriteVerbose($"Connection test failed: {ErrorRecords.From(e, null).FullyQualifiedErrorId}");
            }
            WriteObject(Quiet ? (object)result.Success : result);
        }
    }
}
