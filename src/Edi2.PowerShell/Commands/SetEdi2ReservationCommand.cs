using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Edi2.Model;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.Identity;
using Edi2.Workflows;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Reserves HER-ids for this client (API v3 configuration with clientLocked=true, channel Api) and records them in the
    /// local ledger once NHN said yes. The HER-ids of the whole pipeline go in one request (up to 1500 per request), so
    /// <c>Import-Csv herids.csv | Set-Edi2Reservation</c> is one call.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "Edi2Reservation", SupportsShouldProcess = true, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Set-Edi2Reservation.md")]
    [OutputType(typeof(Edi2Reservation))]
    public sealed class SetEdi2ReservationCommand : Edi2SessionCmdlet
    {
        private readonly List<int> _herIds = new List<int>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public Edi2HerIdIdentity[] HerId { get; set; } = Array.Empty<Edi2HerIdIdentity>();

        /// <summary>Message types (FinnKode 8279, e.g. SVAR_RTG) NHN should refuse for these HER-ids.</summary>
        [Parameter]
        public string[] RejectMessageFunction { get; set; } = Array.Empty<string>();

        /// <summary>The ledger file; default &lt;LocalApplicationData&gt;/Edi2/reservations.json.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LedgerPath { get; set; }

        protected override void ProcessRecordCore()
        {
            foreach (var id in HerId)
            {
                if (!_herIds.Contains(id.HerId)) _herIds.Add(id.HerId);
            }
        }

        protected override void EndProcessingCore()
        {
            if (_herIds.Count == 0) return;
            CurrentTarget = _herIds.Count == 1 ? (object)_herIds[0] : _herIds.ToArray();
            var session = ResolveSession();
            var ledger = OpenLedger(LedgerPath);

            string filters = RejectMessageFunction.Length == 0 ? "" : $", refusing {string.Join(", ", RejectMessageFunction)}";
            if (!ShouldProcess($"HER-id {string.Join(", ", _herIds)} for client '{session.ClientId}' ({session.Environment}{filters}); ledger {ledger.Path}",
                "Reserve (clientLocked=true)"))
            {
                return;
            }
            // One request per 1500 HER-ids, as Reservations.ReserveAsync makes them, one call each, so the progress can
            // count them; each request's reservations are written out once NHN said yes and the ledger has them.
            var progress = NewProgress("Set-Edi2Reservation", $"Reserving {_herIds.Count} HER-ids for client '{session.ClientId}' ({session.Environment})");
            try
            {
                for (int start = 0; start < _herIds.Count; start += Edi2HerIds.MaxPerRequest)
                {
                    var batch = _herIds.Skip(start).Take(Edi2HerIds.MaxPerRequest).ToList();
                    progress.Update($"HER-id {batch[0]}{(batch.Count > 1 ? $" and {batch.Count - 1} more" : "")}: {start} of {_herIds.Count} reserved",
                        $"client '{session.ClientId}' ({session.Environment}); ledger {ledger.Path}", Edi2Progress.Percent(start, _herIds.Count), force: true);
                    var reserved = Run(token => Reservations.ReserveAsync(session, batch, RejectMessageFunction, ledger, token));
                    WriteOutput(session, reserved, enumerateCollection: true);
                }
            }
            catch (Exception e) when (ErrorRecords.IsExpected(e))
            {
                WriteItemError(e, _herIds.Count == 1 ? (object)_herIds[0] : _herIds.ToArray());
            }
            finally
            {
                progress.Complete();
            }
        }
    }
}
