using System.Reflection;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>
/// Which isolated types an assembly's public surface shows. On PowerShell 7 these assemblies live only in the private
/// "Edi2" load context; a type of theirs in the cmdlet assembly's surface would be resolved in the default context,
/// where another module's version (or none) is.
/// </summary>
internal static class PublicSurface
{
    public static bool IsIsolated(string assemblyName) =>
        assemblyName.StartsWith("Microsoft.IdentityModel.", StringComparison.Ordinal)
        || assemblyName.StartsWith("System.IdentityModel.", StringComparison.Ordinal)
        || assemblyName == "System.Text.Json";

    public static IEnumerable<string> IsolatedTypesIn(Assembly assembly) =>
        from type in assembly.GetExportedTypes()
        from use in Uses(type)
        from leaf in Leaves(use.Type)
        let owner = leaf.Assembly.GetName().Name!
        where IsIsolated(owner)
        select $"{type.FullName}: {use.Where} uses {leaf.FullName} from {owner}";

    private static IEnumerable<(string Where, Type Type)> Uses(Type type)
    {
        for (Type? b = type.BaseType; b != null; b = b.BaseType) yield return ("base type", b);
        foreach (Type i in type.GetInterfaces()) yield return ("interface", i);
        foreach (Type t in AttributeTypes(type)) yield return ("attribute", t);

        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (FieldInfo f in type.GetFields(declared).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly))
        {
            yield return ($"field {f.Name}", f.FieldType);
        }
        foreach (PropertyInfo p in type.GetProperties(declared).Where(p => p.GetAccessors(nonPublic: true).Any(Visible)))
        {
            yield return ($"property {p.Name}", p.PropertyType);
            foreach (Type t in AttributeTypes(p)) yield return ($"attribute of property {p.Name}", t);
        }
        foreach (MethodBase m in type.GetMethods(declared).Where(m => Visible(m) && !IsAccessor(m)).Cast<MethodBase>().Concat(type.GetConstructors(declared).Where(Visible)))
        {
            if (m is MethodInfo method) yield return ($"method {m.Name} returns", method.ReturnType);
            foreach (ParameterInfo parameter in m.GetParameters()) yield return ($"parameter {parameter.Name} of {m.Name}", parameter.ParameterType);
        }
        foreach (EventInfo e in type.GetEvents(declared).Where(e => e.AddMethod is { } add && Visible(add)))
        {
            yield return ($"event {e.Name}", e.EventHandlerType!);
        }
    }

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    /// <summary>Property and event accessors: their property or event is reported instead.</summary>
    private static bool IsAccessor(MethodInfo m) =>
        m.IsSpecialName && (m.Name.StartsWith("get_") || m.Name.StartsWith("set_") || m.Name.StartsWith("add_") || m.Name.StartsWith("remove_"));

    private static IEnumerable<Type> AttributeTypes(MemberInfo member) =>
        member.GetCustomAttributesData().SelectMany(a => a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [arg.Value])
            .OfType<Type>();

    private static IEnumerable<Type> Leaves(Type type)
    {
        if (type.IsGenericParameter) yield break;
        if (type.HasElementType)
        {
            foreach (Type t in Leaves(type.GetElementType()!)) yield return t;
            yield break;
        }
        if (type.IsConstructedGenericType)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (Type t in type.GetGenericArguments().SelectMany(Leaves)) yield return t;
            yield break;
        }
        yield return type;
    }
}
