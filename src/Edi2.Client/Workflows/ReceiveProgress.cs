namespace Edi2.Workflows
{
    /// <summary>Counters of a receive run so far.</summary>
    public sealed class ReceiveProgress
    {
        /// <summary>Notifications handled (every type), and so passed by the offset.</summary>
        public int Notifications { get; set; }

        /// <summary>Messages downloaded in this run.</summary>
        public int Downloaded { get; set; }

        /// <summary>Messages whose file was already there from an earlier run (kept, marked again).</summary>
        public int AlreadyPresent { get; set; }

        public int Skipped { get; set; }

        /// <summary>Bytes of the documents downloaded in this run.</summary>
        public long Bytes { get; set; }

        /// <summary>The offset saved in the state file.</summary>
        public long Offset { get; set; }

        public ReceiveProgress Copy() => (ReceiveProgress)MemberwiseClone();
    }
}
