#if !NET
using System;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Edi2.Loader
{
    // Windows PowerShell 5.1 (.NET Framework): no load contexts, so no isolation. The engine and its dependencies load
    // from dependencies/ when the runtime asks for them, whatever version the reference names (the newest one the
    // build resolved is the one shipped), which is what binding redirects would do in an application.
    public static partial class ModuleLoader
    {
        private static string s_dependencies = "";

        private static void Hook(string moduleBase, string dependencies)
        {
            s_dependencies = dependencies;
            AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                ServicePointManager.SecurityProtocol = DependencyRules.WithTls12(ServicePointManager.SecurityProtocol);
            }
        }

        private static void Unhook() => AppDomain.CurrentDomain.AssemblyResolve -= OnAssemblyResolve;

        private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
        {
            string? path = DependencyRules.DependencyPath(s_dependencies, DependencyRules.SimpleName(args.Name));
            return path is null ? null : Assembly.LoadFrom(path);
        }
    }
}
#endif
