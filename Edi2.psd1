# A template: the build stamps the version from Directory.Build.props (<ModuleVersion>, <ModulePrerelease>) into
# out/Edi2/Edi2.psd1, the manifest to import and to test (Test-ModuleManifest out/Edi2/Edi2.psd1). This file does not
# validate on its own: '{{ModuleVersion}}' is no version, and the format file and dlls are laid out only in out/Edi2.
@{
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5b7f2d3e-3c1a-4f0e-9d6b-2a8e4c1f7b90'
    Author               = 'Edi2 contributors'
    CompanyName          = 'Edi2'
    Copyright            = '(c) Edi2 contributors. MIT License.'
    Description          = 'PowerShell cmdlets for the Norwegian Health Network (NHN) EDI 2.0 message API, with HelseID client credentials and DPoP.'
    # Edi2.psm1 runs the dependency loader, then imports Edi2.PowerShell.dll. No NestedModules or RequiredAssemblies:
    # PowerShell would load those before the loader runs.
    RootModule           = 'Edi2.psm1'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('Edi2.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-Edi2'
        'Disconnect-Edi2'
        'Get-Edi2Session'
        'Get-Edi2AccessToken'
        'Invoke-Edi2Request'
        'Test-Edi2Connection'
        'New-Edi2ClientKey'
        'Update-Edi2ClientKey'
        'Get-Edi2Notification'
        'Get-Edi2Message'
        'Confirm-Edi2Message'
        'Get-Edi2MessageStatus'
        'Send-Edi2Message'
        'Send-Edi2Receipt'
        'Save-Edi2Message'
        'Receive-Edi2Message'
        'Set-Edi2Reservation'
        'Get-Edi2Reservation'
        'Remove-Edi2Reservation'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('NHN', 'EDI', 'EDI2', 'HelseID', 'DPoP', 'Meldingstjener', 'Health', 'Norway')
            ProjectUri   = 'https://github.com/edi2/edi2-powershell'
            LicenseUri   = 'https://github.com/edi2/edi2-powershell/blob/main/LICENSE'
            Prerelease   = '{{ModulePrerelease}}'
            ReleaseNotes = 'Pre-release 0.1.0: HelseID client credentials with DPoP; EDI 2.0 API v3 (and v2 where it has the operation): notifications, messages, receipts, status, reservations; crash-safe Receive-Edi2Message; local sandbox.'
        }
    }
}
