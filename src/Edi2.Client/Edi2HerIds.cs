using System;
using System.Collections.Generic;

namespace Edi2
{
    /// <summary>
    /// What a HER-id is (a positive number) and how many one EDI 2.0 request takes. The cmdlets' validation
    /// attributes use these constants, and the engine checks with <see cref="Check(int, string)"/> and
    /// <see cref="CheckRequest"/>.
    /// </summary>
    public static class Edi2HerIds
    {
        public const int Min = 1;

        public const int Max = int.MaxValue;

        /// <summary>The API's limit of HER-ids per request (notifications, unread messages, MSH configurations).</summary>
        public const int MaxPerRequest = 1500;

        public static bool IsValid(int herId) => herId >= Min;

        /// <summary>Returns <paramref name="herId"/>, or throws <see cref="ArgumentException"/> when it is no HER-id.</summary>
        public static int Check(int herId, string paramName) =>
            IsValid(herId) ? herId : throw new ArgumentException($"HER-id {herId} is not valid: HER-ids are positive numbers.", paramName);

        /// <summary>The HER-ids of one request: at least one, at most <see cref="MaxPerRequest"/>, each valid.</summary>
        public static void CheckRequest(IReadOnlyCollection<int> herIds, string paramName, string forWhat = "")
        {
            if (herIds is null) throw new ArgumentNullException(paramName);
            if (herIds.Count == 0) throw new ArgumentException($"Give at least one HER-id{forWhat}.", paramName);
            if (herIds.Count > MaxPerRequest) throw new ArgumentException($"EDI 2.0 takes at most {MaxPerRequest} HER-ids per request; {herIds.Count} were given.", paramName);
            foreach (int herId in herIds) Check(herId, paramName);
        }
    }
}
