#if NET
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace Edi2.Loader
{
    /// <summary>
    /// The private context of the engine and its dependencies. An assembly loads here from dependencies/ unless the
    /// runtime (PowerShell's trusted platform assemblies) has a copy at least as new: then the default context's copy is
    /// used, so framework types keep one identity. Anything not shipped in dependencies/ (the framework, PowerShell)
    /// comes from the default context too.
    /// </summary>
    internal sealed class Edi2LoadContext : AssemblyLoadContext
    {
        private readonly string _dependencies;
        private readonly IReadOnlyDictionary<string, string> _framework;
        private readonly ConcurrentDictionary<string, string?> _privatePaths = new ConcurrentDictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

        public Edi2LoadContext(string dependencies, IReadOnlyDictionary<string, string> framework)
            : base(ModuleLoader.ContextName, isCollectible: false)
        {
            _dependencies = dependencies;
            _framework = framework;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string? path = assemblyName.Name is null ? null : PrivatePath(assemblyName.Name);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        public bool LoadsPrivately(string simpleName) => PrivatePath(simpleName) != null;

        /// <summary>The file this context loads for a name, or null when the default context's copy is the one to use.</summary>
        private string? PrivatePath(string simpleName) => _privatePaths.GetOrAdd(simpleName, name =>
        {
            string? path = DependencyRules.DependencyPath(_dependencies, name);
            if (path is null) return null;
            return _framework.TryGetValue(name, out string? frameworkPath)
                && DependencyRules.FrameworkCopyWins(DependencyRules.VersionOf(frameworkPath), DependencyRules.VersionOf(path))
                ? null
                : path;
        });

        /// <summary>Simple name to path of every trusted platform assembly (the runtime's and the host's own).</summary>
        public static IReadOnlyDictionary<string, string> TrustedPlatformAssemblies()
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
            {
                foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    map[Path.GetFileNameWithoutExtension(path)] = path;
                }
            }
            return map;
        }
    }
}
#endif
