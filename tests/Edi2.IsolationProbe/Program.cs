using System.Net;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// Edi2.IsolationProbe <module folder> [--stub none|file|dynamic] [--loader core|desktop|none] [--shutdown-cycle]
//
//   --stub file      first loads a Microsoft.IdentityModel.Tokens 1.0 from a dll on disk into the default context, as
//                    another module (Az.Accounts, Microsoft.Graph, ExchangeOnlineManagement) would have done
//   --stub dynamic   the same as a dynamic assembly (what the Pester test and Microsoft Graph's do)
//   --loader core    does what Edi2.psm1 does on PowerShell 7: loads loader/net8.0/Edi2.Loader.dll, initializes it,
//                    loads the cmdlet assembly into the default context
//   --loader desktop the same with the netstandard2.0 loader that Windows PowerShell 5.1 uses
//   --shutdown-cycle Shutdown (Remove-Module) before the engine is first needed, then Initialize again (re-import)
//
// Then it resolves Edi2.Client from the default context, as the cmdlet assembly's reference is resolved, signs a client
// assertion and DPoP proofs through the engine against a fake HelseID, verifies them with the BCL alone, asks the default
// context for every assembly in dependencies/ (what the cmdlet assembly or another module would get), and prints one
// JSON object on stdout: where every assembly came from, the signing results, and any failure.

var report = new JsonObject();
int exitCode = 0;
try
{
    Probe.Run(args, report);
}
catch (Exception e)
{
    report["failure"] = e.ToString();
    exitCode = 1;
}
report["assemblies"] = Probe.LoadedAssemblies();
report["contexts"] = new JsonArray(AssemblyLoadContext.All.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray());
Console.WriteLine(report.ToJsonString());
return exitCode;

internal static class Probe
{
    private const string StubName = "Microsoft.IdentityModel.Tokens";

    public static void Run(string[] args, JsonObject report)
    {
        string module = Path.GetFullPath(args[0]);
        string stub = Option(args, "--stub", "none");
        string loader = Option(args, "--loader", "core");
        bool shutdownCycle = args.Contains("--shutdown-cycle");

        if (stub != "none") report["stub"] = Describe(LoadStub(stub));

        Type? moduleLoader = null;
        if (loader != "none")
        {
            string framework = loader == "desktop" ? "netstandard2.0" : "net8.0";
            moduleLoader = Assembly.LoadFrom(Path.Combine(module, "loader", framework, "Edi2.Loader.dll")).GetType("Edi2.Loader.ModuleLoader", throwOnError: true)!;
            moduleLoader.GetMethod("Initialize")!.Invoke(null, new object[] { module });
        }
        report["cmdlets"] = Describe(Assembly.LoadFrom(Path.Combine(module, "Edi2.PowerShell.dll")));

        if (shutdownCycle && moduleLoader != null)
        {
            moduleLoader.GetMethod("Shutdown")!.Invoke(null, null);
            report["engineAfterShutdown"] = TryResolveFromDefault("Edi2.Client");
            moduleLoader.GetMethod("Initialize")!.Invoke(null, new object[] { module });
        }

        JsonObject engineResult = TryResolveFromDefault("Edi2.Client");
        report["engine"] = engineResult;
        if (engineResult["error"] is null)
        {
            Assembly engine = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("Edi2.Client"));
            report["signing"] = SignThroughEngine(engine).GetAwaiter().GetResult();
        }
        // What the cmdlet assembly, or another module, gets from the default context for each assembly the module ships.
        var fromDefault = new JsonObject();
        foreach (string file in Directory.GetFiles(Path.Combine(module, "dependencies"), "*.dll").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            fromDefault[name] = TryResolveFromDefault(name);
        }
        report["fromDefault"] = fromDefault;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static Assembly LoadStub(string kind)
    {
        var name = new AssemblyName(StubName) { Version = new Version(1, 0, 0, 0) };
        if (kind == "dynamic")
        {
            var dynamicAssembly = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run);
            dynamicAssembly.DefineDynamicModule(StubName).DefineType(StubName + ".Stub", TypeAttributes.Public).CreateType();
            return dynamicAssembly;
        }
        var persisted = new PersistedAssemblyBuilder(name, typeof(object).Assembly);
        persisted.DefineDynamicModule(StubName).DefineType(StubName + ".Stub", TypeAttributes.Public).CreateType();
        string folder = Path.Combine(Path.GetTempPath(), "edi2-probe-stub-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, StubName + ".dll");
        persisted.Save(path);
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }

