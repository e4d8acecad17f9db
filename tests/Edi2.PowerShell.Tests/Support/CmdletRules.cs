namespace Edi2.PowerShell.Tests.Support;

/// <summary>
/// The rules every cmdlet follows, as functions from a cmdlet (read from metadata) to what is wrong with it, so the same
/// rule runs over the real cmdlet assembly and over the deliberately broken samples in Edi2.PowerShell.TestFixture.
/// </summary>
internal static class CmdletRules
{
    /// <summary>
    /// Verbs that change something outside the PowerShell session (NHN's state, files, keys), so the cmdlet must offer
    /// -WhatIf/-Confirm. Not in the list on purpose: Connect and Disconnect change only the session's own default
    /// connection; Invoke (Invoke-Edi2Request) is an escape hatch whose HTTP method the caller chooses, like
    /// Invoke-RestMethod; Get, Test and the other reading verbs change nothing.
    /// </summary>
    public static readonly IReadOnlySet<string> StateChangingVerbs = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "New", "Set", "Remove", "Add", "Clear", "Reset", "Rename", "Move", "Update", "Save", "Send", "Receive", "Confirm",
        "Approve", "Deny", "Submit", "Publish", "Unpublish", "Install", "Uninstall", "Register", "Unregister", "Enable",
        "Disable", "Start", "Stop", "Restart", "Suspend", "Resume", "Grant", "Revoke", "Block", "Unblock", "Lock", "Unlock",
        "Protect", "Unprotect",
    };

    /// <summary>PowerShell's common parameters with their aliases: a cmdlet parameter may not take any of these names.</summary>
    private static readonly (string Name, string[] Aliases)[] CommonParameters =
    [
        ("Verbose", ["vb"]), ("Debug", ["db"]), ("ErrorAction", ["ea"]), ("WarningAction", ["wa"]),
        ("InformationAction", ["infa"]), ("ProgressAction", ["proga"]), ("ErrorVariable", ["ev"]), ("WarningVariable", ["wv"]),
        ("InformationVariable", ["iv"]), ("OutVariable", ["ov"]), ("OutBuffer", ["ob"]), ("PipelineVariable", ["pv"]),
    ];

    private static readonly (string Name, string[] Aliases)[] ShouldProcessParameters = [("WhatIf", ["wi"]), ("Confirm", ["cf"])];

    private static readonly (string Name, string[] Aliases)[] PagingParameters = [("First", []), ("Skip", []), ("IncludeTotalCount", [])];

    public static IEnumerable<string> IsPublicAndConcrete(CmdletModel c)
    {
        if (!c.IsPublicConcrete) yield return $"{c}: {c.TypeName} has [Cmdlet] but is not a public, non-abstract class, so PowerShell ignores it";
    }

    public static IEnumerable<string> UsesApprovedVerb(CmdletModel c, IReadOnlySet<string> approved)
    {
        if (!approved.Contains(c.Verb)) yield return $"{c}: '{c.Verb}' is not an approved PowerShell verb";
    }

    public static IEnumerable<string> NounStartsWithEdi2(CmdletModel c)
    {
        if (!c.Noun.StartsWith("Edi2", StringComparison.Ordinal)) yield return $"{c}: the noun does not start with the module prefix Edi2";
    }

    public static IEnumerable<string> DeclaresOutputType(CmdletModel c)
    {
        if (c.OutputTypes.Count == 0) yield return $"{c}: no [OutputType]";
    }

    public static IEnumerable<string> SupportsShouldProcessWhenItChangesState(CmdletModel c)
    {
        if (StateChangingVerbs.Contains(c.Verb) && !c.SupportsShouldProcess)
            yield return $"{c}: '{c.Verb}' changes state, so the cmdlet must declare SupportsShouldProcess";
    }

    /// <summary>Parameter names and aliases are unique, including PowerShell's common parameters, or the cmdlet fails to load.</summary>
    public static IEnumerable<string> HasUniqueParameterNames(CmdletModel c)
    {
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var reserved = CommonParameters
            .Concat(c.SupportsShouldProcess ? ShouldProcessParameters : [])
            .Concat(c.SupportsPaging ? PagingParameters : []);
        foreach ((string name, string[] aliases) in reserved)
        {
            foreach (string n in aliases.Prepend(name)) owners[n] = "the common parameter -" + name;
        }
        foreach (CmdletParameter p in c.Parameters)
        {
            foreach (string n in p.Aliases.Prepend(p.Name))
            {
                if (owners.TryGetValue(n, out string? owner)) yield return $"{c}: -{p.Name} uses the name '{n}' of {owner}";
                else owners[n] = "-" + p.Name;
            }
        }
    }

    /// <summary>
    /// What PowerShell's binder would trip over, simulated for each parameter set S on the smallest call that selects it
    /// by name (only S's mandatory parameters): every set that has all those parameters is a candidate; the default set
    /// wins if it is one; otherwise the candidates whose own mandatory parameters are all given remain, and more than one
    /// is "Parameter set cannot be resolved". Also: two parameters at one position in a set, two sets that a call with
    /// only positional values cannot tell apart, and PowerShell's limit of 32 sets.
    /// </summary>
    public static IEnumerable<string> HasResolvableParameterSets(CmdletModel c)
    {
        var sets = c.Parameters.SelectMany(p => p.Entries).Select(e => e.Set).Where(s => s != CmdletModel.AllSets).ToHashSet();
        if (c.DefaultParameterSet != null) sets.Add(c.DefaultParameterSet);
        if (sets.Count == 0) sets.Add(CmdletModel.AllSets);
        if (sets.Count > 32) yield return $"{c}: {sets.Count} parameter sets; PowerShell allows 32";

        ParameterSetEntry? Entry(CmdletParameter p, string set) =>
            p.Entries.FirstOrDefault(e => e.Set == set) ?? p.Entries.FirstOrDefault(e => e.Set == CmdletModel.AllSets);
        List<CmdletParameter> In(string set) => c.Parameters.Where(p => Entry(p, set) != null).ToList();
        HashSet<string> Mandatory(string set) => In(set).Where(p => Entry(p, set)!.Mandatory).Select(p => p.Name).ToHashSet();

        foreach (string set in sets.Order())
        {
            foreach (var clash in In(set).Where(p => Entry(p, set)!.Position != null).GroupBy(p => Entry(p, set)!.Position).Where(g => g.Count() > 1))
            {
                yield return $"{c}: in parameter set '{set}', {string.Join(" and ", clash.Select(p => "-" + p.Name))} all have position {clash.Key}";
            }
        }
        if (sets.Count < 2) yield break;

        var reported = new HashSet<string>();
        foreach (string set in sets.Order())
        {
            HashSet<string> given = Mandatory(set);
            var candidates = sets.Where(t => given.All(n => In(t).Any(p => p.Name == n))).ToList();
            if (candidates.Count < 2 || (c.DefaultParameterSet != null && candidates.Contains(c.DefaultParameterSet))) continue;
            var complete = candidates.Where(t => Mandatory(t).IsSubsetOf(given)).Order().ToList();
            if (complete.Count > 1 && reported.Add(string.Join(",", complete)))
            {
                string call = given.Count == 0 ? "no parameters" : string.Join(" ", given.Order().Select(n => "-" + n));
                yield return $"{c}: a call with {call} fits parameter sets {string.Join(", ", complete.Select(s => $"'{s}'"))} and none is the default";
            }
        }

        string? PositionalShape(string set)
        {
            var mandatory = In(set).Where(p => Entry(p, set)!.Mandatory).ToList();
            if (mandatory.Count == 0 || mandatory.Any(p => Entry(p, set)!.Position == null)) return null;
            return string.Join(", ", mandatory.OrderBy(p => Entry(p, set)!.Position).Select(p => $"{Entry(p, set)!.Position}:{p.TypeName}"));
        }
        var nonDefault = sets.Where(s => s != c.DefaultParameterSet).Order().ToList();
        foreach (var same in nonDefault.Select(s => (Set: s, Shape: PositionalShape(s))).Where(x => x.Shape != null).GroupBy(x => x.Shape).Where(g => g.Count() > 1))
        {
            yield return $"{c}: a call with only positional values ({same.Key}) fits parameter sets {string.Join(", ", same.Select(x => $"'{x.Set}'"))} and none is the default";
        }
    }

    public static IEnumerable<string> SessionBindsByPropertyName(CmdletModel c)
    {
        CmdletParameter? session = c.Parameter("Session");
        if (session != null && session.Entries.Any(e => !e.FromPipelineByPropertyName))
            yield return $"{c}: -Session does not bind by property name in every parameter set";
    }

    /// <summary>SURFACE.md's parameters for this cmdlet exist (by name or alias; -First/-Skip may come from SupportsPaging).</summary>
    public static IEnumerable<string> HasSurfaceParameters(CmdletModel c)
    {
        if (!Surface.Parameters.TryGetValue(c.Name, out string[]? required)) yield break;
        foreach (string name in required.Where(n => !HasParameter(c, n)))
        {
            yield return $"{c}: SURFACE.md lists -{name}, which the cmdlet does not have";
        }
    }

    public static IEnumerable<string> IdentityBindsFromPipeline(CmdletModel c)
    {
        if (!Surface.IdentityParameters.TryGetValue(c.Name, out string? name)) yield break;
        CmdletParameter? p = c.Parameter(name);
        if (p != null && p.Entries.Any(e => !e.FromPipeline && !e.FromPipelineByPropertyName))
            yield return $"{c}: -{name} takes neither pipeline input nor a property of a piped object in every parameter set";
    }

    public static IEnumerable<string> HasSurfaceConfirmImpact(CmdletModel c)
    {
        if (Surface.ConfirmImpacts.TryGetValue(c.Name, out string? impact) && c.ConfirmImpact != impact)
            yield return $"{c}: ConfirmImpact is {c.ConfirmImpact}, SURFACE.md says {impact}";
    }

    private static bool HasParameter(CmdletModel c, string name) =>
        c.Parameters.Any(p => p.Aliases.Prepend(p.Name).Contains(name, StringComparer.OrdinalIgnoreCase))
        || (c.SupportsPaging && PagingParameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)));
}
