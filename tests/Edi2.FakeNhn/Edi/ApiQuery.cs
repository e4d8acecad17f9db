using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.AspNetCore.Http;

namespace Edi2.FakeNhn.Edi;

/// <summary>
/// Query-string binding as ASP.NET does it: names case-insensitive, arrays as repeated keys, a value that does
/// not parse is a 400 validation error naming the parameter.
/// </summary>
internal static class ApiQuery
{
    /// <summary>A required int32 array (repeated key), each value in 1..int.MaxValue, with a count range; duplicates dropped.</summary>
    public static int[] HerIds(HttpRequest request, string name, int maxCount)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            throw ApiException.Validation($"The {name} field is required.");
        }

        var herIds = new List<int>();
        foreach (var value in values)
        {
            if (!int.TryParse(value, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var herId) || herId < 1)
            {
                throw ApiException.Validation($"The value '{value}' is not valid for {name}.");
            }

            herIds.Add(herId);
        }

        if (herIds.Count > maxCount)
        {
            throw ApiException.Validation($"The field {name} must have between 1 and {maxCount} items.");
        }

        return herIds.Distinct().ToArray();
    }

    /// <summary>An optional integer; null when absent.</summary>
    public static long? Long(HttpRequest request, string name, long min, long max)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1 || !long.TryParse(values.ToString(), NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw ApiException.Validation($"The value '{values}' is not valid for {name}.");
        }

        if (value < min || value > max)
        {
            throw ApiException.Validation($"The field {name} must be between {min} and {max}.");
        }

        return value;
    }

    public static bool? Bool(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return null;
        }

        return values.Count == 1 && bool.TryParse(values.ToString().Trim(), out var value)
            ? value
            : throw ApiException.Validation($"The value '{values}' is not valid for {name}.");
    }

    public static string? String(HttpRequest request, string name) =>
        request.Query[name] is { Count: > 0 } values ? values.ToString() : null;
}
