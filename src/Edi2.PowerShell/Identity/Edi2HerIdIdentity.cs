using System;
using System.Globalization;
using Edi2.Model;

namespace Edi2.PowerShell.Identity
{
    /// <summary>A HER-id from an int, a string (Import-Csv) or a reservation object.</summary>
    public sealed class Edi2HerIdIdentity
    {
        public Edi2HerIdIdentity(int herId) => HerId = Check(herId);

        public Edi2HerIdIdentity(string herId)
        {
            if (!int.TryParse(herId?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed))
            {
                throw new ArgumentException($"'{herId}' is not a HER-id (a positive number).");
            }
            HerId = Check(parsed);
        }

        public Edi2HerIdIdentity(Edi2Reservation reservation)
        {
            HerId = Check(reservation.HerId);
            Reservation = reservation;
        }

        public int HerId { get; }

        /// <summary>The ledger entry it came from, when piped from Get-Edi2Reservation.</summary>
        public Edi2Reservation? Reservation { get; }

        public override string ToString() => HerId.ToString(CultureInfo.InvariantCulture);

        private static int Check(int herId) => Edi2HerIds.Check(herId, nameof(HerId));
    }
}
