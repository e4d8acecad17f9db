namespace Edi2.Workflows
{
    /// <summary>The result of <see cref="ClientKeyRotation.ResolvePendingAsync"/>.</summary>
    public sealed class PendingKeyResolution
    {
        internal PendingKeyResolution(PendingKeyOutcome outcome, string? backupPath = null, string? thumbprint = null)
        {
            Outcome = outcome;
            BackupPath = backupPath;
            Thumbprint = thumbprint;
        }

        public PendingKeyOutcome Outcome { get; }

        /// <summary>Where the old key was kept, when the rotation was finished.</summary>
        public string? BackupPath { get; }

        /// <summary>The thumbprint of the key now current, when the rotation was finished.</summary>
        public string? Thumbprint { get; }
    }
}
