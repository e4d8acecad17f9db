using System;

namespace Edi2.Workflows
{
    /// <summary>
    /// Where a rotated client key lives (a key file, a SecretManagement secret), with the three places a rotation needs:
    /// the current key, the pending new key (written before the server is asked) and dated backups of old keys.
    /// Every place is readable by the current user only.
    /// </summary>
    public interface IClientKeyStore
    {
        /// <summary>The key's place as the user knows it (a path, "secret 'x' in vault 'y'"): in messages and the result.</summary>
        string Location { get; }

        /// <summary>The current key's text (JWK or PEM).</summary>
        string ReadCurrent();

        /// <summary>The pending key's text, or null when no rotation is unfinished.</summary>
        string? ReadPending();

        void WritePending(string keyText);

        void RemovePending();

        /// <summary>Keeps <paramref name="keyText"/> (the old key) as a dated backup beside the current one; returns where.</summary>
        string WriteBackup(string keyText, DateTimeOffset now);

        /// <summary>Makes the pending key (<paramref name="keyText"/>) the current one and removes the pending place.</summary>
        void CommitPending(string keyText);
    }
}
