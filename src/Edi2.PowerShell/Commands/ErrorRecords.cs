using System;
using System.IO;
using System.Reflection;
using System.Management.Automation;
using Edi2.Api;
using Edi2.HelseId;
using Edi2.Workflows;

namespace Edi2.PowerShell.Commands
{
    /// <summary>The one place that turns engine exceptions into ErrorRecords: ErrorId <c>Edi2.&lt;Area&gt;.&lt;Reason&gt;</c>, a real category, the target.</summary>
    internal static class ErrorRecords
    {
        public static bool IsExpected(Exception e) =>
            e is Edi2Exception || e is ArgumentException || e is IOException || e is UnauthorizedAccessException || e is InvalidOperationException;

        public const string UnexpectedId = "Edi2.Unexpected";

        public static ErrorRecord From(Exception e, object? target)
        {
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Count == 1) e = aggregate.InnerExceptions[0];
            if (e is TargetInvocationException { InnerException: Exception inner }) e = inner;
            var (id, category) = Classify(e);
            object? errorTarget = (e as Edi2Exception)?.Target ?? FileErrors.PathOf(e) ?? target;
            var record = new ErrorRecord(e, id, category, errorTarget);
            if (id == UnexpectedId)
            {
                // The exception stays as it is ($_.Exception, with its stack trace); what the user reads says what to do.
                record.ErrorDetails = new ErrorDetails(
                    $"Edi2 did not expect this {e.GetType().FullName}: {e.Message} This is a bug in Edi2: please report it, with this message, " +
                    "$_.ScriptStackTrace, $_.Exception.StackTrace and the -Verbose output of the command.")
                {
                    RecommendedAction = "Report it as a bug in Edi2 (see the message). Running the command again may work.",
                };
            }
            else if (e is ArgumentException { ParamName: string name } && WithoutParameterName(e.Message, name) is string message)
            {
                record.ErrorDetails = new ErrorDetails(message);
            }
            return record;
        }

        // The framework ends an ArgumentException's message with the engine's parameter name (" (Parameter 'path')", or a
        // line "Parameter name: path" on .NET Framework), which is not the cmdlet's: the user reads the message alone.
        private static string? WithoutParameterName(string message, string name)
        {
            foreach (string suffix in new[] { $" (Parameter '{name}')", $"{Environment.NewLine}Parameter name: {name}" })
            {
                if (message.EndsWith(suffix, StringComparison.Ordinal)) return message.Substring(0, message.Length - suffix.Length);
            }
            return null;
        }

        // Errors a cmdlet finds itself, with no engine exception to classify.

        public static ErrorRecord NotConnected() => new ErrorRecord(
            new InvalidOperationException("Not connected to EDI 2.0: run Connect-Edi2 first, or pass -Session."),
            "Edi2.Session.NotConnected", ErrorCategory.ConnectionError, null);

        public static ErrorRecord Disconnected(Edi2Session session) => new ErrorRecord(
            new InvalidOperationException($"The session for client '{session.ClientId}' was disconnected; run Connect-Edi2 again."),
            "Edi2.Session.Disconnected", ErrorCategory.ConnectionError, session);

        public static ErrorRecord NoReservation(int herId, bool filtered) => new ErrorRecord(
            new ItemNotFoundException($"HER-id {herId} has no reservation in the ledger{(filtered ? " matching the filters" : "")}."),
            "Edi2.Reservation.NotFound", ErrorCategory.ObjectNotFound, herId);

        private static (string Id, ErrorCategory Category) Classify(Exception e)
        {
            switch (e)
            {
                case Edi2KeyException key:
                    return ("Edi2." + key.Reason, KeyCategory(key.KeyReason));
                case Edi2AuthenticationException auth:
                    return ("Edi2." + auth.Reason, AuthenticationCategory(auth.AuthenticationReason));
                case Edi2ApiException api:
                    return ("Edi2." + api.Reason, ApiCategory(api.ApiReason));
                case Edi2KeyRotationException rotation:
                    return ("Edi2." + rotation.Reason, RotationCategory(rotation.RotationReason));
                case Edi2WorkflowException workflow:
                    return ("Edi2." + workflow.Reason, WorkflowCategory(workflow.WorkflowReason));
                case Edi2Exception other:
                    return ("Edi2." + other.Reason, ErrorCategory.NotSpecified);
                case FileNotFoundException _:
                case DirectoryNotFoundException _:
                    return ("Edi2.File.NotFound", ErrorCategory.ObjectNotFound);
                case UnauthorizedAccessException _:
                    return ("Edi2.File.AccessDenied", ErrorCategory.PermissionDenied);
                case IOException _:
                    return ("Edi2.File.WriteFailed", ErrorCategory.WriteError);
                case ArgumentException _:
                    return ("Edi2.InvalidArgument", ErrorCategory.InvalidArgument);
                case OperationCanceledException _:
                    return ("Edi2.Stopped", ErrorCategory.OperationStopped);
                case InvalidOperationException _:
                    return ("Edi2.InvalidOperation", ErrorCategory.InvalidOperation);
                default:
                    return (UnexpectedId, UnexpectedCategory(e));
            }
        }

