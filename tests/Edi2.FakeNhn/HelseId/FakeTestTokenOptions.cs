using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace Edi2.FakeNhn.HelseId;

/// <summary>
/// The fake test token service's API keys and knobs (spec helseid-dpop section 5). Thread-safe; change them while the
/// server runs.
/// </summary>
public sealed class FakeTestTokenOptions
{
    private readonly object _gate = new();
    private readonly List<byte[]> _apiKeys = new();
    private readonly Queue<string> _refusals = new();
    private bool _pascalCaseResponse;

    /// <summary>Accepts <paramref name="apiKey"/> in X-Auth-Key from now on (made in HelseID self-service for test, for the real one).</summary>
    public void AddApiKey(string apiKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        lock (_gate)
        {
            _apiKeys.Add(Encoding.UTF8.GetBytes(apiKey));
        }
    }

    /// <summary>Answer in PascalCase (TestTokenTool's casing) instead of camelCase: the casing of the real service is INFERRED.</summary>
    public bool PascalCaseResponse
    {
        get { lock (_gate) return _pascalCaseResponse; }
        set { lock (_gate) _pascalCaseResponse = value; }
    }

    /// <summary>The next request with a good key gets 200 {"isError":true,"errorResponse":{"errorMessage":...}}; refusals queue up.</summary>
    public void RefuseNext(string errorMessage)
    {
        ArgumentNullException.ThrowIfNull(errorMessage);
        lock (_gate)
        {
            _refusals.Enqueue(errorMessage);
        }
    }

    internal bool IsApiKey(string? given)
    {
        if (string.IsNullOrEmpty(given))
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(given);
        lock (_gate)
        {
            return _apiKeys.Exists(key => CryptographicOperations.FixedTimeEquals(key, bytes));
        }
    }

    internal string? TakeRefusal()
    {
        lock (_gate)
        {
            return _refusals.TryDequeue(out var message) ? message : null;
        }
    }
}
