using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Edi2.FakeNhn;

// Stand-alone fake NHN: dotnet run --project tests/Edi2.FakeNhn -- --port 5080 --seed seed.json
// Prints exactly "Now listening on: http://127.0.0.1:<port>" once ready, then runs until Ctrl+C / SIGTERM.
// --sandbox <dir> also writes a sandbox client key there, seeds a few messages and prints the Connect-Edi2 line, and
// a second one that connects through the fake test token service with an API key made at start.
// --stream-keep-alive <seconds> sets the quiet time before a notification stream's ": keep-alive" (default 1).
// --self-service-answer-delay <seconds> makes POST /v1/client-secret wait that long after registering the key.
// --latency <milliseconds> delays every request that long, as a network would (default 0).

const string Usage = "usage: Edi2.FakeNhn [--port <0-65535>] [--seed <seed.json>] [--sandbox <dir>] [--stream-keep-alive <seconds>] [--self-service-answer-delay <seconds>] [--latency <milliseconds>]";

var port = 0;
string? seedPath = null;
string? sandboxFolder = null;
TimeSpan? streamKeepAlive = null;
TimeSpan? selfServiceAnswerDelay = null;
var latency = TimeSpan.Zero;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length
            && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= 65535:
            port = parsed;
            i++;
            break;
        case "--seed" when i + 1 < args.Length:
            seedPath = args[++i];
            break;
        case "--sandbox" when i + 1 < args.Length:
            sandboxFolder = args[++i];
            break;
        case "--stream-keep-alive" when i + 1 < args.Length
            && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 86400:
            streamKeepAlive = TimeSpan.FromSeconds(seconds);
            i++;
            break;
        case "--self-service-answer-delay" when i + 1 < args.Length
            && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var delay) && delay >= 0 && delay <= 3600:
            selfServiceAnswerDelay = TimeSpan.FromSeconds(delay);
            i++;
            break;
        case "--latency" when i + 1 < args.Length
            && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0 && milliseconds <= 60_000:
            latency = TimeSpan.FromMilliseconds(milliseconds);
            i++;
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        case "--port":
            Console.Error.WriteLine("--port needs a number from 0 to 65535 (0 picks a free port).");
            return 2;
        default:
            Console.Error.WriteLine($"Unexpected argument '{args[i]}'.");
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

FakeNhnSeed? seed;
try
{
    seed = seedPath is null ? null : FakeNhnSeed.Load(seedPath);
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"Cannot read seed '{seedPath}': {ex.Message}");
    return 2;
}

FakeNhnServer server;
try
{
    server = await FakeNhnServer.StartAsync(port, seed);
}
catch (Exception ex) when (ex is ArgumentException or IOException)
{
    Console.Error.WriteLine($"Cannot start: {ex.Message}"); // a bad seed, or the port is taken
    return 1;
}

await using var running = server;
server.Api.Latency = latency;
if (streamKeepAlive is TimeSpan keepAlive)
{
    server.Api.StreamKeepAliveInterval = keepAlive;
}

if (selfServiceAnswerDelay is TimeSpan answerDelay)
{
    server.SelfService.AnswerDelay = answerDelay;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void RequestStop(PosixSignalContext context)
{
    context.Cancel = true; // shut down cleanly instead of being killed
    stop.TrySetResult();
}

// Ctrl+C arrives as SIGINT on every platform; SIGTERM is how scripts and CI stop it.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);

// The sandbox is seeded before the listening line, so whoever waits for that line can connect at once.
string? connectLine = sandboxFolder is null ? null : Sandbox.Prepare(server, sandboxFolder);
string? testTokenLine = sandboxFolder is null ? null : Sandbox.PrepareTestToken(server);
Console.WriteLine($"Now listening on: {server.Issuer}");
if (connectLine is not null)
{
    Console.WriteLine("Sandbox ready. In PowerShell:");
    Console.WriteLine("  Import-Module ./out/Edi2/Edi2.psd1");
    Console.WriteLine("  " + connectLine);
    Console.WriteLine($"  Get-Edi2Notification -HerId {Sandbox.HerId} | Get-Edi2Message");
    Console.WriteLine($"  Update-Edi2ClientKey -SelfServiceUri {server.Issuer} -Algorithm ES256   # key rotation, against the fake's self-service");
    Console.WriteLine("Or without a client key, through the test token service:");
    Console.WriteLine("  " + testTokenLine);
}
await stop.Task;
return 0;