    private static JsonObject TryResolveFromDefault(string name)
    {
        try
        {
            return Describe(AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name)));
        }
        catch (Exception e) when (e is FileNotFoundException || e is FileLoadException)
        {
            return new JsonObject { ["error"] = e.GetType().Name, ["message"] = e.Message };
        }
    }

    private static JsonObject Describe(Assembly assembly) => new()
    {
        ["name"] = assembly.GetName().Name,
        ["version"] = assembly.GetName().Version?.ToString(),
        ["context"] = AssemblyLoadContext.GetLoadContext(assembly)?.Name,
        ["location"] = assembly.IsDynamic ? "" : assembly.Location,
        ["dynamic"] = assembly.IsDynamic,
    };

    public static JsonArray LoadedAssemblies() =>
        new(AppDomain.CurrentDomain.GetAssemblies().OrderBy(a => a.GetName().Name).Select(a => (JsonNode?)Describe(a)).ToArray());

    /// <summary>
    /// Connects a session through the isolated engine (reflection only: its types are not this program's), which signs a
    /// client assertion and a DPoP proof for the token request, then asks it for a DPoP proof for an API call.
    /// </summary>
    private static async Task<JsonObject> SignThroughEngine(Assembly engine)
    {
        var authority = new Uri("https://helseid.probe.invalid");
        Type signingKeyType = engine.GetType("Edi2.HelseId.SigningKey", throwOnError: true)!;
        object clientKey = signingKeyType.GetMethod("Generate")!.Invoke(null, new object[] { "ES256" })!;
        string publicJwk = (string)signingKeyType.GetMethod("ExportPublicJwk")!.Invoke(clientKey, null)!;

        Type optionsType = engine.GetType("Edi2.Edi2ConnectionOptions", throwOnError: true)!;
        object options = Activator.CreateInstance(optionsType)!;
        optionsType.GetProperty("ClientId")!.SetValue(options, "probe-client");
        optionsType.GetProperty("Authority")!.SetValue(options, authority);
        optionsType.GetProperty("ApiBaseUri")!.SetValue(options, new Uri("https://api.probe.invalid"));

        var helseId = new FakeHelseId(authority);
        Type sessionType = engine.GetType("Edi2.Edi2Session", throwOnError: true)!;
        var connect = (Task)sessionType.GetMethod("ConnectAsync")!.Invoke(null, new object?[] { options, clientKey, CancellationToken.None, helseId, null })!;
        await connect;
        object session = connect.GetType().GetProperty("Result")!.GetValue(connect)!;
        var proofTask = (Task<string>)sessionType.GetMethod("CreateProofAsync")!.Invoke(session, new object?[] { HttpMethod.Get, new Uri("https://api.probe.invalid/messages"), CancellationToken.None })!;
        string apiProof = await proofTask;
        ((IDisposable)session).Dispose();

        string tampered = Tamper(apiProof);
        return new JsonObject
        {
            ["clientKeyContext"] = AssemblyLoadContext.GetLoadContext(clientKey.GetType().Assembly)?.Name,
            ["clientAssertionVerifies"] = Jws.VerifiesWith(helseId.ClientAssertion!, JsonNode.Parse(publicJwk)!.AsObject()),
            ["tokenRequestProofVerifies"] = Jws.VerifiesWithEmbeddedJwk(helseId.TokenRequestProof!),
            ["apiProofVerifies"] = Jws.VerifiesWithEmbeddedJwk(apiProof),
            ["tamperedApiProofVerifies"] = Jws.VerifiesWithEmbeddedJwk(tampered),
            ["apiProofAlgorithm"] = Jws.Header(apiProof)["alg"]?.GetValue<string>(),
        };
    }

    /// <summary>The same proof with one claim changed and the original signature.</summary>
    private static string Tamper(string jws)
    {
        string[] parts = jws.Split('.');
        JsonObject payload = JsonNode.Parse(Jws.FromBase64Url(parts[1]))!.AsObject();
        payload["htm"] = "DELETE";
        return parts[0] + "." + Jws.ToBase64Url(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];
    }
}

/// <summary>Just enough of HelseID for one token: discovery and a token endpoint that keeps what it was sent.</summary>
internal sealed class FakeHelseId(Uri authority) : HttpMessageHandler
{
    public string? ClientAssertion { get; private set; }

    public string? TokenRequestProof { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string issuer = authority.ToString().TrimEnd('/');
        string path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Get && path == "/.well-known/openid-configuration")
        {
            return Json(new JsonObject { ["issuer"] = issuer, ["token_endpoint"] = issuer + "/connect/token" });
        }
        if (request.Method == HttpMethod.Post && path == "/connect/token")
        {
            string form = await request.Content!.ReadAsStringAsync(cancellationToken);
            ClientAssertion = form.Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == "client_assertion").Select(p => WebUtility.UrlDecode(p[1])).Single();
            TokenRequestProof = request.Headers.GetValues("DPoP").Single();
            return Json(new JsonObject { ["access_token"] = "probe-access-token", ["token_type"] = "DPoP", ["expires_in"] = 300, ["scope"] = "nhn:msh/api" });
        }
        return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request };
    }

    private static HttpResponseMessage Json(JsonObject body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}

/// <summary>ES256 JWS verification with the BCL only, so nothing of the engine's own JWT code checks itself.</summary>
internal static class Jws
{
    public static JsonObject Header(string jws) => JsonNode.Parse(FromBase64Url(jws.Split('.')[0]))!.AsObject();

    public static bool VerifiesWithEmbeddedJwk(string jws) => VerifiesWith(jws, Header(jws)["jwk"]!.AsObject());

    public static bool VerifiesWith(string jws, JsonObject jwk)
    {
        string[] parts = jws.Split('.');
        if (parts.Length != 3 || Header(jws)["alg"]?.GetValue<string>() != "ES256") return false;
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = FromBase64Url(jwk["x"]!.GetValue<string>()), Y = FromBase64Url(jwk["y"]!.GetValue<string>()) },
        });
        return key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256);
    }

    public static byte[] FromBase64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    public static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
