using System;
using System.Management.Automation;
using Edi2.PowerShell.Completion;
using Edi2.PowerShell.Identity;
using Edi2.Workflows;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Releases reserved HER-ids: PUT clientLocked=false (keep receiving through the API) or, with -DeleteConfiguration,
    /// DELETE the configuration. The ledger entry is removed only after NHN said yes. Goes on past failures, one error per
    /// HER-id. A system is decommissioned with <c>Get-Edi2Reservation | Remove-Edi2Reservation -Confirm:$false</c>.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "Edi2Reservation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Remove-Edi2Reservation.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveEdi2ReservationCommand : Edi2SessionCmdlet
    {
        private Edi2Progress? _progress;
        private int _done;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public Edi2HerIdIdentity[] HerId { get; set; } = Array.Empty<Edi2HerIdIdentity>();

        /// <summary>Delete the HER-id's configuration instead of only releasing the lock (the HER-id stops receiving through this client).</summary>
        [Parameter]
        public SwitchParameter DeleteConfiguration { get; set; }

        /// <summary>The ledger file; default &lt;LocalApplicationData&gt;/Edi2/reservations.json. Binds from Get-Edi2Reservation's objects.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? LedgerPath { get; set; }

        protected override void ProcessRecordCore()
        {
            var session = ResolveSession();
            var ledger = OpenLedger(LedgerPath);

            // Piped HER-ids come one per record (the total is not known); an array gives its length.
            var progress = _progress ??= NewProgress("Remove-Edi2Reservation", $"Releasing HER-ids of client '{session.ClientId}' ({session.Environment})");
            string verb = DeleteConfiguration ? "deleted" : "released";
            for (int index = 0; index < HerId.Length; index++)
            {
                var id = HerId[index];
                int herId = id.HerId;
                CurrentTarget = herId;
                progress.Update(HerId.Length > 1 ? $"HER-id {herId} ({index + 1} of {HerId.Length})" : $"HER-id {herId}",
                    $"{_done} {verb}; ledger {ledger.Path}", HerId.Length > 1 ? Edi2Progress.Percent(index, HerId.Length) : -1);
                if (id.Reservation is { } reservation && Mismatch(reservation, session) is string why)
                {
                    WriteItemError(new Edi2WorkflowException(WorkflowErrorReason.OtherClient,
                        $"HER-id {herId}'s reservation belongs to {why}; this session is client '{session.ClientId}' ({session.Environment}, {session.ApiBaseUri}). " +
                        "Only the client that reserved it can release it: connect as that client (Connect-Edi2 -ClientId ... -Environment ...) and run this again. Nothing was sent.",
                        herId), herId);
                    continue;
                }

                string action = DeleteConfiguration ? "Delete the MSH configuration (stop receiving through this client)" : "Release the reservation (clientLocked=false)";
                if (!ShouldProcess($"HER-id {herId} (client '{session.ClientId}', {session.Environment}); ledger {ledger.Path}", action)) continue;
                try
                {
                    var released = Run(token => Reservations.ReleaseAsync(session, herId, DeleteConfiguration, ledger, token));
                    _done++;
                    if (released.ConfigurationWasMissing) WriteWarning($"HER-id {herId} had no MSH configuration at NHN any more; nothing was held. Its ledger entry was removed.");
                    if (!released.LedgerEntryRemoved) WriteVerbose($"HER-id {herId} was not in the ledger {ledger.Path}; released at NHN all the same.");
                }
                catch (Exception e) when (ErrorRecords.IsExpected(e))
                {
                    WriteItemError(e, herId);
                }
            }
        }

        private static string? Mismatch(Edi2.Model.Edi2Reservation reservation, Edi2Session session)
        {
            if (session.ClientScope.Owns(reservation.ClientId, reservation.Environment, reservation.ApiBaseUri)) return null;
            return $"client '{reservation.ClientId}' ({reservation.Environment}{(reservation.ApiBaseUri is null ? "" : ", " + reservation.ApiBaseUri)})";
        }
    }
}
