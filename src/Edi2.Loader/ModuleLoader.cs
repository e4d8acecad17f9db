using System;
using System.IO;

namespace Edi2.Loader
{
    /// <summary>
    /// Called by Edi2.psm1 before it imports the cmdlet assembly: from then on the engine (Edi2.Client) and its
    /// dependencies are found in the module's <c>dependencies</c> folder. On PowerShell 7 they load into a private
    /// AssemblyLoadContext named "Edi2"; on Windows PowerShell 5.1 they load normally and TLS 1.2 is enabled.
    /// </summary>
    /// <remarks>
    /// One module folder per process: assemblies cannot be unloaded, so a second copy of Edi2 from another folder is
    /// refused rather than half-loaded. Every import calls <see cref="Initialize"/> and every Remove-Module calls
    /// <see cref="Shutdown"/>; the resolver stays hooked while any runspace still has the module imported.
    /// </remarks>
    public static partial class ModuleLoader
    {
        /// <summary>The name of the private AssemblyLoadContext on PowerShell 7.</summary>
        public const string ContextName = "Edi2";

        private static readonly object Gate = new object();
        private static string? s_moduleBase;
        private static int s_imports;

        /// <summary>The module folder this process loads Edi2 from, once initialized.</summary>
        public static string? ModuleBase
        {
            get { lock (Gate) return s_moduleBase; }
        }

        /// <summary>Hooks assembly resolution for the module at <paramref name="moduleBase"/> (the folder of Edi2.psd1).</summary>
        public static void Initialize(string moduleBase)
        {
            if (string.IsNullOrEmpty(moduleBase)) throw new ArgumentException("The module folder is required.", nameof(moduleBase));
            string full = Path.GetFullPath(moduleBase).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            string dependencies = Path.Combine(full, ModuleLayout.DependenciesFolder);
            if (!File.Exists(Path.Combine(dependencies, ModuleLayout.EngineAssemblyName + ".dll")))
            {
                throw new FileNotFoundException(
                    $"The Edi2 module at '{full}' is incomplete: {ModuleLayout.DependenciesFolder}/{ModuleLayout.EngineAssemblyName}.dll is missing. Reinstall the module.");
            }
            lock (Gate)
            {
                if (s_moduleBase != null && !string.Equals(s_moduleBase, full, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"This process already loaded Edi2 from '{s_moduleBase}', so it cannot also load it from '{full}'. Start a new PowerShell session to use the other copy.");
                }
                if (s_imports == 0) Hook(full, dependencies);
                s_moduleBase = full;
                s_imports++;
            }
        }

        /// <summary>Undoes one <see cref="Initialize"/>; the last one unhooks the resolver. Loaded assemblies stay loaded.</summary>
        public static void Shutdown()
        {
            lock (Gate)
            {
                if (s_imports == 0) return;
                if (--s_imports == 0) Unhook();
            }
        }

        /// <summary>True while a resolver is hooked (for tests and diagnostics).</summary>
        public static bool IsHooked
        {
            get { lock (Gate) return s_imports > 0; }
        }
    }

    /// <summary>Where things are in the laid-out module (out/Edi2). The build (Edi2.PowerShell.csproj) makes this layout.</summary>
    internal static class ModuleLayout
    {
        /// <summary>The engine and every third-party assembly; PowerShell's own probing next to the module never looks here.</summary>
        public const string DependenciesFolder = "dependencies";

        /// <summary>The engine: what the cmdlet assembly asks for by name.</summary>
        public const string EngineAssemblyName = "Edi2.Client";

        /// <summary>The cmdlets, at the module root, loaded by PowerShell into its default context.</summary>
        public const string CmdletAssemblyFileName = "Edi2.PowerShell.dll";
    }
}
