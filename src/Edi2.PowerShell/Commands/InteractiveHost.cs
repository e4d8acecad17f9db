using System;
using System.Linq;
using System.Management.Automation.Host;

namespace Edi2.PowerShell.Commands
{
    /// <summary>Whether a progress bar belongs on this host: only when a person is watching.</summary>
    internal static class InteractiveHost
    {
        /// <summary>
        /// A progress bar only for a person watching: a console-like host with a RawUI, an interactive session, not
        /// <c>pwsh -NonInteractive</c>, and (console host) output not redirected to a file. Scheduled tasks get none.
        /// </summary>
        public static bool IsInteractive(PSHost? host)
        {
            try
            {
                if (host is null || host.UI is null || host.UI.RawUI is null) return false;
                if (string.Equals(host.Name, "Default Host", StringComparison.OrdinalIgnoreCase)) return false;
                if (!Environment.UserInteractive) return false;
                if (NonInteractiveCommandLine()) return false;
                if (string.Equals(host.Name, "ConsoleHost", StringComparison.OrdinalIgnoreCase) && Console.IsOutputRedirected) return false;
                return true;
            }
            catch (NotImplementedException)
            {
                return false;
            }
            catch (NotSupportedException)
            {
                return false;
            }
        }

        /// <summary>pwsh / powershell.exe started with -NonInteractive (or a prefix of it, as they accept), before -Command/-File.</summary>
        private static bool NonInteractiveCommandLine()
        {
            foreach (string arg in Environment.GetCommandLineArgs().Skip(1))
            {
                if (arg.Length < 2 || (arg[0] != '-' && arg[0] != '/')) continue;
                string name = arg.TrimStart('-', '/').ToLowerInvariant();
                if (name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.Ordinal)) return true;
                // What follows these belongs to the script, not to PowerShell.
                if (name.Length > 0 && ("command".StartsWith(name, StringComparison.Ordinal) || "file".StartsWith(name, StringComparison.Ordinal)
                    || "encodedcommand".StartsWith(name, StringComparison.Ordinal) || name == "ec")) break;
            }
            return false;
        }
    }
}
