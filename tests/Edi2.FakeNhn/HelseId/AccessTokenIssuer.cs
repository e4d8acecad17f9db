using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Edi2.FakeNhn.Security;

namespace Edi2.FakeNhn.HelseId;

/// <summary>What goes into one access token, decided by the token endpoint.</summary>
internal sealed class AccessTokenRequest
{
    public required RegisteredClient Client { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>cnf.jkt; null for a token bound to no key (the test token service without cnfJkt).</summary>
    public required string? Jkt { get; init; }

    /// <summary>The aud claim; null: the APIs the scopes belong to.</summary>
    public string? Audience { get; init; }

    /// <summary>Key type of the key the client authenticated with: "RSA" or "EC".</summary>
    public required string ClientKeyType { get; init; }

    public required string OrgNumberParent { get; init; }

    public string? OrgNumberChild { get; init; }
}

/// <summary>
/// Issues RS256 access tokens shaped like HelseID's (see the decoded test token in the spec, §4.1),
/// and publishes the verification key(s) as a JWKS. The key is made at start-up and never leaves memory.
/// </summary>
internal sealed class AccessTokenIssuer : IDisposable
{
    private readonly object _gate = new();
    private readonly FakeClock _clock;
    private readonly FakeHelseIdOptions _options;
    private SigningKey _current;
    private readonly List<SigningKey> _previous = new();

    public AccessTokenIssuer(FakeClock clock, FakeHelseIdOptions options)
    {
        _clock = clock;
        _options = options;
        _current = SigningKey.Create();
    }

    public string CurrentKeyId
    {
        get
        {
            lock (_gate)
            {
                return _current.Kid;
            }
        }
    }

    /// <summary>Starts signing with a new key. The old key stays in the JWKS only if asked (a JWKS refresh test).</summary>
    public void RotateSigningKey(bool keepPreviousInJwks)
    {
        lock (_gate)
        {
            if (keepPreviousInJwks)
            {
                _previous.Add(_current);
            }
            else
            {
                _current.Rsa.Dispose();
            }

            _current = SigningKey.Create();
        }
    }

    /// <summary>Issues a token; returns it with its lifetime in seconds.</summary>
    public (string Token, long ExpiresIn) Issue(string issuer, AccessTokenRequest request)
    {
        var lifetime = (long)_options.AccessTokenLifetime.TotalSeconds;
        var now = _clock.UnixSeconds;
        var client = request.Client;
        var audiences = request.Audience is { } audience ? [audience] : request.Scopes.Select(AudienceOf).Distinct(StringComparer.Ordinal).ToArray();

        var payload = WriteJson(writer =>
        {
            writer.WriteString("iss", issuer);
            writer.WriteNumber("nbf", now);
            writer.WriteNumber("iat", now);
            writer.WriteNumber("exp", now + lifetime);
            if (audiences.Length == 1)
            {
                writer.WriteString("aud", audiences[0]);
            }
            else
            {
                WriteArray(writer, "aud", audiences);
            }

            if (request.Jkt is not null)
            {
                writer.WriteStartObject("cnf");
                writer.WriteString("jkt", request.Jkt);
                writer.WriteEndObject();
            }

            WriteArray(writer, "scope", request.Scopes);
            writer.WriteString("client_id", client.ClientId);
            writer.WriteString("client_amr", "private_key_jwt");
            writer.WriteString("helseid://claims/client/amr", request.ClientKeyType == "EC" ? "ec_private_key" : "rsa_private_key");
            writer.WriteString("helseid://claims/client/claims/orgnr_parent", request.OrgNumberParent);
            if (request.OrgNumberChild is not null)
            {
                writer.WriteString("helseid://claims/client/claims/orgnr_child", request.OrgNumberChild);
            }

            if (client.MultiTenant)
            {
                writer.WriteString("helseid://claims/client/claims/orgnr_supplier", client.OrgNumber);
            }

            // API-specific claims are named <audience>/client/claims/<name> and only go to that API.
            if (client.HeridClaim is not null && audiences.Contains("nhn:msh"))
            {
                writer.WriteString("nhn:msh/client/claims/herid", client.HeridClaim);
            }

            writer.WriteString("helseid://claims/client/client_name", client.ClientName ?? client.ClientId);
            writer.WriteString("helseid://claims/client/client_tenancy", client.MultiTenant ? "multi-tenant" : "single-tenant");
            writer.WriteString("jti", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        });

        lock (_gate)
        {
            var header = WriteJson(writer =>
            {
                writer.WriteString("alg", "RS256");
                writer.WriteString("kid", _current.Kid);
                writer.WriteString("typ", _options.AccessTokenTyp);
            });
            return (CompactJws.SignRs256(header, payload, _current.Rsa), lifetime);
        }
    }

    /// <summary>The JWKS document: {"keys":[...]} with the current key first.</summary>
    public byte[] JwksJson()
    {
        lock (_gate)
        {
            return WriteJson(writer =>
            {
                writer.WriteStartArray("keys");
                foreach (var key in _previous.Prepend(_current))
                {
                    var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
                    writer.WriteStartObject();
                    writer.WriteString("kty", "RSA");
                    writer.WriteString("use", "sig");
                    writer.WriteString("kid", key.Kid);
                    writer.WriteString("alg", "RS256");
                    writer.WriteString("n", Base64Url.EncodeToString(parameters.Modulus));
                    writer.WriteString("e", Base64Url.EncodeToString(parameters.Exponent));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _current.Rsa.Dispose();
            foreach (var key in _previous)
            {
                key.Rsa.Dispose();
            }
        }
    }

    /// <summary>"nhn:msh/api" belongs to the API (audience) "nhn:msh".</summary>
    private static string AudienceOf(string scope)
    {
        var slash = scope.LastIndexOf('/');
        return slash > 0 ? scope[..slash] : scope;
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> writeMembers)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps "at+jwt" and claim URIs readable; the output is still valid JSON.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private sealed record SigningKey(RSA Rsa, string Kid)
    {
        // HelseID's kids are 40 upper-case hex characters (a certificate thumbprint); look alike.
        public static SigningKey Create() => new(RSA.Create(2048), Convert.ToHexString(RandomNumberGenerator.GetBytes(20)));
    }
}
