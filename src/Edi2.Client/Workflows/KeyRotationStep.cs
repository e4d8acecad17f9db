namespace Edi2.Workflows
{
    /// <summary>The points of a rotation after which a crash leaves something to resolve (the tests' crash points).</summary>
    internal enum KeyRotationStep
    {
        PendingWritten,
        ServerAccepted,
        BackupWritten,
    }
}
