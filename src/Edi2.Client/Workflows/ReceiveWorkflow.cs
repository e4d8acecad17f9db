using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Api;
using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>
    /// The scheduled-script receive loop, crash-safe and idempotent. For each notification after the saved offset, in order:
    /// a NewMessage is saved (<see cref="MessageFiles.SaveAsync"/>: temporary file, flush, rename; an existing file is kept),
    /// then marked downloaded for the notification's receiver, then the offset is moved past it and written to the state file
    /// (temporary file, flush, rename). Any failure stops the run before the offset moves past the failed notification, so a
    /// rerun resumes there: nothing is lost, and a file is never saved twice. Other notification types only move the offset.
    /// <para>
    /// A NewMessage whose message the API no longer has (404 with an API error body, or 410, on download) is passed over with a
    /// <see cref="ReceiveEventKind.Skipped"/> event, otherwise it would block every later message for ever; but only once its
    /// notification is older than <see cref="ReceiveOptions.NotFoundGracePeriod"/> (a message announced a moment ago may not
    /// be readable yet, and passing it over would lose it): until then the run stops there. A 404 or 410 when marking
    /// downloaded (the message went after it was saved) keeps the file and goes on with a warning, as Save-Edi2Message does
    /// (<see cref="MessageFiles.SaveAndMarkAsync"/>, the step both use). Every other failure
    /// (cut download, connection, 5xx, 401/403/423, a disk error) stops the run.
    /// </para>
    /// <para>
    /// With <see cref="ReceiveOptions.ThrottleLimit"/> above 1, up to that many downloads and as many marks run at once
    /// (<see cref="TransferSlots"/>), a few notifications ahead of the offset (<see cref="OrderedWork"/>); the events still come
    /// in notification order, and the offset is written once per contiguous run of notifications at the head that are all
    /// saved and marked, so it never passes one that is not. A failure stops the run there as above; messages after it that
    /// were already saved are found on disk by the rerun (kept, marked again). A limit of 1 is the sequential order above.
    /// </para>
    /// <para>The state file is locked for the whole run (<c>&lt;state&gt;.lock</c>, opened exclusively), so two runs on one state
    /// file cannot both work; the second waits up to <see cref="ReceiveOptions.LockTimeout"/> and then fails.</para>
    /// </summary>
    public sealed class ReceiveWorkflow
    {
        private readonly Edi2Session _session;
        private readonly ReceiveOptions _options;

        public ReceiveWorkflow(Edi2Session session, ReceiveOptions options)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            if (options.PageSize < 1 || options.PageSize > 1000) throw new ArgumentOutOfRangeException(nameof(options), options.PageSize, "PageSize must be 1 to 1000.");
            StatePath = Path.GetFullPath(options.StatePath ?? ExistingOrDefaultStatePath(session, options.HerIds, options.Folder));
        }

        public string StatePath { get; }

        public string LockPath => StatePath + ".lock";

        /// <summary>
        /// <c>&lt;folder&gt;/.edi2-receive-&lt;hash&gt;.json</c>, the hash over environment, client id, API base (its
        /// <see cref="Edi2ClientScope.ApiKey"/>, so every spelling of one API gets one file) and sorted HER-ids: another
        /// client, environment or HER-id set gets its own state (offsets are only valid for what they were read for).
        /// </summary>
        public static string DefaultStatePath(Edi2Session session, IEnumerable<int> herIds, string folder)
        {
            var scope = session.ClientScope;
            string key = string.Join("|", scope.Environment.ToString(), scope.ClientId, scope.ApiKey, string.Join(",", herIds.Distinct().OrderBy(h => h)));
            using (var sha = SHA256.Create())
            {
                string hash = MessageFiles.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(key))).Substring(0, 12).ToLowerInvariant();
                return Path.Combine(Path.GetFullPath(folder), ".edi2-receive-" + hash + ".json");
            }
        }

        // The name used to hash the API base as typed, so a receive may have a file under another spelling's name: it is
        // still this receive's and goes on from its offset (the one furthest on, if the old split left two).
        private static string ExistingOrDefaultStatePath(Edi2Session session, IReadOnlyList<int> herIds, string folder)
        {
            string path = DefaultStatePath(session, herIds, folder);
            if (File.Exists(path) || !Directory.Exists(folder)) return path;
            string? best = null;
            long bestOffset = -1;
            foreach (string candidate in Directory.EnumerateFiles(folder, ".edi2-receive-*.json"))
            {
                ReceiveState? state;
                try
                {
                    state = ReceiveStateFile.Read(candidate);
                }
                catch (Exception e) when (e is Edi2WorkflowException || e is IOException || e is UnauthorizedAccessException)
                {
                    continue; // not ours to judge here; a run on it reports it
                }
                if (state is null || Differences(state, session.ClientScope, herIds).Count > 0 || state.Offset <= bestOffset) continue;
                best = candidate;
                bestOffset = state.Offset;
            }
            return best ?? path;
        }

        /// <summary>Reads a state file (null if there is none). Throws <see cref="Edi2WorkflowException"/> (StateCorrupt) if it cannot be read.</summary>
        public static ReceiveState? ReadState(string statePath) => ReceiveStateFile.Read(statePath);

        /// <summary>Runs once through every notification after the saved offset. Enumerate it to the end (or dispose it) to release the lock.</summary>
        public async IAsyncEnumerable<ReceiveEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            FileErrors.EnsureFolder(Path.GetFullPath(_options.Folder));
            OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(StatePath) ?? ".");
            var api = _session.Api;
            using (await FileLock.AcquireAsync(LockPath, _options.LockTimeout, LockedError, cancellationToken).ConfigureAwait(false))
            {
                ReceiveStateFile.RemoveTemporaries(StatePath); // a killed run's, never a live one's: the lock is ours
                var state = ReceiveStateFile.Read(StatePath);
                if (state is null)
                {
                    state = NewState();
                    ReceiveStateFile.Write(StatePath, state); // fails now, before any download, if it cannot be written
                }
                else
                {
                    CheckBelongs(state);
                }

                long offset = state.Offset;
                var progress = new ReceiveProgress { Offset = offset };
                using (var slots = new TransferSlots(_options.ThrottleLimit))
                {
                    var notifications = After(api.GetAllNotificationsAsync(_options.HerIds, offset, _options.PageSize, cancellationToken), offset);
                    // A message for two of our HER-ids has two notifications: the second waits for the first, finds the file and only marks.
                    var byMessage = new Dictionary<Guid, Task>();
                    Task<(Edi2Notification Notification, ReceiveEvent? Event)> Start(Edi2Notification n, CancellationToken token)
                    {
                        Task? earlier = n.RelatedMessageId is Guid id && byMessage.TryGetValue(id, out var t) ? t : null;
                        var task = HandleAsync(api, n, earlier, slots, token);
                        if (n.RelatedMessageId is Guid related) byMessage[related] = task;
                        return task;
                    }
                    await foreach (var done in OrderedWork.RunAsync(notifications, OrderedWork.WindowFor(_options.ThrottleLimit), Start, cancellationToken).ConfigureAwait(false))
                    {
                        // The contiguous run of finished notifications at the head: everything up to the last one that
                        // succeeded is saved and marked, so the offset moves past it, in one write. A failure stops the
                        // run right after, the offset before it.
                        var handled = done.TakeWhile(t => t.Status == TaskStatus.RanToCompletion).Select(t => t.Result).ToList();
                        if (handled.Count > 0)
                        {
                            offset = handled[handled.Count - 1].Notification.Offset;
                            state.Offset = offset;
                            state.UpdatedAt = DateTimeOffset.UtcNow;
                            ReceiveStateFile.Write(StatePath, state);
                        }
                        foreach (var item in handled)
                        {
                            if (item.Notification.RelatedMessageId is Guid finished && byMessage.TryGetValue(finished, out var last) && last.IsCompleted) byMessage.Remove(finished);
                            Count(progress, item.Event);
                            progress.Notifications++;
                            progress.Offset = offset;
                            if (item.Event != null) yield return item.Event;
                            yield return new ReceiveEvent(ReceiveEventKind.Progress, null, null, null, progress.Copy());
                        }
                        if (handled.Count < done.Count) done[handled.Count].GetAwaiter().GetResult(); // throws its failure
                    }
                }
            }
        }

        /// <summary>Notifications after <paramref name="offset"/> and after each other: one handled already (a server should not send it again) is passed.</summary>
        private static async IAsyncEnumerable<Edi2Notification> After(IAsyncEnumerable<Edi2Notification> notifications, long offset)
        {
            await foreach (var notification in notifications.ConfigureAwait(false))
            {
                if (notification.Offset <= offset) continue;
                offset = notification.Offset;
                yield return notification;
            }
        }

        private static void Count(ReceiveProgress progress, ReceiveEvent? happened)
        {
            if (happened is null) return;
            if (happened.Kind == ReceiveEventKind.Skipped)
            {
                progress.Skipped++;
            }
            else if (happened.Saved is Edi2SavedMessage saved)
            {
                if (saved.AlreadyPresent)
                {
                    progress.AlreadyPresent++;
                }
                else
                {
                    progress.Downloaded++;
                    progress.Bytes += saved.Length;
                }
            }
        }

        private async Task<(Edi2Notification Notification, ReceiveEvent? Event)> HandleAsync(Edi2ApiClient api, Edi2Notification notification, Task? earlier,
            TransferSlots slots, CancellationToken cancellationToken)
        {
            if (earlier != null) await OrderedWork.Finished(earlier).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (string.Equals(notification.Type, "NewMessage", StringComparison.OrdinalIgnoreCase))
            {
                return (notification, await ReceiveAsync(api, notification, slots, cancellationToken).ConfigureAwait(false));
            }
            return (notification, _options.IncludeOtherNotifications ? new ReceiveEvent(ReceiveEventKind.Other, notification, null, null, null) : null);
        }

        private async Task<ReceiveEvent> ReceiveAsync(Edi2ApiClient api, Edi2Notification notification, TransferSlots slots, CancellationToken cancellationToken)
        {
            if (!(notification.RelatedMessageId is Guid id) || id == Guid.Empty)
            {
                return new ReceiveEvent(ReceiveEventKind.Skipped, notification, null,
                    notification.UnreadableRelatedMessageId is string unreadable
                        ? $"NewMessage notification {notification.Id} (offset {notification.Offset}) names '{unreadable}' as its message, which is not a message id (a GUID); there is nothing to download, so it is passed over."
                        : $"NewMessage notification {notification.Id} (offset {notification.Offset}) names no message; passed over.", null);
            }
            int receiver = notification.ReceiverHerId;
            if (receiver <= 0)
            {
                // The notification should say whose it is; with one HER-id it can only be that one.
                if (_options.HerIds.Count != 1)
                {
                    throw new Edi2ApiException(ApiErrorReason.UnexpectedResponse,
                        $"NewMessage notification {notification.Id} for message {id} names no receiver HER-id, so the message cannot be marked downloaded. Nothing was passed over; receive for one HER-id at a time to go on.", id);
                }
                receiver = _options.HerIds[0];
            }

            SaveAndMarkResult step;
            try
            {
                step = await MessageFiles.SaveAndMarkAsync(api, id, receiver, _options.Folder, overwrite: false, cancellationToken, slots: slots).ConfigureAwait(false);
            }
            catch (Edi2ApiException e) when (MessageFiles.IsGone(e)) // the download's: the step returns a failed mark, never throws it
            {
                if (notification.CreatedAt is DateTimeOffset created && DateTimeOffset.UtcNow - created < _options.NotFoundGracePeriod)
                {
                    throw new Edi2ApiException(ApiErrorReason.NotFound,
                        $"Message {id} (HER-id {receiver}, offset {notification.Offset}) was announced at {created:yyyy-MM-dd HH:mm:ss} UTC but NHN does not have it (HTTP {e.StatusCode}). " +
                        $"The run stops here rather than pass over a message that may not be there yet; the next run tries again, and passes it over once the notification is older than {_options.NotFoundGracePeriod.TotalMinutes:0.#} minutes. {e.Message}",
                        id, e.StatusCode, e.ErrorCode, e.RequestId, e.ValidationErrors, e);
                }
                return new ReceiveEvent(ReceiveEventKind.Skipped, notification, null,
                    $"Message {id} (HER-id {receiver}, offset {notification.Offset}) is no longer at NHN (HTTP {e.StatusCode}: purged or withdrawn), so there is nothing to save; passed over. {e.Message}", null);
            }
            // Any other failed mark stops the run before the offset moves, so the next run marks it (the file is kept).
            if (step.MarkError != null) ExceptionDispatchInfo.Capture(step.MarkError).Throw();
            return new ReceiveEvent(ReceiveEventKind.Saved, notification, step.Saved, step.Warning, null);
        }

        private ReceiveState NewState() => new ReceiveState
        {
            Offset = 0,
            ClientId = _session.ClientId,
            Environment = _session.Environment.ToString(),
            ApiBaseUri = _session.ClientScope.ApiBaseUri.AbsoluteUri,
            HerIds = _options.HerIds.ToArray(),
            UpdatedAt = DateTimeOffset.UtcNow,
        };

        private static List<string> Differences(ReceiveState state, Edi2ClientScope scope, IReadOnlyList<int> sortedHerIds)
        {
            var differences = new List<string>();
            if (!string.Equals(state.ClientId, scope.ClientId, StringComparison.Ordinal)) differences.Add($"client id '{state.ClientId}', not '{scope.ClientId}'");
            if (!string.Equals(state.Environment, scope.Environment.ToString(), StringComparison.OrdinalIgnoreCase)) differences.Add($"environment {state.Environment}, not {scope.Environment}");
            if (!scope.IsSameApi(state.ApiBaseUri)) differences.Add($"API {state.ApiBaseUri}, not {scope.ApiBaseUri}");
            var herIds = (state.HerIds ?? Array.Empty<int>()).Distinct().OrderBy(h => h).ToArray();
            if (!herIds.SequenceEqual(sortedHerIds)) differences.Add($"HER-ids {string.Join(", ", herIds)}, not {string.Join(", ", sortedHerIds)}");
            return differences;
        }

        private void CheckBelongs(ReceiveState state)
        {
            var differences = Differences(state, _session.ClientScope, _options.HerIds);
            if (differences.Count == 0) return;
            throw new Edi2WorkflowException(WorkflowErrorReason.StateMismatch,
                $"The receive state file '{StatePath}' belongs to another receive: {string.Join("; ", differences)}. Its offset is only valid for what it was read for " +
                "(with other HER-ids, notifications before it would be missed). Use another -StatePath, or leave -StatePath out to get one per client, environment and HER-id set.",
                StatePath);
        }

        private Exception LockedError(IOException? busy) =>
            new Edi2WorkflowException(WorkflowErrorReason.StateLocked,
                $"Another Receive-Edi2Message run is using the state file '{StatePath}' (its lock '{LockPath}' is held){(_options.LockTimeout > TimeSpan.Zero ? $"; waited {_options.LockTimeout.TotalSeconds:0.#} s" : "")}. " +
                "Only one run at a time may receive with one state file. Let it finish, or give -LockTimeout to wait for it." +
                (busy is null ? "" : $" (The system said: {busy.Message})"),
                StatePath, busy);
    }
}
