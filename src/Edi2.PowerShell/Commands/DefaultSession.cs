using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// The session Connect-Edi2 made the default, one per runspace: ForEach-Object -Parallel runspaces and jobs do not
    /// share it (pass -Session, or connect inside them).
    /// </summary>
    internal static class DefaultSession
    {
        private static readonly ConditionalWeakTable<Runspace, Holder> ByRunspace = new ConditionalWeakTable<Runspace, Holder>();

        public static Edi2Session? Get() => Runspace.DefaultRunspace is Runspace r && ByRunspace.TryGetValue(r, out var h) ? h.Session : null;

        public static void Set(Edi2Session? session)
        {
            if (Runspace.DefaultRunspace is Runspace r) ByRunspace.GetValue(r, _ => new Holder()).Session = session;
        }

        private sealed class Holder
        {
            public Edi2Session? Session;
        }
    }
}
