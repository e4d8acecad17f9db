namespace Edi2.PowerShell.Tests.Support;

/// <summary>
/// The public contract (the cmdlet names and parameters the design fixes) as data: a cmdlet may add parameters but not lack these.
/// The rules apply only to cmdlets that exist, so they hold while the cmdlets are being written.
/// </summary>
internal static class Surface
{
    public static readonly IReadOnlyDictionary<string, string[]> Parameters = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        // Session and authentication
        ["Connect-Edi2"] =
        [
            "ClientId", "KeyPath", "Jwk", "Certificate", "CertificateThumbprint", "Vault", "SecretName", "Environment", "Network",
            "Authority", "ApiBaseUri", "ApiVersion", "SourceSystem", "ParentOrganizationNumber", "ChildOrganizationNumber",
            "DPoPKey", "PassThru",
        ],
        ["Disconnect-Edi2"] = ["Session"],
        ["Get-Edi2Session"] = [],
        ["Get-Edi2AccessToken"] = ["AsSecureString", "Decode", "Session"],
        ["Invoke-Edi2Request"] = ["Method", "Path", "Query", "Body", "Raw", "Session"],
        ["Test-Edi2Connection"] = ["Session"],
        ["New-Edi2ClientKey"] = ["Path", "Algorithm"],
        ["Update-Edi2ClientKey"] = ["KeyPath", "Algorithm", "SelfServiceUri", "Session"],

        // Receiving
        ["Get-Edi2Notification"] = ["HerId", "Offset", "First", "Wait", "Timeout", "Session"],
        ["Get-Edi2Message"] = ["Id", "ReceiverHerId", "Session"],
        ["Save-Edi2Message"] = ["Id", "Path", "MarkDownloaded", "ReceiverHerId", "Session"],
        ["Confirm-Edi2Message"] = ["Id", "ReceiverHerId", "Session"],
        ["Receive-Edi2Message"] = ["HerId", "Path", "StatePath", "Session"],
        ["Get-Edi2MessageStatus"] = ["Id", "Session"],

        // Sending
        ["Send-Edi2Message"] = ["Path", "Content", "SenderHerId", "ReceiverHerId", "MessageType", "ApplicationName", "ApplicationVersion", "Session"],
        ["Send-Edi2Receipt"] = ["MessageId", "SenderHerId", "Status", "ErrorCode", "ErrorDetail", "Error", "Session"],

        // Reservations (the ledger's -LedgerPath on every cmdlet that reads or writes it)
        ["Set-Edi2Reservation"] = ["HerId", "RejectMessageFunction", "LedgerPath", "Session"],
        ["Get-Edi2Reservation"] = ["HerId", "Environment", "LedgerPath"],
        ["Remove-Edi2Reservation"] = ["HerId", "DeleteConfiguration", "LedgerPath", "Session"],
    };

    /// <summary>Identity parameters that must take the module's own objects (or their properties) from the pipeline.</summary>
    public static readonly IReadOnlyDictionary<string, string> IdentityParameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Get-Edi2Message"] = "Id",
        ["Save-Edi2Message"] = "Id",
        ["Confirm-Edi2Message"] = "Id",
        ["Get-Edi2MessageStatus"] = "Id",
        ["Set-Edi2Reservation"] = "HerId",
        ["Remove-Edi2Reservation"] = "HerId",
    };

    public static readonly IReadOnlyDictionary<string, string> ConfirmImpacts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Remove-Edi2Reservation"] = "High",
        ["Update-Edi2ClientKey"] = "High",
    };
}
