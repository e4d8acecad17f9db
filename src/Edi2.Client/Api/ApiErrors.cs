using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;

namespace Edi2.Api
{
    /// <summary>What a call was about, so an error can name it: the HER-id(s) or the message.</summary>
    internal sealed class ApiTarget
    {
        private ApiTarget(object? value, string description)
        {
            Value = value;
            Description = description;
        }

        public object? Value { get; }

        public string Description { get; }

        public static ApiTarget None { get; } = new ApiTarget(null, "");

        public static ApiTarget Message(Guid id) => new ApiTarget(id, $"message {id}");

        public static ApiTarget HerIds(IReadOnlyCollection<int> herIds) =>
            herIds.Count == 1
                ? new ApiTarget(herIds.First(), $"HER-id {herIds.First()}")
                : new ApiTarget(herIds.ToArray(), $"HER-ids {string.Join(", ", herIds)}");

        public static ApiTarget MessageFor(Guid id, int herId) => new ApiTarget(id, $"message {id} (HER-id {herId})");
    }

    /// <summary>Turns a failed response into an <see cref="Edi2ApiException"/> (v3 ProblemDetails, v2 ErrorMessage, or neither).</summary>
    internal static class ApiErrors
    {
        public static Edi2ApiException FromResponse(HttpResponseMessage response, string body, ApiTarget target)
        {
            int status = (int)response.StatusCode;
            string call = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)}";
            Problem? problem = Problem.Parse(body);
            if (problem is null)
            {
                string type = response.Content.Headers.ContentType?.MediaType ?? "no content type";
                var reason = status == 401 ? ApiErrorReason.Unauthorized : ApiErrorReason.UnexpectedResponse;
                string hint = status == 401
                    ? " The access token or DPoP proof was refused; check the client's API access (audience nhn:msh) and this machine's clock."
                    : " A proxy or gateway may be answering instead of EDI 2.0; check the network path and -ApiBaseUri.";
                return new Edi2ApiException(reason, $"EDI 2.0 {call} answered HTTP {status} {response.ReasonPhrase} with {type}, not an API error.{hint}{WaitAsked(response)}",
                    target.Value ?? response.RequestMessage?.RequestUri?.ToString(), status);
            }

            string about = target.Description.Length > 0 ? target.Description : call;
            string said = problem.Text(status);
            string codes = $"(HTTP {status}{(problem.ErrorCode is int c && c != 0 ? ", errorCode " + c : "")}{(problem.RequestId is null ? "" : ", requestId " + problem.RequestId)})";
            var (apiReason, meaning) = Explain(status, problem.ErrorCode, about);
            string validation = problem.ValidationErrors.Count == 0 ? "" : " Validation: " + string.Join("; ", problem.ValidationErrors) + ".";
            return new Edi2ApiException(apiReason, $"{meaning} {said} {codes}.{validation}{WaitAsked(response)}",
                target.Value ?? response.RequestMessage?.RequestUri?.ToString(), status, problem.ErrorCode, problem.RequestId, problem.ValidationErrors);
        }

        /// <summary>What a Retry-After asked for: the pipeline waits up to <see cref="RetryPolicy.MaxRetryAfter"/>, so a longer wait ends here.</summary>
        private static string WaitAsked(HttpResponseMessage response)
        {
            if (!(Edi2HttpPipeline.RetryAfter(response) is TimeSpan wait)) return "";
            string span = wait.TotalSeconds < 120 ? $"{wait.TotalSeconds:0} s" : wait.TotalMinutes < 120 ? $"{wait.TotalMinutes:0.#} min" : $"{wait.TotalHours:0.#} h";
            return $" The server asked to wait {span} before the next try (Retry-After); try again after that.";
        }

        private static (ApiErrorReason, string) Explain(int status, int? errorCode, string about)
        {
            switch (status)
            {
                case 400:
                    return errorCode == 1100 ? (ApiErrorReason.BadRequest, $"Cannot send an application receipt for {about}: it is itself an application receipt.")
                        : errorCode == 1102 ? (ApiErrorReason.BadRequest, $"Cannot send an application receipt for {about}: that HER-id is not a receiver of the message.")
                        : (ApiErrorReason.BadRequest, $"EDI 2.0 refused the request for {about} as invalid.");
                case 401:
                    return (ApiErrorReason.Unauthorized, $"EDI 2.0 refused the access token for {about}; check the client's API access (audience nhn:msh) and this machine's clock.");
                case 403:
                    string why = errorCode == 1201 ? "the client is neither sender nor receiver of the message"
                        : errorCode == 1200 ? "the message's addressees could not be worked out"
                        : "its organisation is not under the client's delegating organisation in the Address Registry, or it has no MSH configuration";
                    return (ApiErrorReason.Forbidden, $"Not authorized for {about}: {why}.");
                case 404:
                    return (ApiErrorReason.NotFound, $"{Capitalize(about)} was not found (or has been purged).");
                case 413:
                    return (ApiErrorReason.TooLarge, $"EDI 2.0 refused the request for {about} as too large (35 MB at most).");
                case 423:
                    return (ApiErrorReason.Locked, $"{Capitalize(about)} is reserved by another HelseID client (clientLocked); only that client can release it.");
                default:
                    return status >= 500
                        ? (ApiErrorReason.ServerError, $"EDI 2.0 failed on its side for {about}.")
                        : (ApiErrorReason.OtherStatus, $"EDI 2.0 refused the request for {about}.");
            }
        }

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

        /// <summary>The fields v3 ProblemDetails and v2 ErrorMessage share, read in any casing.</summary>
        internal sealed class Problem
        {
            public string? Title;
            public string? Detail;
            public string? Error;
            public int? ErrorCode;
            public string? RequestId;
            public List<string> ValidationErrors = new List<string>();

            public string Text(int status)
            {
                string text = string.Join(": ", new[] { Title ?? Error, Detail }.Where(t => !string.IsNullOrWhiteSpace(t)));
                return text.Length == 0 ? $"The server said nothing more." : $"The server said: {text.TrimEnd('.')}.";
            }

            public static Problem? Parse(string body)
            {
                JsonElement root;
                try
                {
                    using (var document = JsonDocument.Parse(body))
                    {
                        root = document.RootElement.Clone();
                    }
                }
                catch (JsonException)
                {
                    return null;
                }
                if (root.ValueKind != JsonValueKind.Object) return null;

                var problem = new Problem();
                bool known = false;
                foreach (var member in root.EnumerateObject())
                {
                    switch (member.Name.ToLowerInvariant())
                    {
                        case "title": problem.Title = AsString(member.Value); known = true; break;
                        case "detail": problem.Detail = AsString(member.Value); known = true; break;
                        case "error": problem.Error = AsString(member.Value); known = true; break;
                        case "errorcode":
                            if (member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt32(out int code)) problem.ErrorCode = code;
                            else if (member.Value.ValueKind == JsonValueKind.String && int.TryParse(member.Value.GetString(), out code)) problem.ErrorCode = code;
                            known = true;
                            break;
                        case "requestid": problem.RequestId = AsString(member.Value); known = true; break;
                        case "status": known = true; break;
                        case "validationerrors":
                            if (member.Value.ValueKind == JsonValueKind.Array)
                            {
                                problem.ValidationErrors.AddRange(member.Value.EnumerateArray().Select(AsString).Where(v => v != null)!);
                            }
                            known = true;
                            break;
                    }
                }
                return known ? problem : null;
            }

            private static string? AsString(JsonElement value) =>
                value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind == JsonValueKind.Null ? null : value.GetRawText();
        }
    }
}
