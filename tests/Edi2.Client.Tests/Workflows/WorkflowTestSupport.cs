using System.Security.Cryptography;
using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.FakeNhn.Edi;
using Edi2.Workflows;

namespace Edi2.Client.Tests.Workflows;

/// <summary>A fresh folder under the temp directory, removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edi2-workflow-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class WorkflowAssert
{
    /// <summary>A v3 problem-details body, so the client maps the status as the real API's (404 → NotFound, not a proxy page).</summary>
    public static ApiFault Problem(int status, int errorCode = 0, string title = "Injected") =>
        ApiFault.Status(status, $$"""{"title":"{{title}}","status":{{status}},"errorCode":{{errorCode}},"detail":"injected by the test"}""", "application/problem+json");

    /// <summary>
    /// The next downloads break half-way through the body. As many as the client's attempts: a cut can also come before the
    /// response headers reach the client (the server's abort races its flush), and the client retries such a GET.
    /// </summary>
    public static void CutDownloads(ApiTestContext context, long afterBytes = 40_000) =>
        context.Nhn.Faults.FailNext("GET", "/messages/*/business-document", 4, ApiFault.DropConnectionAfterBytes(afterBytes));

    /// <summary>Cut in the body (Incomplete) or, when the abort beat the headers on every attempt, before it (ConnectionFailed).</summary>
    public static void IsCut(Exception error) =>
        Assert.Contains(Assert.IsType<Edi2ApiException>(error).ApiReason, new[] { ApiErrorReason.Incomplete, ApiErrorReason.ConnectionFailed });

    public static async Task<List<ReceiveEvent>> RunAsync(ReceiveWorkflow workflow, CancellationToken cancellationToken = default)
    {
        var events = new List<ReceiveEvent>();
        await foreach (var e in workflow.RunAsync(cancellationToken)) events.Add(e);
        return events;
    }

    /// <summary>
    /// Runs until it fails, calling <paramref name="afterSaved"/> with the count of Saved events each time one arrives (the
    /// workflow waits meanwhile and, at ThrottleLimit 1, has not touched the next notification yet).
    /// </summary>
    public static async Task<(List<ReceiveEvent> Events, Exception Error)> RunUntilFailureAsync(ReceiveWorkflow workflow, Action<int> afterSaved)
    {
        var events = new List<ReceiveEvent>();
        int saved = 0;
        try
        {
            await foreach (var e in workflow.RunAsync())
            {
                events.Add(e);
                if (e.Kind == ReceiveEventKind.Saved) afterSaved(++saved);
            }
        }
        catch (Exception error)
        {
            return (events, error);
        }
        throw new Xunit.Sdk.XunitException("The run was expected to fail but completed.");
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>Every inbound message for <paramref name="herId"/>: its file is there once, byte for byte, and it is marked downloaded.</summary>
    public static void AllReceived(ApiTestContext context, string folder, int herId, int expected)
    {
        var inbound = context.Nhn.Edi.Messages.Where(m => m.IsInbound && m.ReceiverHerIds.Contains(herId)).ToList();
        Assert.Equal(expected, inbound.Count);
        var files = Directory.GetFiles(folder, "*.xml");
        Assert.Equal(expected, files.Length);
        foreach (var message in inbound)
        {
            string path = System.IO.Path.Combine(folder, MessageFiles.FileName(message.Id));
            Assert.True(File.Exists(path), $"{path} is missing");
            Assert.Equal(message.Document.ToArray(), File.ReadAllBytes(path));
            Assert.True(message.Receiver(herId).Downloaded, $"message {message.Id} is not marked downloaded");
        }
        NoPartials(folder);
    }

    /// <summary>No message is marked downloaded without its complete file.</summary>
    public static void NoneMarkedWithoutFile(ApiTestContext context, string folder)
    {
        foreach (var message in context.Nhn.Edi.Messages.Where(m => m.IsInbound))
        {
            foreach (var receiver in message.Receivers.Where(r => r.Downloaded))
            {
                string path = System.IO.Path.Combine(folder, MessageFiles.FileName(message.Id));
                Assert.True(File.Exists(path), $"message {message.Id} is marked downloaded for {receiver.HerId} but {path} does not exist");
                Assert.Equal(message.Document.ToArray(), File.ReadAllBytes(path));
            }
        }
    }

    public static void NoPartials(string folder) =>
        Assert.Empty(Directory.GetFiles(folder, "*.partial").Concat(Directory.GetFiles(folder, "*.tmp")));
}