        /// <summary>A category for an exception nobody expected, from what kind of failure it is.</summary>
        private static ErrorCategory UnexpectedCategory(Exception e)
        {
            switch (e)
            {
                case FormatException _:
                case InvalidCastException _:
                case System.Xml.XmlException _:
                    return ErrorCategory.InvalidData;
                case ArithmeticException _:
                    return ErrorCategory.InvalidResult;
                case System.Security.Cryptography.CryptographicException _:
                    return ErrorCategory.SecurityError;
                case NotImplementedException _:
                case NotSupportedException _:
                    return ErrorCategory.NotImplemented;
                case TimeoutException _:
                    return ErrorCategory.OperationTimeout;
                case OutOfMemoryException _:
                    return ErrorCategory.ResourceUnavailable;
            }
            // System.Text.Json lives in the engine's private load context: the cmdlet assembly must not reference it, so by name.
            for (Type? t = e.GetType(); t != null; t = t.BaseType)
            {
                if (t.FullName == "System.Text.Json.JsonException") return ErrorCategory.InvalidData;
            }
            // NullReferenceException, KeyNotFoundException, IndexOutOfRangeException, ...: a state the module did not expect.
            return ErrorCategory.InvalidOperation;
        }

        private static ErrorCategory KeyCategory(KeyErrorReason reason)
        {
            switch (reason)
            {
                case KeyErrorReason.FileNotFound:
                case KeyErrorReason.VaultNotFound:
                case KeyErrorReason.SecretNotFound:
                    return ErrorCategory.ObjectNotFound;
                case KeyErrorReason.FileExists:
                    return ErrorCategory.ResourceExists;
                case KeyErrorReason.WrongPassword:
                    return ErrorCategory.AuthenticationError;
                case KeyErrorReason.SecretManagementMissing:
                    return ErrorCategory.NotInstalled;
                default:
                    return ErrorCategory.InvalidArgument;
            }
        }

        private static ErrorCategory AuthenticationCategory(AuthenticationErrorReason reason)
        {
            switch (reason)
            {
                case AuthenticationErrorReason.ConnectionFailed:
                case AuthenticationErrorReason.Timeout:
                    return ErrorCategory.ConnectionError;
                case AuthenticationErrorReason.DiscoveryFailed:
                case AuthenticationErrorReason.UnexpectedResponse:
                    return ErrorCategory.ResourceUnavailable;
                case AuthenticationErrorReason.TestTokenNotForProduction:
                    return ErrorCategory.InvalidArgument;
                default:
                    return ErrorCategory.AuthenticationError;
            }
        }

        private static ErrorCategory WorkflowCategory(WorkflowErrorReason reason)
        {
            switch (reason)
            {
                case WorkflowErrorReason.StateLocked:
                case WorkflowErrorReason.LedgerLocked:
                    return ErrorCategory.ResourceBusy;
                case WorkflowErrorReason.StateCorrupt:
                case WorkflowErrorReason.LedgerCorrupt:
                    return ErrorCategory.InvalidData;
                case WorkflowErrorReason.StateMismatch:
                case WorkflowErrorReason.OtherClient:
                    return ErrorCategory.InvalidOperation;
                case WorkflowErrorReason.LedgerNotUpdated:
                    return ErrorCategory.WriteError;
                default:
                    return ErrorCategory.InvalidArgument;
            }
        }

        private static ErrorCategory RotationCategory(KeyRotationErrorReason reason)
        {
            switch (reason)
            {
                case KeyRotationErrorReason.NotRotatable: return ErrorCategory.InvalidOperation;
                case KeyRotationErrorReason.NoSelfServiceScope: return ErrorCategory.PermissionDenied;
                case KeyRotationErrorReason.Unreachable: return ErrorCategory.ConnectionError;
                case KeyRotationErrorReason.Unfinished: return ErrorCategory.ResourceUnavailable;
                case KeyRotationErrorReason.NotSaved: return ErrorCategory.WriteError;
                default: return ErrorCategory.SecurityError;
            }
        }

        private static ErrorCategory ApiCategory(ApiErrorReason reason)
        {
            switch (reason)
            {
                case ApiErrorReason.Forbidden: return ErrorCategory.PermissionDenied;
                case ApiErrorReason.Redirected: return ErrorCategory.SecurityError;
                case ApiErrorReason.Locked: return ErrorCategory.ResourceBusy;
                case ApiErrorReason.NotFound: return ErrorCategory.ObjectNotFound;
                case ApiErrorReason.Unauthorized: return ErrorCategory.AuthenticationError;
                case ApiErrorReason.BadRequest: return ErrorCategory.InvalidArgument;
                case ApiErrorReason.TooLarge: return ErrorCategory.LimitsExceeded;
                case ApiErrorReason.InvalidDocument: return ErrorCategory.InvalidData;
                case ApiErrorReason.ConnectionFailed:
                case ApiErrorReason.Timeout:
                case ApiErrorReason.Incomplete:
                    return ErrorCategory.ConnectionError;
                case ApiErrorReason.NotSupportedInVersion: return ErrorCategory.NotImplemented;
                default: return ErrorCategory.ResourceUnavailable;
            }
        }
    }
}
