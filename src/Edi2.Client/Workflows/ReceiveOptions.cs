using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Edi2.Workflows
{
    /// <summary>What Receive-Edi2Message is told.</summary>
    public sealed class ReceiveOptions
    {
        public ReceiveOptions(IEnumerable<int> herIds, string folder)
        {
            HerIds = (herIds ?? throw new ArgumentNullException(nameof(herIds))).Distinct().OrderBy(h => h).ToArray();
            Edi2HerIds.CheckRequest(HerIds, nameof(herIds), " to receive for");
            if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("Give the folder to save messages in.", nameof(folder));
            Folder = Path.GetFullPath(folder);
        }

        /// <summary>Sorted, without duplicates.</summary>
        public IReadOnlyList<int> HerIds { get; }

        public string Folder { get; }

        /// <summary>The offset state file; by default <c>&lt;Folder&gt;/.edi2-receive-&lt;hash&gt;.json</c> (see <see cref="ReceiveWorkflow.DefaultStatePath"/>).</summary>
        public string? StatePath { get; set; }

        /// <summary>Hand notifications other than NewMessage to the caller (they are passed over either way).</summary>
        public bool IncludeOtherNotifications { get; set; }

        /// <summary>How long to wait for another run on the same state file to finish. Zero: fail at once.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.Zero;

        /// <summary>The largest <see cref="ThrottleLimit"/>.</summary>
        public const int MaxThrottleLimit = 64;

        private int _throttleLimit = 4;

        /// <summary>
        /// How many downloads (and, apart from them, how many marks) may run at once (1 to <see cref="MaxThrottleLimit"/>).
        /// 1 receives one message after the other: download, mark, offset.
        /// </summary>
        public int ThrottleLimit
        {
            get => _throttleLimit;
            set => _throttleLimit = value >= 1 && value <= MaxThrottleLimit ? value
                : throw new ArgumentOutOfRangeException(nameof(ThrottleLimit), value, $"ThrottleLimit must be 1 to {MaxThrottleLimit}.");
        }

        /// <summary>Notifications per request (1-1000).</summary>
        public int PageSize { get; set; } = 100;

        /// <summary>
        /// A NewMessage whose message NHN does not have (404) is passed over only once its notification is older than this;
        /// a younger one stops the run (it may just not be there yet), and a later run tries again.
        /// </summary>
        public TimeSpan NotFoundGracePeriod { get; set; } = TimeSpan.FromMinutes(10);
    }
}
