using System;

namespace Edi2.Model
{
    /// <summary>A HER-id this client reserved (v3 configuration with clientLocked), as the local ledger remembers it.</summary>
    public sealed class Edi2Reservation
    {
        public int HerId { get; set; }

        public string ClientId { get; set; } = "";

        public Edi2Environment Environment { get; set; }

        public Uri? ApiBaseUri { get; set; }

        public bool Locked { get; set; } = true;

        public DateTimeOffset ReservedAt { get; set; }

        public string[] RejectMessageFunctions { get; set; } = Array.Empty<string>();

        /// <summary>The ledger file it was read from or recorded in (so <c>Get-Edi2Reservation -LedgerPath x | Remove-Edi2Reservation</c> finds it again).</summary>
        public string? LedgerPath { get; set; }

        public override string ToString() => $"{HerId} ({ClientId}, {Environment})";
    }
}
