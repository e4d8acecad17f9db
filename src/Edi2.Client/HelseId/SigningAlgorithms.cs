using System;
using System.Collections.Generic;
using System.Linq;

namespace Edi2.HelseId
{
    /// <summary>
    /// HelseID's allowlist of signing algorithms (spec 2.3): RSA with PKCS#1 v1.5 or PSS, EC with the curve that fits the
    /// hash. The lists are constants as well, because a cmdlet's validation attribute can only take constants.
    /// </summary>
    public static class SigningAlgorithms
    {
        public const string RsaList = "PS256,PS384,PS512,RS256,RS384,RS512";

        public const string EcList = "ES256,ES384,ES512";

        /// <summary>Every algorithm a client key may sign with, in the order the help lists them.</summary>
        public const string AllowedList = RsaList + "," + EcList;

        /// <summary>What New-Edi2ClientKey offers: PS256 (as HelseID's own key rotation), RS256 and ES256.</summary>
        public const string ForNewKeysList = "PS256,RS256,ES256";

        public static IReadOnlyList<string> Rsa { get; } = RsaList.Split(',');

        public static IReadOnlyList<string> Ec { get; } = EcList.Split(',');

        public static IReadOnlyList<string> Allowed { get; } = AllowedList.Split(',');

        public static IReadOnlyList<string> ForNewKeys { get; } = ForNewKeysList.Split(',');

        /// <summary>The list's spelling of <paramref name="algorithm"/> (case-insensitive), or null if it is not in the list.</summary>
        public static string? Find(IReadOnlyList<string> list, string? algorithm) =>
            algorithm is null ? null : list.FirstOrDefault(a => string.Equals(a, algorithm.Trim(), StringComparison.OrdinalIgnoreCase));
    }
}
