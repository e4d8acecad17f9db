using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// The escape hatch: any request against the session's API base, with the token, a fresh DPoP proof, api-version
    /// and nhn-source-system set, the same retries and the same errors as the other cmdlets. Returns parsed JSON.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "Edi2Request", SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Invoke-Edi2Request.md")]
    [OutputType(typeof(PSObject), typeof(string))]
    public sealed class InvokeEdi2RequestCommand : Edi2SessionCmdlet
    {
        [Parameter]
        [ValidateSet("GET", "POST", "PUT", "DELETE", "PATCH")]
        public string Method { get; set; } = "GET";

        /// <summary>Relative to the API base, e.g. "ping" or "/messages/{id}/status"; anything that would leave it is refused.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Query parameters; an array value repeats the key (HerIds=1&amp;HerIds=2).</summary>
        [Parameter]
        public IDictionary? Query { get; set; }

        /// <summary>A JSON string, or an object that is converted with ConvertTo-Json.</summary>
        [Parameter]
        public object? Body { get; set; }

        /// <summary>Return the response text instead of parsed JSON.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            CurrentTarget = Path;
            // As given: the engine takes one leading '/' and refuses what would leave the API base ('//host/x' included).
            string pathAndQuery = Path + QueryString();
            CurrentTarget = pathAndQuery;
            // GET reads; every other method may change something at NHN.
            if (Method != "GET" && !ShouldProcess($"{session.ApiBaseUri}{pathAndQuery}", Method)) return;

            // A JSON string as it is (wrapped or not); anything else through ConvertTo-Json, wrapper and all (a PSCustomObject's
            // properties live in its wrapper).
            string? json = ParameterValues.Unwrap(Body) switch
            {
                null => null,
                string text => text,
                _ => InvokeCommand.InvokeScript("param($b) ConvertTo-Json -InputObject $b -Depth 20 -Compress", Body).FirstOrDefault()?.BaseObject as string,
            };
            try
            {
                var response = Run(token => session.Api.InvokeAsync(new HttpMethod(Method), pathAndQuery, json, token));
                if (Raw || string.IsNullOrWhiteSpace(response.Body) || response.ContentType?.Contains("json") != true)
                {
                    if (response.Body.Length > 0 || Raw) WriteObject(response.Body);
                    return;
                }
                foreach (var item in InvokeCommand.InvokeScript("param($t) ConvertFrom-Json -InputObject $t", response.Body)) WriteObject(item);
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                WriteItemError(e, pathAndQuery);
            }
        }

        private string QueryString()
        {
            if (Query is null || Query.Count == 0) return "";
            var pairs = new List<string>();
            foreach (DictionaryEntry entry in Query)
            {
                object? raw = ParameterValues.Unwrap(entry.Value);
                IEnumerable values = raw is IEnumerable many && !(raw is string) ? many : new[] { raw };
                foreach (object? value in values)
                {
                    pairs.Add(Uri.EscapeDataString(entry.Key.ToString()!) + "=" + Uri.EscapeDataString(LanguagePrimitives.ConvertTo<string>(value)));
                }
            }
            return "?" + string.Join("&", pairs);
        }
    }
}
