using System;
using Edi2.Model;

namespace Edi2.Workflows
{
    /// <summary>What <c>MessageFiles.SaveEachAsync</c> did with one <see cref="SaveRequest"/>.</summary>
    public sealed class SaveOutcome
    {
        internal SaveOutcome(SaveRequest request, SaveAndMarkResult? result, Exception? error)
        {
            Request = request;
            Result = result;
            Error = error;
        }

        public SaveRequest Request { get; }

        /// <summary>The file is safe (and maybe marked; see its warning and mark error). Null when <see cref="Error"/> is set.</summary>
        public SaveAndMarkResult? Result { get; }

        /// <summary>The save failed: nothing was saved or marked for this message.</summary>
        public Exception? Error { get; }
    }
}
