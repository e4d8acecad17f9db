using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Edi2.FakeNhn.Edi;
using Edi2.FakeNhn.HelseId;
using Edi2.FakeNhn.Security;
using Edi2.FakeNhn.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenEndpointHandler = Edi2.FakeNhn.HelseId.TokenEndpoint;

namespace Edi2.FakeNhn;

/// <summary>
/// The fake NHN services in one process on 127.0.0.1: HelseID (discovery, JWKS, token endpoint) and the
/// EDI 2.0 API (v2 and v3) at the same base URL. Start it from a test with <see cref="StartAsync"/>, or run the project.
/// </summary>
public sealed class FakeNhnServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly AccessTokenIssuer _accessTokens;
    private FakeHelseIdEndpoints? _endpoints;
    private int _disposed;

    private FakeNhnServer(WebApplication app, FakeNhnState state, FakeHelseIdOptions options)
    {
        _app = app;
        State = state;
        HelseId = options;
        Api = new FakeApiOptions();
        Faults = new ApiFaults(_stopping.Token);

        var clock = new FakeClock(() => options.ClockOffset);
        var replayCache = new ReplayCache(clock);
        var nonces = new NonceService("helseid-token-endpoint", clock, () => options.NonceLifetime);
        _accessTokens = new AccessTokenIssuer(clock, options);
        Edi = new FakeEdiState(state, clock);

        var discovery = new DiscoveryEndpoints(() => _endpoints, _accessTokens, options);
        var token = new TokenEndpointHandler(
            () => _endpoints,
            state,
            options,
            new ClientAssertionValidator(replayCache, clock, options),
            new DPoPProofValidator(replayCache, clock),
            nonces,
            _accessTokens,
            _stopping.Token);

        // The EDI 2.0 API: its own proof replay cache and nonces (a HelseID nonce is no API nonce).
        var apiAuthentication = new ApiAuthentication(
            () => _endpoints?.Issuer,
            _accessTokens.JwksJson,
            new DPoPProofValidator(new ReplayCache(clock), clock),
            new NonceService("edi-api", clock, () => Api.NonceLifetime, () => Api.IssueNonceOnSuccess),
            Api,
            clock);
        var api = new ApiRouter(
            apiAuthentication,
            state,
            Edi,
            new V3Endpoints(Edi, Api, clock),
            new V2Endpoints(Edi, Api),
            new NotificationStreamEndpoint(Edi, Api, _stopping.Token),
            new BusinessDocumentEndpoint());

        // HelseID self-service (key rotation): tokens for nhn:selvbetjening, its own proof replay cache and nonces.
        var selfService = new ClientSecretEndpoint(
            new ApiAuthentication(
                () => _endpoints?.Issuer,
                _accessTokens.JwksJson,
                new DPoPProofValidator(new ReplayCache(clock), clock),
                new NonceService("selvbetjening", clock, () => TimeSpan.FromSeconds(60)),
                new FakeApiOptions(),
                clock,
                ClientSecretEndpoint.Audience,
                ClientSecretEndpoint.Scope),
            state,
            SelfService,
            clock);

        app.Use((context, next) =>
        {
            // Api.PathBase: the prefix becomes PathBase, so routes and the proof's htu (PathBase + Path) still match.
            if (Api.PathBase is { Length: > 0 } prefix && context.Request.Path.StartsWithSegments(prefix, out var matched, out var rest))
            {
                context.Request.PathBase = context.Request.PathBase.Add(matched);
                context.Request.Path = rest;
            }
            return next(context);
        });
        app.Use(Requests.RecordAsync);
        app.Use(async (context, next) =>
        {
            if (Api.Latency is { Ticks: > 0 } latency)
            {
                try
                {
                    await Task.Delay(latency, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the client gave up
                }
            }
            await next(context);
        });
        app.Use(Faults.ApplyAsync); // before everything else, so an injected 503 spends no proof jti
        app.Use(api.HandleAsync); // API paths (ping, notifications, messages, mshconfigurations); the rest goes on
        app.MapGet(DiscoveryEndpoints.DiscoveryPath, discovery.DiscoveryAsync);
        app.MapGet(DiscoveryEndpoints.JwksPath, discovery.JwksAsync);
        // Every method reaches the token endpoint, so a GET gets HelseID's invalid_request, not a 405.
        app.Map(TokenEndpointHandler.Path, (RequestDelegate)token.HandleAsync);
        var testTokens = new TestTokenEndpoint(() => _endpoints, TestTokens, _accessTokens);
        app.MapPost(TestTokenEndpoint.Path, (RequestDelegate)testTokens.HandleAsync);
        app.MapPost(TestTokenEndpoint.OlderPath, (RequestDelegate)testTokens.HandleAsync);
        app.Map(ClientSecretEndpoint.Path, (RequestDelegate)selfService.HandleAsync);
    }

    /// <summary>http://127.0.0.1:{port}/ — the HelseID issuer and the EDI 2.0 API base.</summary>
    public Uri BaseUri { get; private set; } = null!;

    public int Port => BaseUri.Port;

    /// <summary>http://127.0.0.1:{port}, without a trailing slash as HelseID's issuer has none (with one under <see cref="FakeHelseIdOptions.IssuerTrailingSlash"/>).</summary>
    public string Issuer => Endpoints.Issuer;

    public string TokenEndpoint => Endpoints.TokenEndpoint;

    public string JwksUri => Endpoints.JwksUri;

    public Uri DiscoveryUri => new(BaseUri, DiscoveryEndpoints.DiscoveryPath.TrimStart('/'));

    /// <summary>Organisations and clients; seed more while running.</summary>
    public FakeNhnState State { get; }

    /// <summary>Knobs of the fake HelseID, changeable while running.</summary>
    public FakeHelseIdOptions HelseId { get; }

    /// <summary>Messages, notifications and MSH configurations of the fake EDI 2.0 API; seed and inspect while running.</summary>
    public FakeEdiState Edi { get; }

    /// <summary>The fake test token service's API keys and knobs.</summary>
    public FakeTestTokenOptions TestTokens { get; } = new();

    /// <summary>http://127.0.0.1:{port}/v2/create-test-token-with-key: the fake test token service.</summary>
    public Uri TestTokenUri => new(BaseUri, TestTokenEndpoint.Path.TrimStart('/'));

    /// <summary>Knobs of the fake EDI 2.0 API, changeable while running.</summary>
    public FakeApiOptions Api { get; }

    /// <summary>Knobs of the fake HelseID self-service API (<c>POST /v1/client-secret</c> at <see cref="BaseUri"/>).</summary>
    public FakeSelfServiceOptions SelfService { get; } = new();

    /// <summary>Faults injected into the next matching requests (any path, applied before authentication).</summary>
    public ApiFaults Faults { get; }

    /// <summary>Every request the fake answered.</summary>
    public RequestLog Requests { get; } = new();

    /// <summary>kid of the key that signs access tokens now.</summary>
    public string AccessTokenSigningKeyId => _accessTokens.CurrentKeyId;

    private FakeHelseIdEndpoints Endpoints => _endpoints ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>
    /// Starts the fake on 127.0.0.1. Port 0 picks a free port; <see cref="BaseUri"/> tells which.
    /// The seed is checked before anything listens (a private key in it throws ArgumentException).
    /// </summary>
    public static async Task<FakeNhnServer> StartAsync(int port = 0, FakeNhnSeed? seed = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var state = new FakeNhnState(seed);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(FakeNhnServer).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Quiet console: only problems, and on stderr, so stdout carries nothing but the
        // stand-alone program's own "Now listening on" line.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Loopback only, on the port asked for; ignore ASPNETCORE_URLS / HTTP_PORTS from the environment.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, "");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // A 35 MB document is ~47 MB as base64 JSON; Kestrel's default limit (30 MB) would refuse it.
            kestrel.Limits.MaxRequestBodySize = 100_000_000;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        // The owner decides when to stop (tests dispose; Program handles Ctrl+C), not the console.
        builder.Services.AddSingleton<IHostLifetime, OwnerControlledLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var app = builder.Build();
        var server = new FakeNhnServer(app, state, new FakeHelseIdOptions());
        foreach (var apiKey in seed?.TestTokenApiKeys ?? [])
        {
            server.TestTokens.AddApiKey(apiKey);
        }

        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            server.BaseUri = new Uri($"http://127.0.0.1:{new Uri(address).Port}/");
            server._endpoints = new FakeHelseIdEndpoints(server.BaseUri, server.HelseId);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Signs new access tokens with a fresh key (JWKS refresh tests). The old key stays published if asked.</summary>
    public void RotateAccessTokenSigningKey(bool keepPreviousInJwks = true) => _accessTokens.RotateSigningKey(keepPreviousInJwks);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync(); // ends injected delays at once
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        finally
        {
            await _app.DisposeAsync();
            _accessTokens.Dispose();
            _stopping.Dispose();
        }
    }

    private sealed class OwnerControlledLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
