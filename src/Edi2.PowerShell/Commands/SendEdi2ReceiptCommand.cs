using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Edi2.Api;
using Edi2.Model;
using Edi2.PowerShell.Identity;
using Edi2.PowerShell.Completion;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Sends an application receipt (AppRec) for a received message. A Rejected receipt needs at least one error and is
    /// refused before any request without one.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "Edi2Receipt", DefaultParameterSetName = SingleErrorSet, SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Send-Edi2Receipt.md")]
    [OutputType(typeof(Edi2Receipt))]
    public sealed class SendEdi2ReceiptCommand : Edi2SessionCmdlet
    {
        private const string SingleErrorSet = "SingleError";
        private const string ErrorListSet = "ErrorList";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "RelatedMessageId")]
        [ArgumentCompleter(typeof(Edi2MessageIdCompleter))]
        public Edi2MessageIdentity[] MessageId { get; set; } = Array.Empty<Edi2MessageIdentity>();

        /// <summary>The receiver that answers (must be a receiver of the message).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ReceiverHerId")]
        [ValidateRange(Edi2HerIds.Min, Edi2HerIds.Max)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public int SenderHerId { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateSet("Ok", "Rejected", "OkErrorInMessagePart")]
        public string Status { get; set; } = "Ok";

        /// <summary>Code list 8221, e.g. E10.</summary>
        [Parameter(ParameterSetName = SingleErrorSet)]
        public string? ErrorCode { get; set; }

        [Parameter(ParameterSetName = SingleErrorSet)]
        public string? ErrorDetail { get; set; }

        /// <summary>Several errors: @{ ErrorCode = 'E10'; Details = '...' } each.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ErrorListSet)]
        public Hashtable[] Error { get; set; } = Array.Empty<Hashtable>();

        [Parameter]
        public string? ApplicationName { get; set; }

        [Parameter]
        public string? ApplicationVersion { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            var status = (AppRecStatus)Enum.Parse(typeof(AppRecStatus), Status, ignoreCase: true);
            List<Edi2AppRecError> errors;
            try
            {
                errors = Errors();
                Edi2ApiClient.CheckReceipt(status, errors); // before the loop: refused once, nothing sent

            }
            catch (ArgumentException e)
            {
                throw ThrowEdi2Error(e, MessageId.FirstOrDefault()?.Id);
            }

            string name = ApplicationName ?? session.ApplicationName;
            string version = ApplicationVersion ?? session.ApplicationVersion;
            foreach (var id in MessageId)
            {
                if (!ShouldProcess($"message {id.Id} from HER-id {SenderHerId}", $"Send a {Status} receipt")) continue;
                TryItem(id.Id, () =>
                {
                    Guid receipt = Run(token => session.Api.SendAppRecAsync(id.Id, SenderHerId, status, errors, name, version, token));
                    var written = new Edi2Receipt { Id = receipt, MessageId = id.Id, Status = status.ToString(), SenderHerId = SenderHerId };
                    WriteOutput(session, written);
                });
            }
        }

        private List<Edi2AppRecError> Errors()
        {
            if (ParameterSetName == SingleErrorSet)
            {
                return string.IsNullOrWhiteSpace(ErrorCode)
                    ? new List<Edi2AppRecError>()
                    : new List<Edi2AppRecError> { new Edi2AppRecError { ErrorCode = ErrorCode!.Trim(), Details = ErrorDetail } };
            }
            return Error.Select(table =>
            {
                string? code = Value(table, "ErrorCode") ?? Value(table, "Code");
                if (string.IsNullOrWhiteSpace(code)) throw new ArgumentException("Each -Error entry needs an ErrorCode, e.g. @{ ErrorCode = 'E10'; Details = '...' }.");
                return new Edi2AppRecError { ErrorCode = code!, Details = Value(table, "Details") ?? Value(table, "ErrorDetail"), Description = Value(table, "Description"), Oid = Value(table, "Oid") };
            }).ToList();
        }

        // Hashtables from the console are case-insensitive; from elsewhere they may not be.
        private static string? Value(Hashtable table, string key) =>
            table.Keys.Cast<object>().FirstOrDefault(k => string.Equals(k.ToString(), key, StringComparison.OrdinalIgnoreCase)) is object found
                ? table[found]?.ToString()
                : null;
    }
}
