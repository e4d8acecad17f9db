using System;

namespace Edi2.FakeNhn.HelseId;

/// <summary>The fake HelseID's URLs, fixed once the listening port is known. The issuer has no trailing slash.</summary>
internal sealed class FakeHelseIdEndpoints
{
    public FakeHelseIdEndpoints(Uri baseUri)
    {
        Issuer = baseUri.GetLeftPart(UriPartial.Authority);
        TokenEndpoint = Issuer + "/connect/token";
        TokenEndpointUri = new Uri(TokenEndpoint);
        JwksUri = Issuer + "/.well-known/openid-configuration/jwks";
        PushedAuthorizationEndpoint = Issuer + "/connect/par";
    }

    public string Issuer { get; }

    public string TokenEndpoint { get; }

    public Uri TokenEndpointUri { get; }

    public string JwksUri { get; }

    /// <summary>Not served; Duende accepts it as a client-assertion audience (without the strict typ).</summary>
    public string PushedAuthorizationEndpoint { get; }
}
