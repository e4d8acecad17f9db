using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edi2.FakeNhn.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Edi2.FakeNhn.HelseId;

/// <summary>
/// POST /connect/token for the client_credentials grant with private_key_jwt and DPoP, checked in the
/// order Duende IdentityServer's TokenEndpoint and TokenRequestValidator use:
/// HTTP shape → client authentication (client_id, assertion; spends the assertion jti) → number of DPoP
/// headers → grant type → DPoP proof (nonce) → scope → HelseID's organisation-number rules → token.
/// </summary>
internal sealed class TokenEndpoint
{
    public const string Path = "/connect/token";
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private static readonly JsonWriterOptions JsonWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Func<FakeHelseIdEndpoints?> _endpoints;
    private readonly FakeNhnState _state;
    private readonly FakeHelseIdOptions _options;
    private readonly ClientAssertionValidator _assertions;
    private readonly DPoPProofValidator _proofs;
    private readonly NonceService _nonces;
    private readonly AccessTokenIssuer _issuer;
    private readonly CancellationToken _stopping;

    public TokenEndpoint(
        Func<FakeHelseIdEndpoints?> endpoints,
        FakeNhnState state,
        FakeHelseIdOptions options,
        ClientAssertionValidator assertions,
        DPoPProofValidator proofs,
        NonceService nonces,
        AccessTokenIssuer issuer,
        CancellationToken stopping)
    {
        _endpoints = endpoints;
        _state = state;
        _options = options;
        _assertions = assertions;
        _proofs = proofs;
        _nonces = nonces;
        _issuer = issuer;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var endpoints = _endpoints();
        if (endpoints is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; // still starting
            return;
        }

        var log = RequestLog.Current(context);
        var isForm = IsFormUrlEncoded(context.Request);
        IFormCollection? form = null;
        if (isForm)
        {
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                form = null;
            }
        }

        if (log is not null)
        {
            DescribeRequest(log, context.Request, form);
        }

