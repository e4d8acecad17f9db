#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Connect-Edi2 -Vault/-SecretName against tests/Modules/Microsoft.PowerShell.SecretManagement, a test double of
# SecretManagement 1.1.x with in-memory vaults (the Gallery cannot be reached here). tests/Modules is on $env:PSModulePath
# for this file only. Without the module: Connection.Tests.ps1 ('explains that -Vault needs ...').

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $script:SavedModulePath = Use-SecretManagementDouble

    $keys = Join-Path $TestDrive 'keys'
    $null = New-Item -ItemType Directory -Path $keys
    $script:Client = New-FakeNhnClient -ClientId 'vault-client' -OrgNumber '999999999' -Folder $keys
    $script:Jwk = Get-Content -Raw -LiteralPath $script:Client.KeyPath
    $script:PrivateD = ($script:Jwk | ConvertFrom-Json).d
    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $script:Client -Organizations @(@{ orgNumber = '999999999'; herIds = @(8142519) })
    $script:Connect = @{ ClientId = 'vault-client'; Authority = $script:Fake.Issuer; ApiBaseUri = $script:Fake.ApiBaseUri }
    $script:Vault = 'Edi2PesterVault'

    function script:Assert-NoSecretIn([System.Management.Automation.ErrorRecord] $Record) {
        $text = ($Record | Out-String) + $Record.Exception.Message + $Record.ErrorDetails
        $text | Should -Not -Match ([regex]::Escape($script:PrivateD))
    }
}

AfterAll {
    Disconnect-Edi2 -ErrorAction SilentlyContinue
    Remove-SecretManagementDouble $script:SavedModulePath
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
}

