# A TEST DOUBLE of Microsoft.PowerShell.SecretManagement 1.1.x, for the Pester tests of Connect-Edi2 -Vault/-SecretName
# only (the PowerShell Gallery cannot be reached where the tests run). It is never shipped. Put tests/Modules on
# $env:PSModulePath to use it.
#
# Like the real module, its cmdlets are binary (compiled from the .psm1 on import) in the namespace
# Microsoft.PowerShell.SecretManagement, so that FullyQualifiedErrorIds read exactly as the real ones:
#   Get-Secret -Vault <unknown>   terminating  "Vault not found in registry: <vault>"
#                                 GetSecretVaultNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand  ObjectNotFound
#   Get-Secret <missing secret>   non-terminating  "The secret <name> was not found."
#                                 GetSecretNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand  ObjectNotFound
# Vaults and secrets live in memory in this process: Register-SecretVault (any -ModuleName), Set-Secret, Get-SecretVault,
# Unregister-SecretVault (also forgets the vault's secrets).
@{
    RootModule        = 'Microsoft.PowerShell.SecretManagement.psm1'
    ModuleVersion     = '1.1.2'
    GUID              = '6d4c1b1e-2f0a-4a52-9a55-2c0f3c7e9b11'
    Author            = 'Edi2 tests'
    Description       = 'Test double of Microsoft.PowerShell.SecretManagement 1.1.x with in-memory vaults (Edi2 Pester tests only).'
    PowerShellVersion = '5.1'
    CmdletsToExport   = @('Get-Secret', 'Set-Secret', 'Remove-Secret', 'Get-SecretVault', 'Register-SecretVault', 'Unregister-SecretVault')
    FunctionsToExport = @()
    AliasesToExport   = @()
    VariablesToExport = @()
}
