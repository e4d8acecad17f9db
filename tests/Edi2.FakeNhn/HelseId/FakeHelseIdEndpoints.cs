using System;

namespace Edi2.FakeNhn.HelseId;

/// <summary>
/// The fake HelseID's URLs, fixed once the listening port is known. The issuer has no trailing slash, as HelseID's,
/// unless <see cref="FakeHelseIdOptions.IssuerTrailingSlash"/> asks for one.
/// </summary>
internal sealed class FakeHelseIdEndpoints
{
    private readonly string _authority;
    private readonly FakeHelseIdOptions _options;

    public FakeHelseIdEndpoints(Uri baseUri, FakeHelseIdOptions options)
    {
        _authority = baseUri.GetLeftPart(UriPartial.Authority);
        _options = options;
        TokenEndpoint = _authority + "/connect/token";
        TokenEndpointUri = new Uri(TokenEndpoint);
        JwksUri = _authority + "/.well-known/openid-configuration/jwks";
        PushedAuthorizationEndpoint = _authority + "/connect/par";
    }

    /// <summary>The issuer as published in discovery, put in tokens and demanded as the assertion's aud.</summary>
    public string Issuer => _options.IssuerTrailingSlash ? _authority + "/" : _authority;

    public string TokenEndpoint { get; }

    public Uri TokenEndpointUri { get; }

    public string JwksUri { get; }

    /// <summary>Not served; Duende accepts it as a client-assertion audience (without the strict typ).</summary>
    public string PushedAuthorizationEndpoint { get; }
}