        if (_options.TakeFault() is { } fault)
        {
            await WriteFaultAsync(context, fault, log);
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method) || !isForm || form is null)
        {
            await WriteErrorAsync(context, log, "invalid_request",
                "The token endpoint takes POST with Content-Type application/x-www-form-urlencoded.");
            return;
        }

        // RFC 6749 §3.2: no parameter may appear twice.
        var repeated = form.FirstOrDefault(field => field.Value.Count > 1).Key;
        if (repeated is not null)
        {
            await WriteErrorAsync(context, log, "invalid_request", $"Parameter '{repeated}' is given more than once.");
            return;
        }

        // Client authentication (Duende's ClientSecretValidator). private_key_jwt is the only method.
        var clientId = form["client_id"].ToString();
        if (string.IsNullOrEmpty(clientId))
        {
            await WriteErrorAsync(context, log, "invalid_client", "client_id is missing (HelseID wants it in the form body).");
            return;
        }

        if (!_state.TryGetRegisteredClient(clientId, out var client))
        {
            await WriteErrorAsync(context, log, "invalid_client", $"Unknown client_id '{clientId}'.");
            return;
        }

        if (!string.Equals(form["client_assertion_type"].ToString(), JwtBearerAssertionType, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, log, "invalid_client", $"client_assertion_type must be '{JwtBearerAssertionType}'.");
            return;
        }

        var assertion = form["client_assertion"].ToString();
        if (string.IsNullOrEmpty(assertion))
        {
            await WriteErrorAsync(context, log, "invalid_client", "client_assertion is missing (private_key_jwt is the only client authentication HelseID takes).");
            return;
        }

        var authentication = _assertions.Validate(assertion, client, endpoints);
        if (!authentication.IsValid)
        {
            await WriteErrorAsync(context, log, "invalid_client", authentication.Problem!);
            return;
        }

        var dpopHeader = context.Request.Headers["DPoP"];
        if (dpopHeader.Count > 1)
        {
            await WriteErrorAsync(context, log, "invalid_request", "Too many DPoP headers provided.");
            return;
        }

        var grantType = form["grant_type"].ToString();
        if (grantType != "client_credentials")
        {
            await WriteErrorAsync(context, log, "unsupported_grant_type",
                $"grant_type is '{grantType}'; this fake HelseID only serves 'client_credentials'.");
            return;
        }

        // DPoP: every HelseID client for EDI 2.0 must use it.
        if (dpopHeader.Count == 0 || string.IsNullOrEmpty(dpopHeader.ToString()))
        {
            await WriteErrorAsync(context, log, "invalid_request", "Client requires DPoP and a DPoP header value was not provided.");
            return;
        }

        var proof = _proofs.Validate(dpopHeader.ToString(), new DPoPProofExpectations
        {
            Method = HttpMethods.Post,
            Uri = endpoints.TokenEndpointUri,
            Nonces = _options.RequireNonce || _options.AlwaysDemandNonce ? _nonces : null,
            AlwaysDemandNonce = _options.AlwaysDemandNonce,
            Algorithms = _options.DPoPSigningAlgorithms,
            IatMaxAge = _options.ProofIatWindow,
            IatMaxFuture = _options.ClockSkew,
        });
        if (!proof.IsValid)
        {
            await WriteErrorAsync(context, log, proof.Error!, proof.ErrorDescription!, proof.NewNonce);
            return;
        }

        // Scope: each requested scope must be allowed; none requested means all of the client's scopes.
        var requested = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
        var refused = requested.Where(scope => !client.Scopes.Contains(scope)).ToArray();
        if (refused.Length > 0)
        {
            await WriteErrorAsync(context, log, "invalid_scope",
                $"Scope '{string.Join(" ", refused)}' is not allowed for client '{client.ClientId}'.");
            return;
        }

        var granted = requested.Length > 0 ? requested : client.Scopes.ToArray();

        // HelseID's own rules (a custom validator in Duende terms, so they run last).
        var organizations = AssertionDetailsValidator.Validate(authentication.Assertion!, client);
        if (organizations.Problem is not null)
        {
            await WriteErrorAsync(context, log, "invalid_request", organizations.Problem);
            return;
        }

        var (token, expiresIn) = _issuer.Issue(endpoints.Issuer, new AccessTokenRequest
        {
            Client = client,
            Scopes = granted,
            Jkt = proof.Jkt!,
            ClientKeyType = authentication.Key!.Kty,
            OrgNumberParent = organizations.Parent!,
            OrgNumberChild = organizations.Child,
        });

        await WriteJsonAsync(context, StatusCodes.Status200OK, _options.IssueNonceOnSuccess ? _nonces.Create() : null, writer =>
        {
            writer.WriteString("access_token", token);
            writer.WriteNumber("expires_in", expiresIn);
            writer.WriteString("token_type", "DPoP");
            writer.WriteString("scope", string.Join(" ", granted));
        });
    }

    private static bool IsFormUrlEncoded(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
        && mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>Notes what the client sent, read without trusting it, so tests can compare attempts.</summary>
    private static void DescribeRequest(LoggedRequest log, HttpRequest request, IFormCollection? form)
    {
        if (form is not null)
        {
            log.Form = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
            log.ClientId = form["client_id"].ToString() is { Length: > 0 } id ? id : null;
            if (CompactJws.TryPeekPayload(form["client_assertion"].ToString()) is { } assertion)
            {
                log.AssertionJti = CompactJws.GetString(assertion, "jti");
            }
        }

        if (request.Headers["DPoP"] is { Count: 1 } dpop && CompactJws.TryPeekPayload(dpop.ToString()) is { } proof)
        {
            log.ProofJti = CompactJws.GetString(proof, "jti");
            log.ProofNonce = CompactJws.GetString(proof, "nonce");
            log.ProofHtu = CompactJws.GetString(proof, "htu");
            log.ProofHtm = CompactJws.GetString(proof, "htm");
        }
    }

    private async Task WriteFaultAsync(HttpContext context, InjectedFault fault, LoggedRequest? log)
    {
        if (log is not null)
        {
            log.InjectedFault = true;
        }

        context.Response.StatusCode = fault.StatusCode;
        if (fault.Delay > TimeSpan.Zero)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            try
            {
                await Task.Delay(fault.Delay, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up (a timeout test) or the server is stopping
            }
        }

        context.Response.ContentType = fault.ContentType;
        if (fault.IncludeNonce)
        {
            context.Response.Headers["DPoP-Nonce"] = _nonces.Create();
        }

        await context.Response.WriteAsync(fault.Body, Encoding.UTF8, context.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext context, LoggedRequest? log, string error, string description, string? nonce = null)
    {
        if (log is not null)
        {
            log.Error = error;
            log.ErrorDescription = description;
        }

        return WriteJsonAsync(context, StatusCodes.Status400BadRequest, nonce, writer =>
        {
            writer.WriteString("error", error);
            writer.WriteString("error_description", description);
        });
    }

    /// <summary>JSON with Duende's no-cache headers (TokenResult / TokenErrorResult call SetNoCache).</summary>
    private static async Task WriteJsonAsync(HttpContext context, int statusCode, string? nonce, Action<Utf8JsonWriter> writeMembers)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=UTF-8";
        response.Headers.CacheControl = "no-store, no-cache, max-age=0";
        response.Headers.Pragma = "no-cache";
        if (nonce is not null)
        {
            response.Headers["DPoP-Nonce"] = nonce;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonWriterOptions))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }
}
