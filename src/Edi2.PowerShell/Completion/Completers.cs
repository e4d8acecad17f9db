using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Edi2.PowerShell.Commands;
using Edi2.Workflows;

namespace Edi2.PowerShell.Completion
{
    /// <summary>
    /// What the completers share. A completer never throws, never contacts NHN and only reads what is at hand: the
    /// session's <see cref="SessionHistory"/>, the local reservation ledger, SecretManagement's own vault list.
    /// </summary>
    internal static class CompletionSupport
    {
        /// <summary>What was typed, without the quotes around it.</summary>
        public static string Word(string? wordToComplete) => (wordToComplete ?? "").Trim().Trim('\'', '"');

        /// <summary>-Session already on the line (a variable PowerShell could evaluate), else the runspace's default session.</summary>
        public static Edi2Session? Session(IDictionary? fakeBoundParameters)
        {
            try
            {
                if (fakeBoundParameters != null && fakeBoundParameters.Contains("Session")
                    && ParameterValues.Unwrap(fakeBoundParameters["Session"]) is Edi2Session bound)
                {
                    return bound;
                }
                return DefaultSession.Get();
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>A tooltip PowerShell accepts (never empty).</summary>
        public static CompletionResult Result(string text, string tooltip) =>
            new CompletionResult(text, text, CompletionResultType.ParameterValue, string.IsNullOrWhiteSpace(tooltip) ? text : tooltip);

        /// <summary>The provider path of a path typed on the line, as the cmdlet would resolve it (PowerShell's location, ~, drives).</summary>
        public static string? TypedPath(IDictionary? fakeBoundParameters, string name)
        {
            if (fakeBoundParameters is null || !fakeBoundParameters.Contains(name)) return null;
            if (!(ParameterValues.Unwrap(fakeBoundParameters[name]) is string typed) || string.IsNullOrWhiteSpace(typed)) return null;
            try
            {
                using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    ps.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)", useLocalScope: true).AddArgument(typed);
                    var resolved = ps.Invoke();
                    if (resolved.Count == 1 && resolved[0]?.BaseObject is string path) return path;
                }
            }
            catch (Exception)
            {
            }
            return Path.IsPathRooted(typed) ? typed : null;
        }
    }

    /// <summary>
    /// HER-ids for <c>-HerId</c> (and <c>-ReceiverHerId</c>/<c>-SenderHerId</c> where they name one of the user's own):
    /// those this session used, newest first, then those in the reservation ledger (the default one, or the
    /// <c>-LedgerPath</c> typed on the line), the session's client first. Only those starting with what was typed.
    /// </summary>
    public sealed class Edi2HerIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            try
            {
                string word = CompletionSupport.Word(wordToComplete);
                var seen = new HashSet<int>();
                var session = CompletionSupport.Session(fakeBoundParameters);
                void Offer(int herId, string tooltip)
                {
                    string text = herId.ToString(CultureInfo.InvariantCulture);
                    if (text.StartsWith(word, StringComparison.Ordinal) && seen.Add(herId)) results.Add(CompletionSupport.Result(text, tooltip));
                }

                var history = SessionHistory.Find(session);
                if (history != null)
                {
                    foreach (var used in history.RecentHerIds()) Offer(used.Key, $"{used.Key}: {used.Value} (this session, client '{session!.ClientId}')");
                }
                foreach (var reservation in Ledger(fakeBoundParameters)
                    .OrderBy(r => session != null && r.ClientId == session.ClientId && r.Environment == session.Environment ? 0 : 1)
                    .ThenBy(r => r.HerId))
                {
                    Offer(reservation.HerId, $"{reservation.HerId}: reserved for client '{reservation.ClientId}' ({reservation.Environment}) " +
                        $"since {reservation.ReservedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}; ledger {reservation.LedgerPath}");
                }
            }
            catch (Exception)
            {
                // Completion offers what it can and never fails the line being typed.
            }
            return results;
        }

        private static IReadOnlyList<Edi2.Model.Edi2Reservation> Ledger(IDictionary fakeBoundParameters)
        {
            try
            {
                string? path = CompletionSupport.TypedPath(fakeBoundParameters, "LedgerPath");
                string file = path ?? ReservationLedger.DefaultPath;
                if (!File.Exists(file)) return Array.Empty<Edi2.Model.Edi2Reservation>();
                return new ReservationLedger(file).Read();
            }
            catch (Exception)
            {
                return Array.Empty<Edi2.Model.Edi2Reservation>(); // no ledger folder, or a ledger that cannot be read
            }
        }
    }

    /// <summary>
    /// Message ids for <c>-Id</c>/<c>-MessageId</c>: those this session has seen (notifications, messages, saved, sent,
    /// receipts, statuses), newest first, only those starting with what was typed.
    /// </summary>
    public sealed class Edi2MessageIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            try
            {
                string word = CompletionSupport.Word(wordToComplete);
                var history = SessionHistory.Find(CompletionSupport.Session(fakeBoundParameters));
                if (history is null) return results;
                foreach (var seen in history.RecentMessages())
                {
                    string text = seen.Key.ToString("D");
                    if (text.StartsWith(word, StringComparison.OrdinalIgnoreCase)) results.Add(CompletionSupport.Result(text, $"{text}: {seen.Value}"));
                }
            }
            catch (Exception)
            {
            }
            return results;
        }
    }

    /// <summary>
    /// SecretManagement vault names for Connect-Edi2 <c>-Vault</c>, from
    /// <c>Microsoft.PowerShell.SecretManagement\Get-SecretVault</c> where that module is installed; nothing where it is not.
    /// </summary>
    public sealed class Edi2VaultCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            try
            {
                string word = CompletionSupport.Word(wordToComplete);
                var pattern = new WildcardPattern(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
                using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    // Without the module: no such command, an empty answer, no error left in $Error.
                    ps.AddScript(
                        "if (Get-Command -Name Get-SecretVault -Module Microsoft.PowerShell.SecretManagement -ErrorAction Ignore) " +
                        "{ Microsoft.PowerShell.SecretManagement\\Get-SecretVault -ErrorAction Ignore }", useLocalScope: true);
                    foreach (var vault in ps.Invoke())
                    {
                        if (vault is null) continue;
                        string? name = vault.Properties["Name"]?.Value?.ToString();
                        if (string.IsNullOrEmpty(name) || !pattern.IsMatch(name)) continue;
                        string module = vault.Properties["ModuleName"]?.Value?.ToString() ?? "";
                        bool isDefault = vault.Properties["IsDefault"]?.Value is bool d && d;
                        string text = name!.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', ',', '@', '#' }) >= 0
                            ? "'" + name.Replace("'", "''") + "'"
                            : name;
                        results.Add(new CompletionResult(text, name, CompletionResultType.ParameterValue,
                            $"SecretManagement vault '{name}'" + (module.Length > 0 ? $" (module {module})" : "") + (isDefault ? ", the default vault" : "")));
                    }
                }
            }
            catch (Exception)
            {
            }
            return results;
        }
    }
}
