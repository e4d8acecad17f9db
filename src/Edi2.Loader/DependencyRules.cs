using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Reflection;

namespace Edi2.Loader
{
    /// <summary>The decisions the loader makes, as plain functions (both builds compile them, so tests reach them).</summary>
    internal static class DependencyRules
    {
        private static readonly char[] NotInAFileName = { '/', '\\', ':', '*', '?', '"', '<', '>', '|' };

        /// <summary>The simple name of a requested assembly, or null when the name is not one (or could name another folder).</summary>
        public static string? SimpleName(string? fullName)
        {
            if (string.IsNullOrEmpty(fullName)) return null;
            string? simple;
            try
            {
                simple = new AssemblyName(fullName).Name;
            }
            catch (Exception e) when (e is ArgumentException || e is FileLoadException)
            {
                return null;
            }
            return string.IsNullOrEmpty(simple) || simple!.IndexOfAny(NotInAFileName) >= 0 || simple == "." || simple == ".." ? null : simple;
        }

        /// <summary>The file in <paramref name="dependencies"/> for an assembly name, when the module ships it.</summary>
        public static string? DependencyPath(string dependencies, string? simpleName)
        {
            if (simpleName is null || SimpleName(simpleName) != simpleName) return null;
            string path = Path.Combine(dependencies, simpleName + ".dll");
            return File.Exists(path) ? path : null;
        }

        /// <summary>
        /// True when the runtime's own copy (a trusted platform assembly on PowerShell 7) should be used instead of the
        /// module's: it is at least as new. Then types like <c>ReadOnlyMemory&lt;T&gt;</c> keep one identity. When the
        /// module ships a newer one (System.Text.Json 10 on PowerShell 7.4's .NET 8), the module's copy loads privately.
        /// </summary>
        public static bool FrameworkCopyWins(Version? framework, Version? shipped) =>
            framework != null && (shipped == null || framework >= shipped);

        /// <summary>
        /// The names the default context is allowed to get from the private one: the engine, and whatever else the cmdlet
        /// assembly references that the module ships privately (e.g. Microsoft.Bcl.TimeProvider, which appears in engine
        /// method signatures). The cmdlets and the engine must see one copy of every type they pass between them.
        /// Nothing else is handed out, so other modules never get Edi2's Microsoft.IdentityModel.
        /// </summary>
        public static HashSet<string> BridgedAssemblyNames(IEnumerable<string> cmdletReferences, Func<string, bool> loadsPrivately)
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ModuleLayout.EngineAssemblyName };
            foreach (string name in cmdletReferences)
            {
                if (loadsPrivately(name)) names.Add(name);
            }
            return names;
        }

        /// <summary>
        /// Windows PowerShell 5.1 often still offers only SSL 3 and TLS 1.0, which NHN and HelseID refuse: add TLS 1.2.
        /// <c>SystemDefault</c> (0) is left alone: there the operating system chooses, TLS 1.2 and 1.3 included, and
        /// OR-ing in TLS 1.2 would pin the process to 1.2 only.
        /// </summary>
        public static SecurityProtocolType WithTls12(SecurityProtocolType current) =>
            current == 0 ? current : current | SecurityProtocolType.Tls12;

        public static Version? VersionOf(string path)
        {
            try
            {
                return AssemblyName.GetAssemblyName(path).Version;
            }
            catch (Exception e) when (e is IOException || e is BadImageFormatException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
