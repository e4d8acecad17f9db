using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Edi2.Api;
using Edi2.Client.Tests.Workflows;
using Edi2.FakeNhn.Edi;
using Xunit.Abstractions;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Api;

/// <summary>
/// Random mutations of valid server answers, per answer type (truncation, wrong types, missing members, huge numbers, invalid
/// UTF-8, deep nesting, non-GUID ids): each call ends with success or an Edi2 exception with a message, never another
/// exception, never a hang. CI: 40 per type; the full run (2,000 per type) with EDI2_FUZZ_COUNT=2000. The seed is printed,
/// and EDI2_FUZZ_SEED repeats a run.
/// </summary>
public sealed class ResponseFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Mutations = ["truncate", "drop member", "wrong type", "huge number", "invalid UTF-8", "deep nesting", "non-GUID id"];

    /// <summary>An answer type: its endpoint, a valid body, and the call that reads it.</summary>
    private sealed record Answer(string Name, string Method, string Path, int Status, string ContentType, byte[] Valid, Func<ApiTestContext, CancellationToken, Task> Call);

    private static async Task<byte[]> RawAsync(ApiTestContext context, string pathAndQuery) =>
        Encoding.UTF8.GetBytes((await context.Api.InvokeAsync(HttpMethod.Get, pathAndQuery, null)).Body);

    private static async Task<List<Answer>> AnswersAsync(ApiTestContext context)
    {
        Guid inbound = context.Nhn.Edi.AddInboundMessage(Foreign, [Ours], MsgHead.Bytes(Foreign, Ours, body: "fuzz"));
        Guid sent = await context.Api.SendMessageAsync(Edi2Document.FromBytes(MsgHead.Bytes(Ours, OursToo)), Ours, [OursToo], "DIALOG_HELSEFAGLIG", "tests", "1");
        byte[] page = await RawAsync(context, $"notifications?HerIds={Ours}&Offset=0&NotificationsToFetch=10");
        string firstNotification = JsonNode.Parse(page)!["notifications"]![0]!.ToJsonString();
        return
        [
            new("notifications page", "GET", "/notifications", 200, "application/json", page,
                (c, t) => c.Api.GetNotificationsAsync([Ours], 0, 10, t)),
            new("message", "GET", "/messages/*", 200, "application/json", await RawAsync(context, $"messages/{inbound}"),
                (c, t) => c.Api.GetMessageAsync(inbound, t)),
            new("business document", "GET", "/messages/*/business-document", 200, "application/json", await RawAsync(context, $"messages/{inbound}/business-document"),
                (c, t) => c.Api.DownloadBusinessDocumentAsync(inbound, new MemoryStream(), t)),
            new("status", "GET", "/messages/*/status", 200, "application/json", await RawAsync(context, $"messages/{sent}/status"),
                (c, t) => c.Api.GetMessageStatusAsync(sent, t)),
            new("ping", "GET", "/ping", 200, "application/json", await RawAsync(context, "ping"),
                (c, t) => c.Api.PingAsync(t)),
            new("send answer", "POST", "/messages", 202, "application/json", Encoding.UTF8.GetBytes($$"""{"id":"{{Guid.NewGuid()}}"}"""),
                (c, t) => c.Api.SendMessageAsync(Edi2Document.FromBytes(MsgHead.Bytes(Ours, OursToo)), Ours, [OursToo], "DIALOG_HELSEFAGLIG", "tests", "1", t)),
            new("SSE event", "GET", "/notifications/stream", 200, "text/event-stream", Encoding.UTF8.GetBytes(firstNotification),
                async (c, t) =>
                {
                    await foreach (var n in c.Api.StreamNotificationsAsync([Ours], 0, t)) break;
                }),
        ];
    }

    [Fact]
    public async Task Mutated_answers_of_every_type_give_success_or_an_Edi2_error_never_anything_else_and_never_a_hang()
    {
        int count = SoakTests.FromEnvironment("EDI2_FUZZ_COUNT", 40);
        int seed = SoakTests.Seed("EDI2_FUZZ_SEED");
        output.WriteLine($"fuzz: {count} per answer type, seed {seed} (EDI2_FUZZ_SEED={seed} repeats it)");
        var random = new Random(seed);
        await using var context = await StartAsync();
        var answers = await AnswersAsync(context);
        var watch = Stopwatch.StartNew();
        foreach (var answer in answers)
        {
            var outcomes = new Dictionary<string, int>();
            for (int i = 0; i < count; i++)
            {
                string mutation = Mutations[random.Next(Mutations.Length)];
                byte[] body = Mutate(answer.Valid, mutation, random);
                if (answer.ContentType == "text/event-stream") body = [.. "event: notification\ndata: "u8.ToArray(), .. body, .. "\n\n"u8.ToArray()];
                context.Nhn.Faults.Clear();
                context.Nhn.Faults.FailNext(answer.Method, answer.Path, 1, ApiFault.Status(answer.Status, body, answer.ContentType));
                string where = $"seed {seed}, {answer.Name} #{i}, {mutation}: {Preview(body)}";
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await answer.Call(context, limit.Token);
                    outcomes["succeeds"] = outcomes.GetValueOrDefault("succeeds") + 1;
                }
                catch (Edi2Exception e)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message), where);
                    outcomes[e.Reason] = outcomes.GetValueOrDefault(e.Reason) + 1;
                }
                catch (Exception e)
                {
                    Assert.Fail(limit.IsCancellationRequested ? $"{where}: hung for 10 s" : $"{where}: {e.GetType().FullName} is not an Edi2 error: {e}");
                }
            }
            output.WriteLine($"{answer.Name}: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        }
        output.WriteLine($"fuzz: {answers.Count * count} answers in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    private static string Preview(byte[] body)
    {
        string text = Encoding.UTF8.GetString(body);
        return text.Length > 160 ? text[..160] + $"... ({body.Length} bytes)" : text;
    }

    internal static byte[] Mutate(byte[] valid, string mutation, Random random)
    {
        switch (mutation)
        {
            case "truncate":
                return valid[..random.Next(valid.Length)];
            case "invalid UTF-8":
            {
                int at = random.Next(valid.Length);
                byte[] bad = random.Next(3) switch { 0 => [0xFF], 1 => [0xC3, 0x28], _ => [0xED, 0xA0, 0x80] };
                return [.. valid[..at], .. bad, .. valid[at..]];
            }
        }
        var root = JsonNode.Parse(valid)!;
        var nodes = new List<(JsonNode? Parent, string? Name, int Index, JsonNode? Node)>();
        Walk(root, null, null, -1, nodes);
        var candidates = mutation switch
        {
            "drop member" => nodes.Where(n => n.Name != null).ToList(),
            "non-GUID id" => nodes.Where(n => n.Node is JsonValue v && v.TryGetValue(out string? s) && Guid.TryParse(s, out _)).ToList(),
            _ => nodes.Where(n => n.Parent != null).ToList(),
        };
        if (candidates.Count == 0) return valid[..random.Next(valid.Length)];
        var (parent, name, index, _) = candidates[random.Next(candidates.Count)];
        if (mutation == "drop member")
        {
            parent!.AsObject().Remove(name!);
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        }
        string replacement = mutation switch
        {
            "wrong type" => new[] { "12", "\"text\"", "true", "null", "[]", "{}", "-1", "1.5" }[random.Next(8)],
            "huge number" => new[] { "1e400", "123456789012345678901234567890", "-9223372036854775809", "1.7976931348623157e309" }[random.Next(4)],
            "deep nesting" => new string('[', 5_000) + "1" + new string(']', 5_000),
            "non-GUID id" => new[] { "\"not-a-guid\"", "\"12345\"", "\"\"", "\"00000000-0000-0000-0000-00000000000G\"" }[random.Next(4)],
            _ => throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null),
        };
        // Written as text: JsonNode cannot hold 1e400 or 5,000 levels, and the point is what the client makes of them.
        const string marker = "\"__edi2_fuzz__\"";
        if (name != null) parent!.AsObject()[name] = "__edi2_fuzz__";
        else parent!.AsArray()[index] = "__edi2_fuzz__";
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace(marker, replacement));
    }

    private static void Walk(JsonNode? node, JsonNode? parent, string? name, int index, List<(JsonNode?, string?, int, JsonNode?)> into)
    {
        into.Add((parent, name, index, node));
        if (node is JsonObject obj)
        {
            foreach (var member in obj.ToList()) Walk(member.Value, obj, member.Key, -1, into);
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++) Walk(array[i], array, null, i, into);
        }
    }
}