Describe 'Connect-Edi2 -Vault/-SecretName' {
    It 'loads SecretManagement from PSModulePath by itself and names a vault that does not exist' {
        Get-Module Microsoft.PowerShell.SecretManagement | Should -BeNullOrEmpty
        $err = $null
        try { Connect-Edi2 @script:Connect -Vault 'NoSuchVault' -SecretName 'edi2-jwk' } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.Key.VaultNotFound'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be 'NoSuchVault'
        $err.Exception.Message | Should -Match "'NoSuchVault'"
        $err.Exception.Message | Should -Match 'Get-SecretVault'
        Get-Module Microsoft.PowerShell.SecretManagement | Should -Not -BeNullOrEmpty
        Get-Edi2Session | Should -BeNullOrEmpty
    }

    Context 'with a vault' {
        BeforeAll {
            Register-SecretVault -Name $script:Vault -ModuleName 'TestVault'
            $members = @{}
            ($script:Jwk | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $members[$_.Name] = [string]$_.Value }
            Set-Secret -Vault $script:Vault -Name 'as-string' -Secret $script:Jwk
            Set-Secret -Vault $script:Vault -Name 'as-securestring' -SecureStringSecret (ConvertTo-SecureString $script:Jwk -AsPlainText -Force)
            Set-Secret -Vault $script:Vault -Name 'as-hashtable' -Secret $members
            Set-Secret -Vault $script:Vault -Name 'as-bytes' -Secret ([System.Text.Encoding]::UTF8.GetBytes($script:Jwk))
            Set-Secret -Vault $script:Vault -Name 'as-credential' -Secret ([pscredential]::new('vault-client', (ConvertTo-SecureString $script:Jwk -AsPlainText -Force)))
            Set-Secret -Vault $script:Vault -Name 'not-a-key' -Secret 'hello'
        }
        AfterEach { Disconnect-Edi2 -ErrorAction SilentlyContinue }

        It 'behaves as SecretManagement 1.1 does (the test double itself)' {
            (Get-Secret -Vault $script:Vault -Name 'as-string') | Should -BeOfType [securestring]
            (Get-Secret -Vault $script:Vault -Name 'as-string' -AsPlainText) | Should -BeExactly $script:Jwk
            (Get-Secret -Vault $script:Vault -Name 'as-securestring' -AsPlainText) | Should -BeExactly $script:Jwk
            $table = Get-Secret -Vault $script:Vault -Name 'as-hashtable'
            $table | Should -BeOfType [hashtable]
            $table['d'] | Should -BeOfType [securestring]
            (Get-Secret -Vault $script:Vault -Name 'as-hashtable' -AsPlainText)['d'] | Should -BeExactly $script:PrivateD
            , (Get-Secret -Vault $script:Vault -Name 'as-bytes') | Should -BeOfType [byte[]]

            $err = $null
            try { Get-Secret -Vault 'NoSuchVault' -Name 'as-string' } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'GetSecretVaultNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeExactly 'Vault not found in registry: NoSuchVault'

            $err = $null
            Get-Secret -Vault $script:Vault -Name 'missing' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'GetSecretNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].Exception.Message | Should -BeExactly 'The secret missing was not found.'
        }

        It 'connects with the key stored as <Kind>' -ForEach @(
            @{ Kind = 'a string'; Secret = 'as-string' }
            @{ Kind = 'a SecureString'; Secret = 'as-securestring' }
            @{ Kind = 'a hashtable of JWK members'; Secret = 'as-hashtable' }
            @{ Kind = 'UTF-8 bytes'; Secret = 'as-bytes' }
            @{ Kind = 'a PSCredential (the JWK as its password)'; Secret = 'as-credential' }
        ) {
            $session = Connect-Edi2 @script:Connect -Vault $script:Vault -SecretName $Secret -PassThru
            $session.ClientId | Should -Be 'vault-client'
            $session.ClientKeyThumbprint | Should -Not -BeNullOrEmpty
            (Get-Edi2Session).ClientKeyThumbprint | Should -Be $session.ClientKeyThumbprint
            Test-Edi2Connection -Quiet | Should -BeTrue
        }

        It 'connects with the same key whichever way it was stored' {
            $thumbprints = foreach ($name in 'as-string', 'as-hashtable', 'as-credential') {
                (Connect-Edi2 @script:Connect -Vault $script:Vault -SecretName $name -PassThru).ClientKeyThumbprint
            }
            @($thumbprints | Select-Object -Unique).Count | Should -Be 1
            $thumbprints[0] | Should -Be (Connect-Edi2 @script:Connect -KeyPath $script:Client.KeyPath -PassThru).ClientKeyThumbprint
        }

        It 'names the vault and the secret that is not there, and no secret' {
            $err = $null
            try { Connect-Edi2 @script:Connect -Vault $script:Vault -SecretName 'missing-secret' } catch { $err = $_ }
            Get-FakeNhnErrorId $err | Should -Be 'Edi2.Key.SecretNotFound'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.TargetObject | Should -Be 'missing-secret'
            $err.Exception.Message | Should -Match "'missing-secret'"
            $err.Exception.Message | Should -Match "'$script:Vault'"
            Assert-NoSecretIn $err
            Get-Edi2Session | Should -BeNullOrEmpty
        }

        It 'names the vault it cannot find, and no secret' {
            $err = $null
            try { Connect-Edi2 @script:Connect -Vault 'OtherVault' -SecretName 'as-string' } catch { $err = $_ }
            Get-FakeNhnErrorId $err | Should -Be 'Edi2.Key.VaultNotFound'
            $err.Exception.Message | Should -Match "'OtherVault'"
            Assert-NoSecretIn $err
        }

        It 'treats a vault name with wildcards as the name of no vault (Get-SecretVault matches it, Get-Secret does not)' {
            $err = $null
            try { Connect-Edi2 @script:Connect -Vault 'Edi2Pester*' -SecretName 'as-string' } catch { $err = $_ }
            Get-FakeNhnErrorId $err | Should -Be 'Edi2.Key.VaultNotFound'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match "'Edi2Pester\*'"
        }

        It 'says which secret is no key, without showing it' {
            $err = $null
            try { Connect-Edi2 @script:Connect -Vault $script:Vault -SecretName 'not-a-key' } catch { $err = $_ }
            Get-FakeNhnErrorId $err | Should -BeLike 'Edi2.Key.*'
            $err.Exception.Message | Should -Match "not-a-key"
            $err.Exception.Message | Should -Not -Match 'hello'
        }
    }
}
