using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Api;
using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>What releasing a reservation did.</summary>
    public sealed class ReservationRelease
    {
        public int HerId { get; set; }

        /// <summary>True: the configuration was deleted; false: it was kept with clientLocked=false.</summary>
        public bool ConfigurationDeleted { get; set; }

        /// <summary>DELETE answered 404: there was no configuration any more (nothing held, so the entry is removed all the same).</summary>
        public bool ConfigurationWasMissing { get; set; }

        /// <summary>A ledger entry was removed.</summary>
        public bool LedgerEntryRemoved { get; set; }
    }

    /// <summary>
    /// Reserving HER-ids for this client (v3 configurations with clientLocked=true and channel Api) and releasing them,
    /// with the ledger following the server: an entry is added only after the server's 204 and removed only after it said
    /// yes. A refusal (403, 423, ...) throws and leaves the ledger as it was. The ledger is read before the server is asked,
    /// so a corrupt ledger stops the change before it happens rather than after.
    /// </summary>
    public static class Reservations
    {
        /// <summary>
        /// One PUT /mshconfigurations per 1500 HER-ids (the API's limit per request; the server takes all of a request or
        /// none), then the ledger entries of that request. Returns the reservations recorded.
        /// </summary>
        public static async Task<IReadOnlyList<Edi2Reservation>> ReserveAsync(Edi2Session session, IEnumerable<int> herIds,
            IEnumerable<string>? rejectMessageFunctions, ReservationLedger ledger, CancellationToken cancellationToken = default)
        {
            if (session is null) throw new ArgumentNullException(nameof(session));
            if (ledger is null) throw new ArgumentNullException(nameof(ledger));
            var ids = herIds.Distinct().ToList();
            if (ids.Count == 0) throw new ArgumentException("Give at least one HER-id to reserve.", nameof(herIds));
            foreach (int herId in ids) Edi2HerIds.Check(herId, nameof(herIds)); // all of them before the first batch is sent
            var functions = (rejectMessageFunctions ?? Enumerable.Empty<string>()).Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim()).Distinct().ToArray();

            ledger.Read(); // a ledger that cannot be read stops us before the server is changed

            var recorded = new List<Edi2Reservation>();
            for (int start = 0; start < ids.Count; start += Edi2HerIds.MaxPerRequest)
            {
                var batch = ids.Skip(start).Take(Edi2HerIds.MaxPerRequest).ToList();
                await session.Api.PutConfigurationsAsync(batch.Select(h => new MshConfiguration
                {
                    HerId = h, ReceiveNotificationChannel = "Api", ClientLocked = true, RejectMessageFunctions = functions.Length == 0 ? null : functions,
                }).ToList(), cancellationToken).ConfigureAwait(false);

                DateTimeOffset now = session.Clock.GetUtcNow();
                var entries = batch.Select(h => new Edi2Reservation
                {
                    HerId = h, ClientId = session.ClientId, Environment = session.Environment, ApiBaseUri = session.ApiBaseUri,
                    Locked = true, ReservedAt = now, RejectMessageFunctions = functions,
                }).ToList();
                RecordOrExplain(() => ledger.Upsert(entries), ledger, batch, "reserved");
                recorded.AddRange(entries);
            }
            return recorded;
        }

        /// <summary>
        /// Releases one HER-id: PUT clientLocked=false (keep receiving through the API, with the filters the ledger remembers)
        /// or, with <paramref name="deleteConfiguration"/>, DELETE its configuration. Then removes the ledger entry.
        /// </summary>
        public static async Task<ReservationRelease> ReleaseAsync(Edi2Session session, int herId, bool deleteConfiguration, ReservationLedger ledger,
            CancellationToken cancellationToken = default)
        {
            if (session is null) throw new ArgumentNullException(nameof(session));
            if (ledger is null) throw new ArgumentNullException(nameof(ledger));
            Edi2HerIds.Check(herId, nameof(herId));

            var entry = ledger.Find(herId, session.ClientScope); // throws if unreadable
            var result = new ReservationRelease { HerId = herId, ConfigurationDeleted = deleteConfiguration };
            if (deleteConfiguration)
            {
                try
                {
                    await session.Api.DeleteConfigurationsAsync(new[] { herId }, cancellationToken).ConfigureAwait(false);
                }
                catch (Edi2ApiException e) when (e.ApiReason == ApiErrorReason.NotFound)
                {
                    result.ConfigurationWasMissing = true; // nothing is held: what was asked for is so
                }
            }
            else
            {
                var functions = entry?.RejectMessageFunctions ?? Array.Empty<string>();
                await session.Api.PutConfigurationsAsync(new[]
                {
                    new MshConfiguration { HerId = herId, ReceiveNotificationChannel = "Api", ClientLocked = false, RejectMessageFunctions = functions.Length == 0 ? null : functions },
                }, cancellationToken).ConfigureAwait(false);
            }

            RecordOrExplain(() => result.LedgerEntryRemoved = ledger.Remove(herId, session.ClientScope),
                ledger, new[] { herId }, deleteConfiguration ? "released (configuration deleted)" : "released (clientLocked=false)");
            return result;
        }

        private static void RecordOrExplain(Action change, ReservationLedger ledger, IReadOnlyCollection<int> herIds, string what)
        {
            try
            {
                change();
            }
            catch (Exception e) when (e is Edi2WorkflowException || e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                throw new Edi2WorkflowException(WorkflowErrorReason.LedgerNotUpdated,
                    $"NHN {what} HER-id {string.Join(", ", herIds)}, but the ledger '{ledger.Path}' could not record it: {e.Message} Run the same command again once the ledger can be written (it is safe to repeat).",
                    herIds.Count == 1 ? (object)herIds.First() : herIds.ToArray(), e);
            }
        }
    }
}
