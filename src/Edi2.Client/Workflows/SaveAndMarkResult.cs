using System;
using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>What <see cref="MessageFiles.SaveAndMarkAsync"/> did: the file is on disk, whole; the mark may not have happened.</summary>
    public sealed class SaveAndMarkResult
    {
        internal SaveAndMarkResult(Edi2SavedMessage saved, string? warning, Exception? markError)
        {
            Saved = saved;
            Warning = warning;
            MarkError = markError;
        }

        /// <summary>The file; <see cref="Edi2SavedMessage.MarkedDownloaded"/> only if NHN accepted the mark.</summary>
        public Edi2SavedMessage Saved { get; }

        /// <summary>
        /// Not marked because NHN no longer has the message (404, 410: purged, or already marked downloaded). Nothing can
        /// change that, so it is a warning: tell the user, and go on.
        /// </summary>
        public string? Warning { get; }

        /// <summary>
        /// Not marked for any other reason (connection, 5xx, 401/403/423...): an error the caller must report. The file is
        /// kept; marking again later may work.
        /// </summary>
        public Exception? MarkError { get; }
    }
}
