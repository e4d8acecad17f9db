using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edi2.Workflows
{
    /// <summary>
    /// What a receive state file holds: the offset of the last notification handled, and what it was read for
    /// (client id, environment, API base, HER-ids), so that a state file is never used for anything else.
    /// </summary>
    public sealed class ReceiveState
    {
        public int Version { get; set; } = 1;

        /// <summary>The offset of the last notification handled; the next run asks for newer ones.</summary>
        public long Offset { get; set; }

        public string ClientId { get; set; } = "";

        public string Environment { get; set; } = "";

        public string ApiBaseUri { get; set; } = "";

        public int[] HerIds { get; set; } = Array.Empty<int>();

        public DateTimeOffset UpdatedAt { get; set; }
    }

    /// <summary>Reads and writes a state file atomically (temporary file, flush, rename).</summary>
    internal static class ReceiveStateFile
    {
        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };

        public static ReceiveState? Read(string path)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (Exception e) when (FileErrors.Name(e, path))
            {
                throw;
            }
            ReceiveState? state;
            try
            {
                state = JsonSerializer.Deserialize<ReceiveState>(bytes, Json);
            }
            catch (JsonException e)
            {
                throw Corrupt(path, e.Message, e);
            }
            if (state is null) throw Corrupt(path, "it holds null", null);
            if (state.Offset < 0) throw Corrupt(path, $"its offset {state.Offset} is negative", null);
            if (string.IsNullOrEmpty(state.ClientId)) throw Corrupt(path, "it names no client id", null);
            return state;
        }

        /// <summary>
        /// Removes temporary copies of the state file that a killed run left (<c>.&lt;state&gt;.&lt;random&gt;.tmp</c>, from
        /// <see cref="AtomicFile.WriteAllBytes"/>). Only with the state's lock held: then no other run is writing one.
        /// </summary>
        public static void RemoveTemporaries(string path)
        {
            string folder = Path.GetDirectoryName(path) ?? ".";
            string[] left;
            try
            {
                left = Directory.GetFiles(folder, "." + Path.GetFileName(path) + ".*.tmp");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return;
            }
            foreach (string temporary in left) AtomicFile.TryDelete(temporary);
        }

        public static void Write(string path, ReceiveState state)
        {
            try
            {
                AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(state, Json));
            }
            catch (Exception e) when (FileErrors.Name(e, path))
            {
                throw;
            }
        }

        private static Edi2WorkflowException Corrupt(string path, string why, Exception? inner) =>
            new Edi2WorkflowException(WorkflowErrorReason.StateCorrupt,
                $"The receive state file '{path}' cannot be read ({why}); it was left as it is. Repair its offset by hand, " +
                "or move it away to start again from offset 0 (nothing is lost, but messages whose files are no longer in the folder are downloaded again).",
                path, inner);
    }
}
