using System.Collections.Generic;
using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

/// <summary>Test vectors from RFC 7638 and RFC 9449.</summary>
public class JwkVectorTests
{
    [Fact]
    public void Rfc7638_section_3_1_example_key_thumbprint()
    {
        var jwk = new Dictionary<string, object>
        {
            ["kty"] = "RSA",
            ["n"] = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            ["e"] = "AQAB",
        };
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", Jwk.Thumbprint(jwk));
    }

    [Fact]
    public void Rfc9449_figure_4_ec_key_thumbprint()
    {
        var jwk = new Dictionary<string, object>
        {
            ["kty"] = "EC",
            ["x"] = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            ["y"] = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
            ["crv"] = "P-256",
        };
        Assert.Equal("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", Jwk.Thumbprint(jwk));
    }

    [Fact]
    public void Rfc9449_access_token_hash()
    {
        Assert.Equal("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", DPoPProof.Ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"));
    }

    [Theory]
    [InlineData("https://api.tjener.test.melding.nhn.no/Messages?ReceiverHerIds=8142519&IncludeMetadata=true", "https://api.tjener.test.melding.nhn.no/Messages")]
    [InlineData("https://helseid-sts.test.nhn.no:443/connect/token#frag", "https://helseid-sts.test.nhn.no/connect/token")]
    [InlineData("http://127.0.0.1:5080/messages/0d5c8d05-ab57-4b2b-b480-c46c69cdf789/business-document", "http://127.0.0.1:5080/messages/0d5c8d05-ab57-4b2b-b480-c46c69cdf789/business-document")]
    [InlineData("https://example.test/a%20b/c?x=1", "https://example.test/a%20b/c")]
    public void Htu_has_no_query_or_fragment(string url, string htu)
    {
        Assert.Equal(htu, DPoPProof.Htu(new System.Uri(url)));
    }
}
