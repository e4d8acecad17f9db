using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Edi2.Api;
using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>
    /// Business documents on disk as <c>&lt;folder&gt;/&lt;message id&gt;.xml</c>, never partial: the download goes to a temporary
    /// file in the same folder (<c>.&lt;id&gt;.&lt;random&gt;.partial</c>), hashed while written, flushed to the disk, then renamed.
    /// So an <c>&lt;id&gt;.xml</c> that exists is complete, and only then may a message be marked downloaded.
    /// </summary>
    public static class MessageFiles
    {
        private const string PartialSuffix = ".partial";

        /// <summary>The file name a message is saved under.</summary>
        public static string FileName(Guid messageId) => messageId.ToString("D") + ".xml";

        /// <summary>
        /// Saves message <paramref name="messageId"/>'s business document in <paramref name="folder"/> (created if missing).
        /// If the file is already there and <paramref name="overwrite"/> is false, it is kept (it can only have got there by a
        /// completed rename) and described with <see cref="Edi2SavedMessage.AlreadyPresent"/>, without a download. Any failure
        /// deletes the temporary file and propagates. A download cut or stalled in its body is tried again, up to
        /// <see cref="RetryPolicy.MaxAttempts"/> in all; then it throws <see cref="Edi2ApiException"/> (Incomplete or Timeout).
        /// A <c>progress</c> is told the document bytes written so far, as they are written (not for a file kept).
        /// </summary>
        public static async Task<Edi2SavedMessage> SaveAsync(Edi2ApiClient api, Guid messageId, string folder, bool overwrite,
            CancellationToken cancellationToken = default, IProgress<long>? progress = null)
        {
            if (api is null) throw new ArgumentNullException(nameof(api));
            if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("Give the folder to save the message in.", nameof(folder));
            folder = Path.GetFullPath(folder);
            FileErrors.EnsureFolder(folder);
            string target = Path.Combine(folder, FileName(messageId));

            if (!overwrite && File.Exists(target)) return Describe(messageId, target, alreadyPresent: true);

            RemoveStalePartials(folder, messageId);
            for (int attempt = 1, taken = 0; ;)
            {
                try
                {
                    var saved = await SaveToPartialAsync(api, messageId, folder, target, overwrite, cancellationToken, progress, lastTry: taken == 2).ConfigureAwait(false);
                    if (saved != null) return saved;
                    taken++; // nothing failed: start again at once
                }
                catch (Exception e) when (FileErrors.Name(e, target))
                {
                    throw;
                }
                catch (Edi2ApiException e) when (IsCutShort(e) && attempt < api.Retry.MaxAttempts && !cancellationToken.IsCancellationRequested)
                {
                    // A cut or stalled body is retried like a connection dropped before the headers: the GET changes nothing,
                    // and the whole document is fetched again into a new temporary file.
                    await Task.Delay(api.Retry.Backoff(attempt++), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>A download that ended in its body: cut (Incomplete) or stalled (Timeout).</summary>
        internal static bool IsCutShort(Edi2ApiException e) => e.ApiReason == ApiErrorReason.Incomplete || e.ApiReason == ApiErrorReason.Timeout;

        /// <summary>
        /// One download into a new partial, renamed into place. Null if another run's clean-up removed the partial in the moment
        /// between its creation and its lock (on Unix a file is created, then locked): the caller starts again with a new one.
        /// </summary>
        private static async Task<Edi2SavedMessage?> SaveToPartialAsync(Edi2ApiClient api, Guid messageId, string folder, string target, bool overwrite,
            CancellationToken cancellationToken, IProgress<long>? progress, bool lastTry)
        {
            // .<id>.<random>.partial: the name RemoveStalePartials looks for.
            string temporary = AtomicFile.TemporaryPathFor(Path.Combine(folder, messageId.ToString("D")), PartialSuffix);
            string sha256;
            long length;
            bool someoneElses = false;
            try
            {
                // Held open until renamed: another run's clean-up (RemoveStalePartials) removes only what it can open
                // exclusively, so it cannot take this file between its close and its rename. Read and Delete shared only so
                // that the rename itself may open it (Windows); the write access still refuses an exclusive open.
                using (var file = OwnerOnlyFiles.Open(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 81920, FileOptions.None))
                {
                    using (var hashing = new HashingStream(file, progress))
                    {
                        await api.DownloadBusinessDocumentAsync(messageId, hashing, cancellationToken).ConfigureAwait(false);
                        file.Flush(flushToDisk: true);
                        sha256 = hashing.HashHex();
                        length = hashing.Length;
                    }

                    if (!lastTry && !File.Exists(temporary)) return null;
                    if (overwrite)
                    {
                        AtomicFile.Replace(temporary, target);
                    }
                    else if (!AtomicFile.MoveIfAbsent(temporary, target))
                    {
                        // Another run saved the same message meanwhile; its file is as complete as ours.
                        someoneElses = true;
                    }
                }
            }
            catch
            {
                AtomicFile.TryDelete(temporary);
                throw;
            }
            if (someoneElses)
            {
                AtomicFile.TryDelete(temporary);
                return Describe(messageId, target, alreadyPresent: true);
            }
            return new Edi2SavedMessage { MessageId = messageId, Path = target, Length = length, Sha256 = sha256 };
        }

        /// <summary>
        /// Save, then mark downloaded: the one step behind Save-Edi2Message -MarkDownloaded and Receive-Edi2Message. Saves as
        /// <see cref="SaveAsync"/> does (its failures propagate: nothing is marked without its file), then marks the message
        /// downloaded for <paramref name="receiverHerId"/>. A failed mark never throws, since the file is safe and the caller
        /// must still be given it: it comes back as <see cref="SaveAndMarkResult.Warning"/> (NHN no longer has the message)
        /// or <see cref="SaveAndMarkResult.MarkError"/> (anything else), with <see cref="Edi2SavedMessage.MarkedDownloaded"/> false.
        /// </summary>
        /// <para>With <paramref name="slots"/>, the download waits for a download slot and the mark for a mark slot (concurrent runs).</para>
        public static async Task<SaveAndMarkResult> SaveAndMarkAsync(Edi2ApiClient api, Guid messageId, int receiverHerId, string folder, bool overwrite,
            CancellationToken cancellationToken = default, IProgress<long>? progress = null, TransferSlots? slots = null)
        {
            if (receiverHerId <= 0) throw new ArgumentOutOfRangeException(nameof(receiverHerId), receiverHerId, "Give the HER-id the message was received for.");
            var saved = slots is null
                ? await SaveAsync(api, messageId, folder, overwrite, cancellationToken, progress).ConfigureAwait(false)
                : await slots.DownloadAsync(() => SaveAsync(api, messageId, folder, overwrite, cancellationToken, progress), cancellationToken).ConfigureAwait(false);
            saved.ReceiverHerId = receiverHerId;
            return slots is null
                ? await MarkAsync(api, saved, receiverHerId, cancellationToken).ConfigureAwait(false)
                : await slots.MarkAsync(() => MarkAsync(api, saved, receiverHerId, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        private static async Task<SaveAndMarkResult> MarkAsync(Edi2ApiClient api, Edi2SavedMessage saved, int receiverHerId, CancellationToken cancellationToken)
        {
            Guid messageId = saved.MessageId;
            try
            {
                await api.MarkDownloadedAsync(messageId, receiverHerId, cancellationToken).ConfigureAwait(false);
                saved.MarkedDownloaded = true;
                return new SaveAndMarkResult(saved, null, null);
            }
            catch (Edi2ApiException e) when (IsGone(e))
            {
                // Stopping would not help: every retry would get the same answer, and a receive run would be stuck here for ever.
                return new SaveAndMarkResult(saved, $"Message {messageId} is saved in {saved.Path} but was not marked downloaded for HER-id {receiverHerId}: " +
                    $"NHN no longer has it (HTTP {e.StatusCode}: purged, or already marked downloaded). The file is kept. {e.Message}", null);
            }
            catch (Edi2Exception e)
            {
                return new SaveAndMarkResult(saved, null, e);
            }
        }

        /// <summary>
        /// Saves (and where asked, marks) each message, up to <paramref name="throttleLimit"/> downloads and as many marks at
        /// once (<see cref="TransferSlots"/>), handing the outcomes back in the order of <paramref name="requests"/>
        /// (<see cref="OrderedWork"/>). A failed message is an outcome with its error, and the others go on (as
        /// Save-Edi2Message goes on after an item's error); only cancellation ends the enumeration early. <paramref name="progressFor"/>
        /// gives each message's download its own byte count to report to, if wanted.
        /// </summary>
        public static IAsyncEnumerable<SaveOutcome> SaveEachAsync(Edi2ApiClient api, IEnumerable<SaveRequest> requests, string folder, bool overwrite,
            int throttleLimit, CancellationToken cancellationToken = default, Func<Guid, IProgress<long>?>? progressFor = null) =>
            SaveEachAsync(api, OrderedWork.Async(requests), folder, overwrite, throttleLimit, cancellationToken, progressFor);

        /// <summary>The same for requests that arrive while earlier ones are saved (an <see cref="AsyncFeed{T}"/> of piped records).</summary>
        public static async IAsyncEnumerable<SaveOutcome> SaveEachAsync(Edi2ApiClient api, IAsyncEnumerable<SaveRequest> requests, string folder, bool overwrite,
            int throttleLimit, [EnumeratorCancellation] CancellationToken cancellationToken = default, Func<Guid, IProgress<long>?>? progressFor = null)
        {
            if (api is null) throw new ArgumentNullException(nameof(api));
            using (var slots = new TransferSlots(throttleLimit))
            {
                async Task<SaveOutcome> SaveOneAsync(SaveRequest request, CancellationToken token)
                {
                    try
                    {
                        var progress = progressFor?.Invoke(request.MessageId);
                        var result = request.MarkForHerId > 0
                            ? await SaveAndMarkAsync(api, request.MessageId, request.MarkForHerId, folder, overwrite, token, progress, slots).ConfigureAwait(false)
                            : new SaveAndMarkResult(await slots.DownloadAsync(() => SaveAsync(api, request.MessageId, folder, overwrite, token, progress), token).ConfigureAwait(false), null, null);
                        return new SaveOutcome(request, result, null);
                    }
                    catch (Exception e) when (!(e is OperationCanceledException && token.IsCancellationRequested))
                    {
                        return new SaveOutcome(request, null, e);
                    }
                }

                await foreach (var done in OrderedWork.RunAsync(requests, OrderedWork.WindowFor(throttleLimit), SaveOneAsync, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var outcome in done) yield return outcome.GetAwaiter().GetResult(); // only a cancellation throws
                }
            }
        }

        /// <summary>NHN does not have the message (any more): a 404 with an API error body (not a proxy's page), or a 410.</summary>
        internal static bool IsGone(Edi2ApiException e) => e.ApiReason == ApiErrorReason.NotFound || e.StatusCode == 410;

        /// <summary>Temporary files of this message left by a run that died; one still being written (locked) is left alone.</summary>
        internal static void RemoveStalePartials(string folder, Guid messageId)
        {
            string[] stale;
            try
            {
                stale = Directory.GetFiles(folder, "." + messageId.ToString("D") + ".*" + PartialSuffix);
            }
            catch (IOException)
            {
                return;
            }
            foreach (string path in stale)
            {
                try
                {
                    // Opening it exclusively proves no writer holds it; DeleteOnClose removes it as it is closed.
                    using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
                    {
                    }
                }
                catch (IOException)
                {
                    // In use by a concurrent save of the same message, or already gone.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        private static Edi2SavedMessage Describe(Guid messageId, string path, bool alreadyPresent)
        {
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.SequentialScan))
            using (var sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(file);
                return new Edi2SavedMessage
                {
                    MessageId = messageId, Path = path, Length = file.Length, Sha256 = Hex(hash), AlreadyPresent = alreadyPresent,
                };
            }
        }

        /// <summary>Upper-case hex, as Get-FileHash shows it.</summary>
        internal static string Hex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = "0123456789ABCDEF"[bytes[i] >> 4];
                chars[2 * i + 1] = "0123456789ABCDEF"[bytes[i] & 15];
            }
            return new string(chars);
        }

        /// <summary>Passes writes through to a stream while computing their SHA-256 and counting them.</summary>
        private sealed class HashingStream : Stream
        {
            private readonly Stream _inner;
            private readonly IProgress<long>? _progress;
            private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            private long _length;

            public HashingStream(Stream inner, IProgress<long>? progress)
            {
                _inner = inner;
                _progress = progress;
            }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => _length;

            public override long Position
            {
                get => _length;
                set => throw new NotSupportedException();
            }

            public string HashHex() => Hex(_hash.GetHashAndReset());

            public override void Write(byte[] buffer, int offset, int count)
            {
                _inner.Write(buffer, offset, count);
                _hash.AppendData(buffer, offset, count);
                _length += count;
                _progress?.Report(_length);
            }

            public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                await _inner.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
                _hash.AppendData(buffer, offset, count);
                _length += count;
                _progress?.Report(_length);
            }

            public override void WriteByte(byte value) => Write(new[] { value }, 0, 1);

            public override void Flush() => _inner.Flush();

            public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing) _hash.Dispose(); // the file is the caller's to close
                base.Dispose(disposing);
            }
        }
    }
}
