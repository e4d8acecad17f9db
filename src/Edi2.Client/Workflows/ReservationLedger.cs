using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>
    /// The local record of the HER-ids this machine reserved, because the API has no GET /mshconfigurations: a JSON file
    /// (default <c>&lt;LocalApplicationData&gt;/Edi2/reservations.json</c>). Entries are keyed by HER-id, client id, environment
    /// and API base. Every change is read-modify-write under an exclusive lock (<c>&lt;file&gt;.lock</c>) and written atomically
    /// (temporary file, flush, rename), so parallel runspaces and processes lose no entry. A missing file is an empty ledger;
    /// a file that cannot be read is reported and never overwritten.
    /// </summary>
    public sealed class ReservationLedger
    {
        private static readonly JsonSerializerOptions Json = CreateJson();

        public ReservationLedger(string? path = null)
        {
            Path = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? DefaultPath : path);
        }

        public string Path { get; }

        public string LockPath => Path + ".lock";

        /// <summary>How long a change waits for another process's change to finish.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><c>&lt;LocalApplicationData&gt;/Edi2/reservations.json</c> of the current user.</summary>
        public static string DefaultPath
        {
            get
            {
                string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
                if (string.IsNullOrEmpty(local))
                {
                    throw new Edi2WorkflowException(WorkflowErrorReason.LedgerLocation,
                        "This account has no local application data folder for the reservation ledger; give -LedgerPath.");
                }
                return System.IO.Path.Combine(local, "Edi2", "reservations.json");
            }
        }

        /// <summary>Every entry. Throws <see cref="Edi2WorkflowException"/> (LedgerCorrupt) if the file cannot be read.</summary>
        public IReadOnlyList<Edi2Reservation> Read() => Load();

        /// <summary>Adds the entries, replacing those with the same key (an entry keeps its first ReservedAt).</summary>
        public void Upsert(IEnumerable<Edi2Reservation> reservations)
        {
            var added = reservations.ToList();
            Update(entries =>
            {
                foreach (var reservation in added)
                {
                    int index = entries.FindIndex(e => SameKey(e, reservation));
                    if (index >= 0)
                    {
                        if (entries[index].ReservedAt < reservation.ReservedAt && entries[index].ReservedAt != default) reservation.ReservedAt = entries[index].ReservedAt;
                        entries[index] = reservation;
                    }
                    else
                    {
                        entries.Add(reservation);
                    }
                    reservation.LedgerPath = Path;
                }
                return added.Count > 0;
            });
        }

        /// <summary>Removes the entry with this key; false if there was none.</summary>
        public bool Remove(int herId, string clientId, Edi2Environment environment, Uri? apiBaseUri)
        {
            var key = new Edi2Reservation { HerId = herId, ClientId = clientId, Environment = environment, ApiBaseUri = apiBaseUri };
            bool removed = false;
            Update(entries =>
            {
                removed = entries.RemoveAll(e => SameKey(e, key)) > 0;
                return removed;
            });
            return removed;
        }

        /// <summary>Removes the HER-id's entry of this client, environment and API; false if there was none.</summary>
        public bool Remove(int herId, Edi2ClientScope scope) => Remove(herId, scope.ClientId, scope.Environment, scope.ApiBaseUri);

        /// <summary>The entry with this key, if any.</summary>
        public Edi2Reservation? Find(int herId, string clientId, Edi2Environment environment, Uri? apiBaseUri)
        {
            var key = new Edi2Reservation { HerId = herId, ClientId = clientId, Environment = environment, ApiBaseUri = apiBaseUri };
            return Load().FirstOrDefault(e => SameKey(e, key));
        }

        /// <summary>The HER-id's entry of this client, environment and API, if any.</summary>
        public Edi2Reservation? Find(int herId, Edi2ClientScope scope) => Find(herId, scope.ClientId, scope.Environment, scope.ApiBaseUri);

        // The API compared as Edi2ClientScope does (any spelling; an entry without one matches, as Remove-Edi2Reservation lets it through).
        internal static bool SameKey(Edi2Reservation a, Edi2Reservation b) =>
            a.HerId == b.HerId
            && string.Equals(a.ClientId, b.ClientId, StringComparison.Ordinal)
            && a.Environment == b.Environment
            && Edi2ClientScope.SameApi(a.ApiBaseUri, b.ApiBaseUri);

        private void Update(Func<List<Edi2Reservation>, bool> change)
        {
            OwnerOnlyFiles.CreateDirectory(System.IO.Path.GetDirectoryName(Path) ?? ".");
            using (FileLock.Acquire(LockPath, LockTimeout, busy => new Edi2WorkflowException(WorkflowErrorReason.LedgerLocked,
                $"The reservation ledger '{Path}' stayed locked by another process for {LockTimeout.TotalSeconds:0.#} s (lock '{LockPath}'); nothing was changed in it.",
                Path, busy)))
            {
                var entries = Load().ToList(); // a corrupt ledger throws here, before anything is written
                if (!change(entries)) return;
                var file = new LedgerFile
                {
                    Reservations = entries.OrderBy(e => e.Environment).ThenBy(e => e.ClientId, StringComparer.Ordinal).ThenBy(e => e.HerId).Select(LedgerEntry.From).ToList(),
                };
                AtomicFile.WriteAllBytes(Path, JsonSerializer.SerializeToUtf8Bytes(file, Json));
            }
        }

        private List<Edi2Reservation> Load()
        {
            byte[] bytes;
            try
            {
                bytes = ReadShared(Path);
            }
            catch (FileNotFoundException)
            {
                return new List<Edi2Reservation>();
            }
            catch (DirectoryNotFoundException)
            {
                return new List<Edi2Reservation>();
            }
            LedgerFile? file;
            try
            {
                file = bytes.Length == 0 ? null : JsonSerializer.Deserialize<LedgerFile>(bytes, Json);
            }
            catch (JsonException e)
            {
                throw Corrupt(e.Message, e);
            }
            if (file?.Reservations is null) throw Corrupt("it holds no reservations list", null);
            var entries = new List<Edi2Reservation>();
            foreach (var entry in file.Reservations)
            {
                if (entry is null || entry.HerId <= 0 || string.IsNullOrEmpty(entry.ClientId)) throw Corrupt("an entry has no HER-id or client id", null);
                var reservation = entry.ToModel();
                reservation.LedgerPath = Path;
                entries.Add(reservation);
            }
            return entries;
        }

        // Readers take no lock (writes are atomic renames); on Windows a rename can briefly stand in the way, so retry.
        private static byte[] ReadShared(string path)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                    using (var memory = new MemoryStream())
                    {
                        stream.CopyTo(memory);
                        return memory.ToArray();
                    }
                }
                catch (IOException e) when (attempt < 5 && !(e is FileNotFoundException || e is DirectoryNotFoundException))
                {
                    System.Threading.Thread.Sleep(20 * attempt);
                }
                catch (UnauthorizedAccessException) when (attempt < 5)
                {
                    System.Threading.Thread.Sleep(20 * attempt);
                }
            }
        }

        private Edi2WorkflowException Corrupt(string why, Exception? inner) =>
            new Edi2WorkflowException(WorkflowErrorReason.LedgerCorrupt,
                $"The reservation ledger '{Path}' cannot be read ({why}). It was left as it is and nothing was changed; repair it, or move it away " +
                "(reservations at NHN stay; re-run Set-Edi2Reservation for the HER-ids to record them again).",
                Path, inner);

        private static JsonSerializerOptions CreateJson()
        {
            var options = new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                PropertyNameCaseInsensitive = true,
                WriteIndented = true,
            };
            options.Converters.Add(new JsonStringEnumConverter());
            return options;
        }

        private sealed class LedgerFile
        {
            public int Version { get; set; } = 1;

            public List<LedgerEntry>? Reservations { get; set; } = new List<LedgerEntry>();
        }

        private sealed class LedgerEntry
        {
            public int HerId { get; set; }

            public string? ClientId { get; set; }

            public Edi2Environment Environment { get; set; }

            public string? ApiBaseUri { get; set; }

            public bool Locked { get; set; } = true;

            public DateTimeOffset ReservedAt { get; set; }

            public string[]? RejectMessageFunctions { get; set; }

            public static LedgerEntry From(Edi2Reservation r) => new LedgerEntry
            {
                HerId = r.HerId, ClientId = r.ClientId, Environment = r.Environment, ApiBaseUri = r.ApiBaseUri?.AbsoluteUri,
                Locked = r.Locked, ReservedAt = r.ReservedAt, RejectMessageFunctions = r.RejectMessageFunctions,
            };

            public Edi2Reservation ToModel() => new Edi2Reservation
            {
                HerId = HerId, ClientId = ClientId ?? "", Environment = Environment,
                ApiBaseUri = Uri.TryCreate(ApiBaseUri, UriKind.Absolute, out Uri? uri) ? uri : null,
                Locked = Locked, ReservedAt = ReservedAt, RejectMessageFunctions = RejectMessageFunctions ?? Array.Empty<string>(),
            };
        }
    }
}
