using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>One [Parameter] attribute of a parameter: how it takes part in one parameter set.</summary>
internal sealed record ParameterSetEntry(string Set, bool Mandatory, int? Position, bool FromPipeline, bool FromPipelineByPropertyName);

internal sealed record CmdletParameter(string Name, string TypeName, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetEntry> Entries);

/// <summary>A cmdlet as PowerShell would see it, read from metadata.</summary>
internal sealed record CmdletModel(
    string TypeName, bool IsPublicConcrete, string Verb, string Noun, bool SupportsShouldProcess, string ConfirmImpact,
    string? DefaultParameterSet, bool SupportsPaging, IReadOnlyList<string> OutputTypes, IReadOnlyList<string> Aliases,
    IReadOnlyList<CmdletParameter> Parameters)
{
    public const string AllSets = "__AllParameterSets";

    public string Name => Verb + "-" + Noun;

    public CmdletParameter? Parameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}

/// <summary>
/// Reads an assembly with MetadataLoadContext: nothing is loaded for execution, so neither PowerShell nor the engine's
/// dependencies need to be runnable here. PowerShell's types come from PowerShellStandard's reference assembly.
/// </summary>
internal sealed class AssemblyMetadata : IDisposable
{
    private const string Automation = "System.Management.Automation.";
    private static readonly string[] VerbClasses =
        ["VerbsCommon", "VerbsData", "VerbsLifecycle", "VerbsDiagnostic", "VerbsCommunications", "VerbsSecurity", "VerbsOther"];

    private readonly MetadataLoadContext _context;

    public AssemblyMetadata(string assemblyPath)
    {
        // One file per name (the resolver refuses a second file with the same identity): the runtime's copy of a
        // framework assembly, as the private load context would choose on this runtime, then the module's own.
        var candidates = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        IEnumerable<string> files = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(TestPaths.Dependencies, "*.dll"))
            .Append(TestPaths.AutomationReference)
            .Append(assemblyPath);
        foreach (string file in files) candidates.TryAdd(Path.GetFileNameWithoutExtension(file), file);
        _context = new MetadataLoadContext(new PathAssemblyResolver(candidates.Values), "System.Private.CoreLib");
        Assembly = _context.LoadFromAssemblyPath(assemblyPath);
        Cmdlets = Assembly.GetTypes().Where(t => Attribute(t, "CmdletAttribute") != null).Select(Read).OrderBy(c => c.Name).ToList();
    }

    public Assembly Assembly { get; }

    /// <summary>Every class with [Cmdlet], public or not (PowerShell only sees the public, concrete ones).</summary>
    public IReadOnlyList<CmdletModel> Cmdlets { get; }

    /// <summary>The verbs PowerShell approves: the constants of the Verbs* classes in System.Management.Automation.</summary>
    public IReadOnlySet<string> ApprovedVerbs()
    {
        Assembly automation = _context.LoadFromAssemblyPath(TestPaths.AutomationReference);
        return VerbClasses
            .SelectMany(name => automation.GetType(Automation + name, throwOnError: true)!.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public void Dispose() => _context.Dispose();

    private static CmdletModel Read(Type type)
    {
        CustomAttributeData cmdlet = Attribute(type, "CmdletAttribute")!;
        return new CmdletModel(
            type.FullName!,
            type.IsPublic && !type.IsAbstract,
            (string)cmdlet.ConstructorArguments[0].Value!,
            (string)cmdlet.ConstructorArguments[1].Value!,
            Named(cmdlet, "SupportsShouldProcess") is true,
            Named(cmdlet, "ConfirmImpact") is int impact ? ((string[])["None", "Low", "Medium", "High"])[impact] : "Medium",
            Named(cmdlet, "DefaultParameterSetName") as string,
            Named(cmdlet, "SupportsPaging") is true,
            Attributes(type, "OutputTypeAttribute").SelectMany(Strings).ToList(),
            Attributes(type, "AliasAttribute").SelectMany(Strings).ToList(),
            ReadParameters(type));
    }

    private static List<CmdletParameter> ReadParameters(Type type)
    {
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => ((MemberInfo)p, p.PropertyType))
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => ((MemberInfo)f, f.FieldType)));
        var parameters = new List<CmdletParameter>();
        foreach ((MemberInfo member, Type memberType) in members)
        {
            var entries = Attributes(member, "ParameterAttribute").Select(a => new ParameterSetEntry(
                Named(a, "ParameterSetName") as string ?? CmdletModel.AllSets,
                Named(a, "Mandatory") is true,
                Named(a, "Position") is int position && position != int.MinValue ? position : null,
                Named(a, "ValueFromPipeline") is true,
                Named(a, "ValueFromPipelineByPropertyName") is true)).ToList();
            if (entries.Count == 0) continue;
            parameters.Add(new CmdletParameter(member.Name, memberType.FullName ?? memberType.Name,
                Attributes(member, "AliasAttribute").SelectMany(Strings).ToList(), entries));
        }
        return parameters;
    }

    private static CustomAttributeData? Attribute(MemberInfo member, string name) => Attributes(member, name).FirstOrDefault();

    private static IEnumerable<CustomAttributeData> Attributes(MemberInfo member, string name) =>
        member.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Automation + name);

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    /// <summary>The values of a params string[] or Type[] constructor argument, as names.</summary>
    private static IEnumerable<string> Strings(CustomAttributeData attribute) =>
        attribute.ConstructorArguments.SelectMany(argument => argument.Value is ReadOnlyCollection<CustomAttributeTypedArgument> items
                ? items.Select(i => i.Value)
                : [argument.Value])
            .Select(value => value is Type t ? t.FullName ?? t.Name : value?.ToString() ?? "");
}
