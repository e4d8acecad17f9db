using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edi2.Api
{
    /// <summary>JSON as EDI 2.0 speaks it: camelCase out; in, any casing, unknown members ignored, enums as strings or numbers.</summary>
    internal static class Edi2Json
    {
        public static readonly JsonSerializerOptions Options = Create();

        private static JsonSerializerOptions Create()
        {
            var options = new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                PropertyNameCaseInsensitive = true,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                NumberHandling = JsonNumberHandling.AllowReadingFromString,
            };
            options.Converters.Add(new NorwegianTimeConverter());
            return options;
        }

        /// <summary>
        /// Date-times with an offset are kept; NHN's offset-less ones (businessDocumentGenDate) are Norwegian local time.
        /// </summary>
        private sealed class NorwegianTimeConverter : JsonConverter<DateTimeOffset>
        {
            public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            {
                string text = reader.GetString() ?? throw new JsonException("A date-time is null.");
                try
                {
                    return ParseNorwegian(text);
                }
                catch (FormatException e)
                {
                    // A JsonException, as for any other member of the wrong form: the caller reports the answer as unexpected.
                    throw new JsonException($"'{(text.Length > 40 ? text.Substring(0, 40) + "..." : text)}' is not a date-time.", e);
                }
            }

            public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
                writer.WriteStringValue(value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
        }

        public static DateTimeOffset ParseNorwegian(string text)
        {
            var parsed = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            if (parsed.Kind == DateTimeKind.Utc) return new DateTimeOffset(parsed);
            if (parsed.Kind == DateTimeKind.Local) return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
            return new DateTimeOffset(parsed, NorwegianOffset(parsed));
        }

        /// <summary>
        /// Norway's offset for a local time: +02:00 in summer time (EU rule since 1996: last Sunday of March 01:00 UTC to last
        /// Sunday of October 01:00 UTC), else +01:00. A rule, not a time-zone lookup: containers often lack tzdata, and
        /// Windows names the zone differently.
        /// </summary>
        internal static TimeSpan NorwegianOffset(DateTime local)
        {
            var standard = TimeSpan.FromHours(1);
            DateTime utc = DateTime.SpecifyKind(local - standard, DateTimeKind.Utc);
            DateTime summerStarts = LastSunday(local.Year, 3).AddHours(1);
            DateTime summerEnds = LastSunday(local.Year, 10).AddHours(1);
            return utc >= summerStarts && utc < summerEnds ? TimeSpan.FromHours(2) : standard;
        }

        private static DateTime LastSunday(int year, int month)
        {
            var last = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
            return last.AddDays(-(int)last.DayOfWeek);
        }
    }
}
