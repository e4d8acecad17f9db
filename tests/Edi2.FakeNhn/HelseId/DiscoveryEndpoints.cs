using System;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn.Security;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.HelseId;

/// <summary>
/// The OpenID discovery document and the JWKS with the access-token signing key, at the same paths
/// HelseID uses: /.well-known/openid-configuration and /.well-known/openid-configuration/jwks.
/// </summary>
internal sealed class DiscoveryEndpoints
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/.well-known/openid-configuration/jwks";

    private readonly Func<FakeHelseIdEndpoints?> _endpoints;
    private readonly AccessTokenIssuer _issuer;
    private readonly FakeHelseIdOptions _options;

    public DiscoveryEndpoints(Func<FakeHelseIdEndpoints?> endpoints, AccessTokenIssuer issuer, FakeHelseIdOptions options)
    {
        _endpoints = endpoints;
        _issuer = issuer;
        _options = options;
    }

    public Task DiscoveryAsync(HttpContext context)
    {
        if (_endpoints() is not { } endpoints)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; // still starting
            return Task.CompletedTask;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("issuer", endpoints.Issuer);
            writer.WriteString("jwks_uri", endpoints.JwksUri);
            writer.WriteString("token_endpoint", endpoints.TokenEndpoint);
            WriteArray(writer, "grant_types_supported", ["client_credentials"]);
            WriteArray(writer, "token_endpoint_auth_methods_supported", ["private_key_jwt"]);
            WriteArray(writer, "token_endpoint_auth_signing_alg_values_supported", JwsAlgorithms.Allowed);
            var proofAlgorithms = _options.DPoPSigningAlgorithms ?? JwsAlgorithms.Allowed;
            if (proofAlgorithms.Count > 0)
            {
                WriteArray(writer, "dpop_signing_alg_values_supported", proofAlgorithms);
            }

            writer.WriteEndObject();
        }

        return WriteAsync(context, buffer.ToArray());
    }

    public Task JwksAsync(HttpContext context) => WriteAsync(context, _issuer.JwksJson());

    private static Task WriteAsync(HttpContext context, byte[] json)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=UTF-8";
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, System.Collections.Generic.IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
