using System;
using System.Security;
using System.Text.RegularExpressions;

namespace Edi2
{
    /// <summary>
    /// What a session asks NHN's test token service for (spec helseid-dpop section 5), besides what
    /// <see cref="Edi2ConnectionOptions"/> says: the API key, the service's address and the HER-id claim. Test
    /// environment only. The API key is kept as a read-only copy and shown nowhere.
    /// </summary>
    public sealed class Edi2TestTokenOptions
    {
        /// <summary>The client id put in test tokens when Connect-Edi2 is given none (the service takes any text).</summary>
        public const string DefaultClientId = "edi2-test-token";

        /// <summary>The herid claim's value for every HER-id of the organisation.</summary>
        public const string AllHerIds = "0";

        private static readonly Regex HerIdClaimFormat = new Regex("^(0|[1-9][0-9]*(-[1-9][0-9]*)*)$", RegexOptions.CultureInvariant);

        private string _herIdClaim = AllHerIds;

        public Edi2TestTokenOptions(SecureString apiKey)
        {
            if (apiKey is null || apiKey.Length == 0) throw new ArgumentException("The test token service's API key is empty.", nameof(apiKey));
            ApiKey = apiKey.Copy();
            ApiKey.MakeReadOnly();
        }

        /// <summary>A secret, sent in the X-Auth-Key header only. Internal, so that nothing that lists properties finds it.</summary>
        internal SecureString ApiKey { get; }

        /// <summary>The service's endpoint, or its base address (then the default path is added); null for NHN's.</summary>
        public Uri? Uri { get; set; }

        /// <summary>The <c>nhn:msh/client/claims/herid</c> claim: "0" (every HER-id of the organisation, the default) or HER-ids joined by '-'.</summary>
        public string HerIdClaim
        {
            get => _herIdClaim;
            set
            {
                if (value is null || !HerIdClaimFormat.IsMatch(value))
                {
                    throw new ArgumentException($"The HER-id claim '{value}' must be 0 (every HER-id of the organisation) or HER-ids joined by '-', such as 8142519-8142520.", nameof(HerIdClaim));
                }
                _herIdClaim = value;
            }
        }
    }
}
