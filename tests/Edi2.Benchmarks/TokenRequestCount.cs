namespace Edi2.Benchmarks;

/// <summary>
/// HelseID requests per token, counted on the fake: the first token (discovery, a token request without a nonce that
/// HelseID answers with use_dpop_nonce, the same with the nonce: target 3), and a refresh while HelseID's nonce is still
/// valid (target 1). Tokens live 4 s here, so the session renews after 2 s (half the lifetime, as it does for short tokens).
/// </summary>
internal static class TokenRequestCount
{
    public static async Task RunAsync()
    {
        await using var nhn = await BenchmarkNhn.StartAsync(fake => fake.HelseId.AccessTokenLifetime = TimeSpan.FromSeconds(4));
        Console.WriteLine($"first token: {Describe(nhn)}"); // Connect got it

        nhn.Fake.Requests.Clear();
        await nhn.Session.GetAccessTokenAsync();
        Console.WriteLine($"token still fresh: {Describe(nhn)}");

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        nhn.Fake.Requests.Clear();
        await nhn.Session.GetAccessTokenAsync();
        Console.WriteLine($"refresh: {Describe(nhn)}");
    }

    private static string Describe(BenchmarkNhn nhn)
    {
        var requests = nhn.Fake.Requests.Snapshot().Where(r => !r.Path.StartsWith("/messages", StringComparison.OrdinalIgnoreCase) && !r.Path.StartsWith("/mshconfigurations", StringComparison.OrdinalIgnoreCase)).ToList();
        return $"{requests.Count} HelseID requests ({string.Join(", ", requests.Select(r => $"{r.Method} {r.Path} -> {r.StatusCode}{(r.Error is null ? "" : " " + r.Error)}"))})";
    }
}
