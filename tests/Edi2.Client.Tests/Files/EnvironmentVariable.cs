namespace Edi2.Client.Tests.Files;

/// <summary>Sets an environment variable of this process until disposed, then puts back what was there.</summary>
internal sealed class EnvironmentVariable : IDisposable
{
    private readonly string _name;
    private readonly string? _before;

    public EnvironmentVariable(string name, string? value)
    {
        _name = name;
        _before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _before);
}
