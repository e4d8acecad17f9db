#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Update-Edi2ClientKey end to end against the fake NHN (HelseID + self-service POST /v1/client-secret), through the
# built module. The fake's rule: a registered new key replaces the client's old one at once. Vault cases use the
# SecretManagement test double in tests/Modules (on $env:PSModulePath for this file only).

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $script:SavedModulePath = Use-SecretManagementDouble

    $script:Keys = Join-Path $TestDrive 'keys'
    $null = New-Item -ItemType Directory -Path $script:Keys
    $selfService = @('nhn:msh/api', 'nhn:selvbetjening/client')
    $script:Clients = @{}
    foreach ($id in 'rot-whatif', 'rot-file', 'rot-crash', 'rot-pending', 'rot-vault') {
        $client = New-FakeNhnClient -ClientId $id -OrgNumber '999999999' -Folder $script:Keys
        $client.Seed.scopes = $selfService
        $script:Clients[$id] = $client
    }
    $script:Clients['rot-noscope'] = New-FakeNhnClient -ClientId 'rot-noscope' -OrgNumber '999999999' -Folder $script:Keys

    # A certificate client (with the self-service scope: the refusal is Edi2's, not HelseID's).
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Edi2 Rotation', $rsa,
        [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $script:Certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
    $p = $rsa.ExportParameters($false)
    $b64 = { param($bytes) [Convert]::ToBase64String($bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    $certClient = [pscustomobject]@{ ClientId = 'rot-cert'; Seed = [ordered]@{ clientId = 'rot-cert'; orgNumber = '999999999'
        publicJwk = [pscustomobject]@{ kty = 'RSA'; n = (& $b64 $p.Modulus); e = (& $b64 $p.Exponent) }; heridClaim = '0'; scopes = $selfService } }

    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients (@($script:Clients.Values) + $certClient) -Organizations @(@{ orgNumber = '999999999'; herIds = @(8142519) })
    $script:Endpoints = @{ Authority = $script:Fake.Issuer; ApiBaseUri = $script:Fake.ApiBaseUri }
    $script:SelfService = $script:Fake.ApiBaseUri

    function script:Get-KeyFiles([string] $KeyPath) {
        @(Get-ChildItem -LiteralPath (Split-Path $KeyPath) -Force | Where-Object Name -like "$(Split-Path $KeyPath -Leaf)*" | ForEach-Object Name | Sort-Object)
    }
    function script:Assert-OwnerOnly([string] $Path) {
        if ($IsLinux -or $IsMacOS) { (Get-Item -LiteralPath $Path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
        else {
            $rules = @((Get-Acl -LiteralPath $Path).Access)
            $rules.Count | Should -Be 1
            $rules[0].IdentityReference.Value | Should -Be ([System.Security.Principal.WindowsIdentity]::GetCurrent().Name)
        }
    }
}

AfterAll {
    Disconnect-Edi2 -ErrorAction SilentlyContinue
    Remove-SecretManagementDouble $script:SavedModulePath
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
}

Describe 'Update-Edi2ClientKey' {
    AfterEach { Disconnect-Edi2 -ErrorAction SilentlyContinue }

    It 'is ConfirmImpact High and changes nothing under -WhatIf' {
        (Get-Command Update-Edi2ClientKey).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
        $key = $script:Clients['rot-whatif'].KeyPath
        $before = Get-FileHash -LiteralPath $key
        Connect-Edi2 -ClientId 'rot-whatif' -KeyPath $key @script:Endpoints
        $out = Update-Edi2ClientKey -SelfServiceUri $script:SelfService -WhatIf
        $out | Should -BeNullOrEmpty
        (Get-FileHash -LiteralPath $key).Hash | Should -Be $before.Hash
        Get-KeyFiles $key | Should -Be @(Split-Path $key -Leaf)
        Test-Edi2Connection | Should -Not -BeNullOrEmpty
    }

    It 'registers a new key, replaces the file, keeps an owner-only backup, and the session and a new connection use the new key' {
        $key = $script:Clients['rot-file'].KeyPath
        $old = Get-Content -Raw -LiteralPath $key
        $session = Connect-Edi2 -ClientId 'rot-file' -KeyPath $key @script:Endpoints -PassThru
        $oldThumbprint = $session.ClientKeyThumbprint

        $all = @(Update-Edi2ClientKey -SelfServiceUri $script:SelfService -Algorithm ES256 -Confirm:$false -Verbose -Debug 4>&1 5>&1)
        $result = @($all | Where-Object { $_ -is [Edi2.Model.Edi2ClientKeyRotation] })[0]
        $traces = ($all | Where-Object { $_ -isnot [Edi2.Model.Edi2ClientKeyRotation] } | ForEach-Object Message) -join "`n"
        $traces | Should -Match 'POST .*v1/client-secret' -Because 'the exchange with self-service is traced'
        foreach ($secret in ($old | ConvertFrom-Json).d, ((Get-Content -Raw -LiteralPath $key) | ConvertFrom-Json).d) {
            $traces | Should -Not -Match ([regex]::Escape($secret)) -Because 'no private key in verbose or debug output'
            ($result | ConvertTo-Json) | Should -Not -Match ([regex]::Escape($secret))
        }
        $traces | Should -Not -Match 'eyJ[A-Za-z0-9_-]{20,}\.' -Because 'no token, proof or assertion either'

        $result | Should -BeOfType ([Edi2.Model.Edi2ClientKeyRotation])
        $result.PreviousThumbprint | Should -Be $oldThumbprint
        $result.Thumbprint | Should -Not -Be $oldThumbprint
        $result.KeyId | Should -Match '^[0-9a-f]{32}$'
        $result.Algorithm | Should -Be 'ES256'
        $result.Expiration | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(300))
        $result.Path | Should -Be $key
        Get-Content -Raw -LiteralPath $result.BackupPath | Should -BeExactly $old
        Assert-OwnerOnly $key
        Assert-OwnerOnly $result.BackupPath
        Get-KeyFiles $key | Should -Be @((Split-Path $key -Leaf), (Split-Path $result.BackupPath -Leaf))

        # The session switched (it fetched a new token with the new key: the old one is no longer registered).
        $session.ClientKeyThumbprint | Should -Be $result.Thumbprint
        Test-Edi2Connection | Should -Not -BeNullOrEmpty
        Disconnect-Edi2
        (Connect-Edi2 -ClientId 'rot-file' -KeyPath $key @script:Endpoints -PassThru).ClientKeyThumbprint | Should -Be $result.Thumbprint
        Disconnect-Edi2

        # The fake's rule: the old key stopped working.
        $err = $null
        try { Connect-Edi2 -ClientId 'rot-file' -KeyPath $result.BackupPath @script:Endpoints } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.Authentication.InvalidClient'
    }

    It 'shows the result as a list that fits 80 columns' {
        $key = $script:Clients['rot-crash'].KeyPath
        Connect-Edi2 -ClientId 'rot-crash' -KeyPath $key @script:Endpoints
        $result = Update-Edi2ClientKey -SelfServiceUri $script:SelfService -Algorithm ES256 -Confirm:$false
        $text = $result | Out-String -Width 80
        foreach ($name in 'Thumbprint', 'KeyId', 'Algorithm', 'Expiration', 'Path', 'BackupPath') { $text | Should -Match "(?m)^$name\s+: \S" }
        $text | Should -Match ([regex]::Escape($result.Thumbprint))
        $text | Should -Not -Match '"d"'
    }

    It 'finishes an interrupted rotation on the next Connect-Edi2, and rolls back one the server never took' {
        # Finished: self-service has the new key, the file still the old one, the new key pending (a crash after the yes).
        $key = $script:Clients['rot-pending'].KeyPath
        $old = Get-Content -Raw -LiteralPath $key
        Connect-Edi2 -ClientId 'rot-pending' -KeyPath $key @script:Endpoints
        $result = Update-Edi2ClientKey -SelfServiceUri $script:SelfService -Algorithm ES256 -Confirm:$false
        Disconnect-Edi2
        Move-Item -LiteralPath $key -Destination "$key.pending"
        Set-Content -LiteralPath $key -Value $old -NoNewline
        Remove-Item -LiteralPath $result.BackupPath

        $session = Connect-Edi2 -ClientId 'rot-pending' -KeyPath $key @script:Endpoints -PassThru -WarningVariable warned 3>$null
        "$warned" | Should -Match 'interrupted key rotation .* was finished'
        $session.ClientKeyThumbprint | Should -Be $result.Thumbprint
        Test-Path -LiteralPath "$key.pending" | Should -BeFalse
        Disconnect-Edi2

        # Rolled back: a pending key HelseID never saw.
        $current = Get-FileHash -LiteralPath $key
        $null = New-Edi2ClientKey -Path "$key.pending" -Algorithm ES256
        Connect-Edi2 -ClientId 'rot-pending' -KeyPath $key @script:Endpoints -WarningVariable warned 3>$null
        "$warned" | Should -Match 'was rolled back'
        Test-Path -LiteralPath "$key.pending" | Should -BeFalse
        (Get-FileHash -LiteralPath $key).Hash | Should -Be $current.Hash
    }

    It 'refuses for a client without the self-service scope, leaves the key untouched and says what to do' {
        $key = $script:Clients['rot-noscope'].KeyPath
        $before = Get-FileHash -LiteralPath $key
        Connect-Edi2 -ClientId 'rot-noscope' -KeyPath $key @script:Endpoints
        $err = $null
        try { Update-Edi2ClientKey -SelfServiceUri $script:SelfService -Confirm:$false } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.KeyRotation.NoSelfServiceScope'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $printed = ($err | Out-String) -replace '\s*\|\s*', ' ' -replace '\s+', ' '
        $printed | Should -Match 'Update-Edi2ClientKey: '
        $printed | Should -Match "client 'rot-noscope' no token for nhn:selvbetjening/client"
        $printed | Should -Match 'The key is unchanged'
        (Get-FileHash -LiteralPath $key).Hash | Should -Be $before.Hash
        Get-KeyFiles $key | Should -Be @(Split-Path $key -Leaf)
        Test-Edi2Connection | Should -Not -BeNullOrEmpty
    }

    It 'says what to do when self-service cannot be reached, and leaves the key untouched' {
        $key = $script:Clients['rot-whatif'].KeyPath
        $before = (Get-FileHash -LiteralPath $key).Hash
        Connect-Edi2 -ClientId 'rot-whatif' -KeyPath $key @script:Endpoints
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $closed = $listener.LocalEndpoint.Port; $listener.Stop()
        $err = $null
        try { Update-Edi2ClientKey -SelfServiceUri "http://127.0.0.1:$closed/" -Algorithm ES256 -Confirm:$false } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.KeyRotation.Unreachable'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match "could not be reached"
        $err.Exception.Message | Should -Match '-SelfServiceUri'
        (Get-FileHash -LiteralPath $key).Hash | Should -Be $before
        Get-KeyFiles $key | Should -Be @(Split-Path $key -Leaf)
        Test-Edi2Connection | Should -Not -BeNullOrEmpty
    }

    It 'tells a certificate client to rotate the certificate in self-service' {
        Connect-Edi2 -ClientId 'rot-cert' -Certificate $script:Certificate @script:Endpoints
        $err = $null
        try { Update-Edi2ClientKey -SelfServiceUri $script:SelfService -Confirm:$false } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.KeyRotation.NotRotatable'
        $err.Exception.Message | Should -Match 'rotate the certificate in HelseID self-service'
        ($err | Out-String) | Should -Match 'Update-Edi2ClientKey: '
    }

    It 'rotates a key kept in a SecretManagement vault with Set-Secret after the yes' {
        $vault = 'Edi2RotationVault'
        Register-SecretVault -Name $vault -ModuleName 'TestVault'
        $jwk = Get-Content -Raw -LiteralPath $script:Clients['rot-vault'].KeyPath
        $members = @{}
        ($jwk | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $members[$_.Name] = [string]$_.Value }
        Set-Secret -Vault $vault -Name 'client-key' -Secret $members

        $session = Connect-Edi2 -ClientId 'rot-vault' -Vault $vault -SecretName 'client-key' @script:Endpoints -PassThru
        $result = Update-Edi2ClientKey -SelfServiceUri $script:SelfService -Algorithm ES256 -Confirm:$false

        $result.Path | Should -Be "secret 'client-key' in vault '$vault'"
        $result.BackupPath | Should -Match "^secret 'client-key\.\d{8}-\d{6}\.bak' in vault '$vault'$"
        $new = Get-Secret -Vault $vault -Name 'client-key' -AsPlainText
        $new | Should -BeOfType [string]
        ($new | ConvertFrom-Json).d | Should -Not -Be $members['d']
        $backupName = $result.BackupPath -replace "^secret '([^']+)'.*$", '$1'
        ((Get-Secret -Vault $vault -Name $backupName -AsPlainText | ConvertFrom-Json).d) | Should -Be $members['d']
        $pending = $null
        try { $pending = Get-Secret -Vault $vault -Name 'client-key.pending' -ErrorAction Stop } catch { }
        $pending | Should -BeNullOrEmpty
        $session.ClientKeyThumbprint | Should -Be $result.Thumbprint
        Disconnect-Edi2
        (Connect-Edi2 -ClientId 'rot-vault' -Vault $vault -SecretName 'client-key' @script:Endpoints -PassThru).ClientKeyThumbprint | Should -Be $result.Thumbprint
        Disconnect-Edi2

        # A crash after the yes, in the vault: the old key current, the new one pending. Connect-Edi2 -Vault finishes it.
        Set-Secret -Vault $vault -Name 'client-key.pending' -Secret $new
        Set-Secret -Vault $vault -Name 'client-key' -Secret $members
        $again = Connect-Edi2 -ClientId 'rot-vault' -Vault $vault -SecretName 'client-key' @script:Endpoints -PassThru -WarningVariable warned 3>$null
        "$warned" | Should -Match "interrupted key rotation of secret 'client-key' in vault '$vault' was finished"
        $again.ClientKeyThumbprint | Should -Be $result.Thumbprint
        (Get-Secret -Vault $vault -Name 'client-key' -AsPlainText | ConvertFrom-Json).d | Should -Be ($new | ConvertFrom-Json).d
        $pending = $null
        try { $pending = Get-Secret -Vault $vault -Name 'client-key.pending' -ErrorAction Stop } catch { }
        $pending | Should -BeNullOrEmpty
    }
}

# Process.Kill(entireProcessTree) and ProcessStartInfo.ArgumentList are .NET Core's: PowerShell 7 only.
Describe 'Update-Edi2ClientKey killed half way (a real process, killed)' -Skip:($PSVersionTable.PSEdition -eq 'Desktop') {
    BeforeAll {
        $folder = Join-Path $TestDrive 'kill'
        $null = New-Item -ItemType Directory -Path $folder
        $script:KillClients = @{}
        foreach ($id in 'kill-after-yes', 'kill-before-yes') {
            $client = New-FakeNhnClient -ClientId $id -OrgNumber '999999999' -Folder $folder
            $client.Seed.scopes = @('nhn:msh/api', 'nhn:selvbetjening/client')
            $script:KillClients[$id] = $client
        }
        # Self-service registers the key at once, then holds its answer for a minute: the window to kill the client in.
        $script:SlowFake = Start-FakeNhn -Folder $folder -Clients @($script:KillClients.Values) -Organizations @(@{ orgNumber = '999999999'; herIds = @(8142519) }) `
            -Arguments '--self-service-answer-delay', '60'
        $script:SlowEndpoints = @{ Authority = $script:SlowFake.Issuer; ApiBaseUri = $script:SlowFake.ApiBaseUri }

        # A child pwsh that connects and rotates; returns the process (its output goes to a file, for the failure message).
        function script:Start-Rotation([string] $ClientId, [string] $KeyPath, [string] $SelfServiceUri) {
            $script = @"
Import-Module '$($ModuleManifest.Replace("'", "''"))' -ErrorAction Stop
Connect-Edi2 -ClientId '$ClientId' -KeyPath '$($KeyPath.Replace("'", "''"))' -Authority '$($script:SlowFake.Issuer)' -ApiBaseUri '$($script:SlowFake.ApiBaseUri)' -ErrorAction Stop
Update-Edi2ClientKey -SelfServiceUri '$SelfServiceUri' -Algorithm ES256 -Confirm:`$false -ErrorAction Stop
"@
            $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($script))
            $startInfo = [System.Diagnostics.ProcessStartInfo]::new($CurrentPowerShell.FilePath)
            foreach ($a in @($CurrentPowerShell.Arguments) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)) { $startInfo.ArgumentList.Add($a) }
            $startInfo.UseShellExecute = $false
            $startInfo.RedirectStandardOutput = $true
            $startInfo.RedirectStandardError = $true
            [System.Diagnostics.Process]::Start($startInfo)
        }

        function script:Wait-Until([scriptblock] $Condition, [string] $Because, $Process) {
            $deadline = [DateTime]::UtcNow.AddSeconds(50)
            while (-not (& $Condition)) {
                if ($Process.HasExited) { throw "The rotating process ended (exit $($Process.ExitCode)) before $Because`n$($Process.StandardError.ReadToEnd())" }
                if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for $Because" }
                Start-Sleep -Milliseconds 100
            }
        }

        function script:Test-Connects([string] $ClientId, [string] $KeyPath) {
            try {
                $s = Connect-Edi2 -ClientId $ClientId -KeyPath $KeyPath @script:SlowEndpoints -PassThru -ErrorAction Stop -WarningAction SilentlyContinue
                Disconnect-Edi2 -Session $s
                $true
            } catch { $false }
        }
    }

    AfterAll {
        if ($script:SlowFake) { Stop-FakeNhn -Fake $script:SlowFake }
    }

    It 'killed after the server''s yes, before the file was replaced: the next Connect-Edi2 finishes the rotation' {
        $client = $script:KillClients['kill-after-yes']
        $key = $client.KeyPath
        $before = (Get-FileHash -LiteralPath $key).Hash
        $child = Start-Rotation -ClientId $client.ClientId -KeyPath $key -SelfServiceUri $script:SlowFake.ApiBaseUri
        try {
            # Self-service has the new key (a token with the pending key works) while its answer is held back.
            Wait-Until -Process $child -Because 'the pending key to be registered' -Condition {
                (Test-Path -LiteralPath "$key.pending") -and (Test-Connects $client.ClientId "$key.pending")
            }
        } finally {
            $child.Kill($true)
            $null = $child.WaitForExit(10000)
        }
        (Get-FileHash -LiteralPath $key).Hash | Should -Be $before -Because 'the kill came before the replace'
        $copy = Join-Path $TestDrive 'old-key-alone.jwk' # no pending file beside it, so no recovery
        Copy-Item -LiteralPath $key -Destination $copy
        Test-Connects $client.ClientId $copy | Should -BeFalse -Because 'the fake replaced the old key: without recovery the client would be locked out'

        $session = Connect-Edi2 -ClientId $client.ClientId -KeyPath $key @script:SlowEndpoints -PassThru -WarningVariable warned 3>$null
        "$warned" | Should -Match 'interrupted key rotation .* was finished'
        Test-Path -LiteralPath "$key.pending" | Should -BeFalse
        (Get-FileHash -LiteralPath $key).Hash | Should -Not -Be $before
        @(Get-ChildItem -LiteralPath (Split-Path $key) -Filter "$(Split-Path $key -Leaf).*.bak") | Should -HaveCount 1
        Test-Edi2Connection -Session $session | Should -Not -BeNullOrEmpty
        Disconnect-Edi2 -Session $session
    }

    It 'killed while the POST hung before self-service had it: the next Connect-Edi2 rolls the rotation back' {
        $client = $script:KillClients['kill-before-yes']
        $key = $client.KeyPath
        $before = (Get-FileHash -LiteralPath $key).Hash
        # Self-service that takes the connection and never reads or answers.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $accepted = $listener.AcceptTcpClientAsync()
        $child = Start-Rotation -ClientId $client.ClientId -KeyPath $key -SelfServiceUri "http://127.0.0.1:$($listener.LocalEndpoint.Port)/"
        try {
            Wait-Until -Process $child -Because 'the POST to reach the silent self-service' -Condition { (Test-Path -LiteralPath "$key.pending") -and $accepted.IsCompleted }
        } finally {
            $child.Kill($true)
            $null = $child.WaitForExit(10000)
            if ($accepted.IsCompleted) { $accepted.Result.Dispose() }
            $listener.Stop()
        }
        (Get-FileHash -LiteralPath $key).Hash | Should -Be $before

        Connect-Edi2 -ClientId $client.ClientId -KeyPath $key @script:SlowEndpoints -WarningVariable warned 3>$null
        "$warned" | Should -Match 'was rolled back'
        Test-Path -LiteralPath "$key.pending" | Should -BeFalse
        (Get-FileHash -LiteralPath $key).Hash | Should -Be $before
        Test-Edi2Connection | Should -Not -BeNullOrEmpty
        Disconnect-Edi2
    }
}
