using System;
using System.Linq;
using System.Management.Automation;
using Edi2.Model;
using Edi2.Workflows;
using Edi2.PowerShell.Completion;

namespace Edi2.PowerShell.Commands
{
    /// <summary>The HER-ids this machine reserved, from the local ledger (the API cannot list configurations). Needs no session.</summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Reservation", HelpUri = "https://github.com/edi2/edi2-powershell/blob/main/docs/en-US/Get-Edi2Reservation.md")]
    [OutputType(typeof(Edi2Reservation))]
    public sealed class GetEdi2ReservationCommand : Edi2Cmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(Edi2HerIds.Min, Edi2HerIds.Max)]
        [ArgumentCompleter(typeof(Edi2HerIdCompleter))]
        public int[] HerId { get; set; } = Array.Empty<int>();

        [Parameter]
        public Edi2Environment? Environment { get; set; }

        /// <summary>Only this client's reservations; wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string? ClientId { get; set; }

        /// <summary>The ledger file; default &lt;LocalApplicationData&gt;/Edi2/reservations.json.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LedgerPath { get; set; }

        protected override void ProcessRecordCore()
        {
            CurrentTarget = LedgerPath; // a ledger that cannot be read is what an error is about
            var entries = OpenLedger(LedgerPath).Read().ToArray();

            var client = ClientId is null ? null : new WildcardPattern(ClientId, WildcardOptions.IgnoreCase);
            var found = entries
                .Where(r => Environment is null || r.Environment == Environment)
                .Where(r => client is null || client.IsMatch(r.ClientId))
                .Where(r => HerId.Length == 0 || HerId.Contains(r.HerId))
                .OrderBy(r => r.Environment).ThenBy(r => r.ClientId, StringComparer.Ordinal).ThenBy(r => r.HerId)
                .ToList();
            WriteObject(found, enumerateCollection: true);

            foreach (int missing in HerId.Where(h => found.All(r => r.HerId != h)).Distinct())
            {
                WriteItemError(ErrorRecords.NoReservation(missing, filtered: !(Environment is null && ClientId is null)));
            }
        }
    }
}
