#if NET
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;

namespace Edi2.Loader
{
    // PowerShell 7.4+: the engine and its dependencies go into one private, non-collectible context named "Edi2".
    // PowerShell loads the cmdlet assembly into its default context; when that context cannot find the engine (it is not
    // next to the module, only in dependencies/), the Resolving handler below hands over the private copy. Everything the
    // engine needs is then resolved by Edi2LoadContext.Load, so another module's Microsoft.IdentityModel in the default
    // context is never seen by the engine, and the engine's is never seen by the other module.
    public static partial class ModuleLoader
    {
        private static Edi2LoadContext? s_context;
        private static HashSet<string> s_bridged = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The private context, once created (it lives as long as the process).</summary>
        public static AssemblyLoadContext? Context
        {
            get { lock (Gate) return s_context; }
        }

        private static void Hook(string moduleBase, string dependencies)
        {
            s_context ??= new Edi2LoadContext(dependencies, Edi2LoadContext.TrustedPlatformAssemblies());
            string cmdletAssembly = Path.Combine(moduleBase, ModuleLayout.CmdletAssemblyFileName);
            s_bridged = DependencyRules.BridgedAssemblyNames(ReadAssemblyReferences(cmdletAssembly), s_context.LoadsPrivately);
            AssemblyLoadContext.Default.Resolving += OnDefaultResolving;
        }

        private static void Unhook() => AssemblyLoadContext.Default.Resolving -= OnDefaultResolving;

        private static Assembly? OnDefaultResolving(AssemblyLoadContext defaultContext, AssemblyName name)
        {
            Edi2LoadContext? context = s_context;
            if (context is null || name.Name is null || !s_bridged.Contains(name.Name)) return null;
            return context.LoadFromAssemblyName(new AssemblyName(name.Name));
        }

        /// <summary>The simple names an assembly references, read from its metadata without loading it.</summary>
        internal static IEnumerable<string> ReadAssemblyReferences(string path)
        {
            using (var stream = File.OpenRead(path))
            using (var pe = new PEReader(stream))
            {
                MetadataReader metadata = pe.GetMetadataReader();
                var names = new List<string>();
                foreach (AssemblyReferenceHandle handle in metadata.AssemblyReferences)
                {
                    names.Add(metadata.GetString(metadata.GetAssemblyReference(handle).Name));
                }
                return names;
            }
        }
    }
}
#endif
