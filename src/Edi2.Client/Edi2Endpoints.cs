using System;

namespace Edi2
{
    /// <summary>Which NHN environment a session talks to. Test is the default: production must be asked for.</summary>
    public enum Edi2Environment
    {
        Test,
        Production,
    }

    /// <summary>The network the API is reached over: the Internet or Helsenett (the Norwegian health network).</summary>
    public enum Edi2Network
    {
        Internet,
        Helsenett,
    }

    /// <summary>HelseID authority and EDI 2.0 API base for each environment (spec helseid-dpop section 1, edi2-api section 2).</summary>
    public static class Edi2Endpoints
    {
        public static readonly Uri TestAuthority = new Uri("https://helseid-sts.test.nhn.no");
        public static readonly Uri ProductionAuthority = new Uri("https://helseid-sts.nhn.no");

        /// <summary>NHN's test token service (spec helseid-dpop section 5): test environment only.</summary>
        public static readonly Uri TestTokenService = new Uri("https://helseid-ttt.test.nhn.no/v2/create-test-token-with-key");

        /// <summary>
        /// The test token endpoint: <paramref name="given"/> as it is, or with the service's path added when it is only a
        /// base address (http://127.0.0.1:5080); https only, except on loopback, as the API key goes with every request.
        /// </summary>
        public static Uri TestTokenEndpoint(Uri? given)
        {
            if (given is null) return TestTokenService;
            Uri endpoint = RequireSecure(given, "test token service URI");
            return endpoint.AbsolutePath == "/" ? new Uri(endpoint, TestTokenService.AbsolutePath) : endpoint;
        }

        /// <summary>The network NHN lists for an environment when none is given: Internet for test, Helsenett for production.</summary>
        public static Edi2Network DefaultNetwork(Edi2Environment environment) =>
            environment == Edi2Environment.Production ? Edi2Network.Helsenett : Edi2Network.Internet;

        public static Uri Authority(Edi2Environment environment) =>
            environment == Edi2Environment.Production ? ProductionAuthority : TestAuthority;

        /// <summary>HelseID self-service's API (key rotation), spec helseid-dpop section 1.</summary>
        public static Uri SelfService(Edi2Environment environment) =>
            new Uri(environment == Edi2Environment.Production ? "https://api.selvbetjening.nhn.no" : "https://api.selvbetjening.test.nhn.no");

        public static Uri ApiBase(Edi2Environment environment, Edi2Network network)
        {
            switch (environment)
            {
                case Edi2Environment.Test:
                    return new Uri(network == Edi2Network.Internet
                        ? "https://api.tjener.test.melding.nhn.no/"
                        : "https://api.hn-tjener.test.melding.nhn.no/");
                case Edi2Environment.Production when network == Edi2Network.Helsenett:
                    return new Uri("https://api.hn-tjener.prod.melding.nhn.no/");
                default:
                    throw new ArgumentException(
                        "NHN publishes no Internet address for the production EDI 2.0 API; use -Network Helsenett, or give the address with -ApiBaseUri.",
                        nameof(network));
            }
        }

        /// <summary>
        /// Secrets (client assertions, tokens) go over TLS only; plain http is allowed for loopback, where the local
        /// sandbox runs.
        /// </summary>
        public static Uri RequireSecure(Uri uri, string what)
        {
            if (!uri.IsAbsoluteUri) throw new ArgumentException($"The {what} '{uri}' is not an absolute URL.", what);
            if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)) return uri;
            throw new ArgumentException($"The {what} '{uri}' must use https (plain http is allowed only for a local test server on loopback).", what);
        }
    }
}
