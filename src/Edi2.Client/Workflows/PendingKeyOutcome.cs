namespace Edi2.Workflows
{
    /// <summary>What became of a pending key an interrupted rotation left behind.</summary>
    public enum PendingKeyOutcome
    {
        /// <summary>There was no pending key.</summary>
        None,
        /// <summary>The key file already held the pending key (the crash came after the replace): the pending place was removed.</summary>
        AlreadyCommitted,
        /// <summary>HelseID accepts the pending key: the rotation was finished (old key backed up, pending key made current).</summary>
        Finished,
        /// <summary>HelseID refuses the pending key and accepts the current one: the pending key was removed.</summary>
        RolledBack,
    }
}
