using System;

namespace Edi2
{
    /// <summary>
    /// Which client, environment and API something belongs to: a session, a receive state file, a reservation. The one
    /// place the API base is normalised: <c>https://host/api</c>, <c>https://host/api/</c> and <c>https://HOST/API/</c>
    /// are one API (compared without regard to case, as every copy of this rule did).
    /// </summary>
    public sealed class Edi2ClientScope
    {
        public Edi2ClientScope(string clientId, Edi2Environment environment, Uri apiBaseUri)
        {
            if (string.IsNullOrEmpty(clientId)) throw new ArgumentException("The client id is empty.", nameof(clientId));
            ClientId = clientId;
            Environment = environment;
            ApiBaseUri = NormalizeApiBase(apiBaseUri ?? throw new ArgumentNullException(nameof(apiBaseUri)));
            ApiKey = ApiBaseUri.AbsoluteUri.ToLowerInvariant();
        }

        public string ClientId { get; }

        public Edi2Environment Environment { get; }

        /// <summary>The API base ending in exactly one slash, so relative paths resolve below it.</summary>
        public Uri ApiBaseUri { get; }

        /// <summary>What the API is compared and hashed by: <see cref="ApiBaseUri"/> in lower case.</summary>
        public string ApiKey { get; }

        /// <summary>True when a thing recorded for (client id, environment, API base) is this scope's.</summary>
        public bool Owns(string? clientId, Edi2Environment environment, Uri? apiBaseUri) =>
            string.Equals(clientId, ClientId, StringComparison.Ordinal) && environment == Environment && IsSameApi(apiBaseUri);

        /// <summary>
        /// True when the API base is this scope's, in any spelling. A thing that recorded none (null, empty) belongs to
        /// whichever API its client and environment use: be liberal with files written by hand or by older versions.
        /// </summary>
        public bool IsSameApi(Uri? apiBaseUri) => ApiKeyOf(apiBaseUri) is not { } key || key == ApiKey;

        public bool IsSameApi(string? apiBaseUri) => ApiKeyOf(apiBaseUri) is not { } key || key == ApiKey;

        /// <summary>True when both name the same API, or either names none.</summary>
        public static bool SameApi(Uri? a, Uri? b) =>
            !(ApiKeyOf(a) is { } x && ApiKeyOf(b) is { } y) || x == y;

        /// <summary>Absolute, with its trailing slashes made one (the form requests are resolved against).</summary>
        public static Uri NormalizeApiBase(Uri apiBaseUri)
        {
            if (apiBaseUri is null) throw new ArgumentNullException(nameof(apiBaseUri));
            if (!apiBaseUri.IsAbsoluteUri) throw new ArgumentException($"The API base URI '{apiBaseUri}' is not an absolute URL.", nameof(apiBaseUri));
            return new Uri(apiBaseUri.AbsoluteUri.TrimEnd('/') + "/");
        }

        /// <summary>
        /// The key of an API base as written in a file (state files and ledgers hold it as it was typed, with or without
        /// a slash); null when none is written. Text that is no URL is compared as text.
        /// </summary>
        public static string? ApiKeyOf(string? apiBaseUri)
        {
            string text = apiBaseUri?.Trim() ?? "";
            if (text.Length == 0) return null;
            return Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
                ? ApiKeyOf(uri)
                : text.TrimEnd('/').ToLowerInvariant() + "/";
        }

        public static string? ApiKeyOf(Uri? apiBaseUri) =>
            apiBaseUri is null ? null
            : apiBaseUri.IsAbsoluteUri ? NormalizeApiBase(apiBaseUri).AbsoluteUri.ToLowerInvariant()
            : ApiKeyOf(apiBaseUri.OriginalString);

        public override string ToString() => $"client '{ClientId}' ({Environment}, {ApiBaseUri})";
    }
}
