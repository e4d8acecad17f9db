using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Edi2.PowerShell.Tests.Support;

/// <summary>One run of Edi2.IsolationProbe in its own process against the laid-out module, and what it reported.</summary>
internal sealed class ProbeRun
{
    private ProbeRun(JsonObject report) => Report = report;

    public JsonObject Report { get; }

    public string? Failure => Report["failure"]?.GetValue<string>();

    public JsonObject Engine => Report["engine"]!.AsObject();

    public JsonObject? Signing => Report["signing"]?.AsObject();

    /// <summary>What the default context gave (name, version, context, location) or the error it threw, for a shipped assembly.</summary>
    public JsonObject FromDefault(string name) => Report["fromDefault"]![name]!.AsObject();

    public IReadOnlyList<string> Contexts => Report["contexts"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();

    /// <summary>Every loaded assembly with this simple name: (version, context, location).</summary>
    public List<(string Version, string Context, string Location)> Loaded(string name) =>
        Report["assemblies"]!.AsArray().Select(a => a!.AsObject()).Where(a => a["name"]!.GetValue<string>() == name)
            .Select(a => (a["version"]!.GetValue<string>(), a["context"]!.GetValue<string>(), a["location"]!.GetValue<string>())).ToList();

    public static ProbeRun Start(params string[] options)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { TestPaths.Probe, TestPaths.Module }.Concat(options)) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Edi2.IsolationProbe did not finish in 60 s");
        }
        string output = stdout.Result;
        return JsonNode.Parse(output) is JsonObject report
            ? new ProbeRun(report)
            : throw new InvalidOperationException($"Edi2.IsolationProbe printed no report (exit {process.ExitCode}): {output}{stderr.Result}");
    }
}
