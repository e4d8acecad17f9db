#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Connect-Edi2 and the other session cmdlets against the fake NHN, through the built module in out/Edi2.

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $script:Keys = Join-Path $TestDrive 'keys'
    New-Item -ItemType Directory -Path $script:Keys | Out-Null
    $script:RsaKey = New-Edi2ClientKey -Path (Join-Path $script:Keys 'rsa.json') -Algorithm PS256
    $script:EcKey = New-Edi2ClientKey -Path (Join-Path $script:Keys 'ec.json') -Algorithm ES256
    $script:OtherKey = New-Edi2ClientKey -Path (Join-Path $script:Keys 'other.json') -Algorithm ES256

    # A certificate whose public key is registered for its own client.
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Edi2 Pester', $rsa,
        [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $script:Certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
    $p = $rsa.ExportParameters($false)
    $b64 = { param($bytes) [Convert]::ToBase64String($bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    $certJwk = [pscustomobject]@{ kty = 'RSA'; n = (& $b64 $p.Modulus); e = (& $b64 $p.Exponent) }

    $client = { param($id, $jwk) [pscustomobject]@{ ClientId = $id; Seed = [ordered]@{ clientId = $id; orgNumber = '999999999'; publicJwk = $jwk; heridClaim = '0' } } }
    $clients = @(
        (& $client 'rsa-client' ($script:RsaKey.PublicJwk | ConvertFrom-Json))
        (& $client 'ec-client' ($script:EcKey.PublicJwk | ConvertFrom-Json))
        (& $client 'cert-client' $certJwk)
    )
    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $clients -Organizations @(
        [ordered]@{ orgNumber = '999999999'; herIds = @(8142519, 8142520); parentOrgNumber = $null }
    )
    $script:Endpoints = @{ Authority = $script:Fake.Issuer; ApiBaseUri = $script:Fake.ApiBaseUri }
}

AfterAll {
    Disconnect-Edi2 -ErrorAction SilentlyContinue
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    Remove-Module Edi2 -ErrorAction SilentlyContinue
}

Describe 'Connect-Edi2 key sources' {
    AfterEach { Disconnect-Edi2 }

    It 'connects with -KeyPath (RSA) and makes the session the default' {
        Connect-Edi2 -ClientId rsa-client -KeyPath $script:RsaKey.Path @script:Endpoints
        $session = Get-Edi2Session
        $session.ClientId | Should -Be 'rsa-client'
        $session.ApiVersion | Should -Be 3
        $session.TokenExpiresAt | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        $session.ClientKeyThumbprint | Should -Be $script:RsaKey.Thumbprint
    }

    It 'signs proofs with a fresh ES256 key by default and with the client key on -DPoPKey ClientKey' {
        $ephemeral = Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints -PassThru
        $ephemeral.DPoPKeyThumbprint | Should -Not -Be $script:EcKey.Thumbprint
        $clientKey = Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path -DPoPKey ClientKey @script:Endpoints -PassThru
        $clientKey.DPoPKeyThumbprint | Should -Be $script:EcKey.Thumbprint
        (Get-Edi2AccessToken -Decode -Session $clientKey).Claims['cnf']['jkt'] | Should -Be $script:EcKey.Thumbprint
        Disconnect-Edi2 -Session $ephemeral
    }

    It 'takes -BodyTimeout in seconds and refuses one of 0' {
        $session = Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path -BodyTimeout 5 @script:Endpoints -PassThru
        $session.ClientId | Should -Be 'ec-client'
        $err = $null
        try { Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path -BodyTimeout 0 @script:Endpoints } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'Edi2.InvalidArgument*'
        $err.Exception.Message | Should -BeLike '*-BodyTimeout must be more than 0 seconds*'
    }

    It 'connects with -Jwk as a string and as a SecureString' {
        $json = Get-Content -Raw $script:EcKey.Path
        Connect-Edi2 -ClientId ec-client -Jwk $json @script:Endpoints
        (Get-Edi2Session).ClientId | Should -Be 'ec-client'
        Connect-Edi2 -ClientId ec-client -Jwk (ConvertTo-SecureString $json -AsPlainText -Force) @script:Endpoints
        (Get-Edi2Session).ClientId | Should -Be 'ec-client'
    }

    It 'uses EDI2_CLIENT_KEY when no key parameter is given' {
        $env:EDI2_CLIENT_KEY = Get-Content -Raw $script:EcKey.Path
        try {
            Connect-Edi2 -ClientId ec-client @script:Endpoints
            (Get-Edi2Session).ClientId | Should -Be 'ec-client'
        }
        finally {
            Remove-Item Env:EDI2_CLIENT_KEY
        }
    }

    It 'connects with -Certificate' {
        Connect-Edi2 -ClientId cert-client -Certificate $script:Certificate -Algorithm PS256 @script:Endpoints
        (Get-Edi2Session).ClientKeyThumbprint | Should -Not -BeNullOrEmpty
        (Get-Edi2Session).ClientId | Should -Be 'cert-client'
    }

    It 'connects with -Jwk as a string or SecureString that came wrapped in a PSObject' {
        # [object] parameter: Get-Content's string carries note properties, so it arrives as a PSObject; so does [psobject]$x.
        Connect-Edi2 -ClientId ec-client -Jwk (Get-Content -Raw -LiteralPath $script:EcKey.Path) @script:Endpoints
        (Get-Edi2Session).ClientKeyThumbprint | Should -Be $script:EcKey.Thumbprint
        $secure = [psobject](ConvertTo-SecureString (Get-Content -Raw -LiteralPath $script:EcKey.Path) -AsPlainText -Force)
        Connect-Edi2 -ClientId ec-client -Jwk $secure @script:Endpoints
        (Get-Edi2Session).ClientKeyThumbprint | Should -Be $script:EcKey.Thumbprint
        $fromFunction = & { [psobject][System.IO.File]::ReadAllText($script:EcKey.Path) }
        Connect-Edi2 -ClientId ec-client -Jwk $fromFunction @script:Endpoints
        (Get-Edi2Session).ClientKeyThumbprint | Should -Be $script:EcKey.Thumbprint
    }

    # The module present (vault and secret errors, every kind of secret): Vault.Tests.ps1, with a test SecretManagement.
    It 'explains that -Vault needs Microsoft.PowerShell.SecretManagement when the module is not installed' {
        $saved = $env:PSModulePath
        try {
            # Only PowerShell's own modules: whatever this machine has installed cannot change the answer.
            $env:PSModulePath = Join-Path $PSHOME 'Modules'
            Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            $err = $null
            try { Connect-Edi2 -ClientId ec-client -Vault 'NoSuchVault-Edi2Pester' -SecretName 'x' @script:Endpoints } catch { $err = $_ }
            Get-FakeNhnErrorId $err | Should -Be 'Edi2.Key.SecretManagementMissing'
            $err.CategoryInfo.Category | Should -Be 'NotInstalled'
            $err.TargetObject | Should -Be 'NoSuchVault-Edi2Pester'
            $err.Exception.Message | Should -Match 'Install-Module Microsoft.PowerShell.SecretManagement'
            Get-Edi2Session | Should -BeNullOrEmpty
        } finally {
            $env:PSModulePath = $saved
        }
    }
}

Describe 'Connect-Edi2 bad input' {
    It 'names the <Case> and loses nothing' -ForEach @(
        @{ Case = 'missing key file'; Id = 'Edi2.Key.FileNotFound'; Category = 'ObjectNotFound'; Arguments = @{ ClientId = 'ec-client'; KeyPath = 'TestDrive:/nope.json' } }
        @{ Case = 'public-only key'; Id = 'Edi2.Key.PublicOnly'; Category = 'InvalidArgument'; Arguments = @{ ClientId = 'ec-client'; Jwk = '{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}' } }
        @{ Case = 'malformed JWK'; Id = 'Edi2.Key.MalformedJwk'; Category = 'InvalidArgument'; Arguments = @{ ClientId = 'ec-client'; Jwk = '{"kty": "EC", ' } }
        @{ Case = 'wrong client id'; Id = 'Edi2.Authentication.InvalidClient'; Category = 'AuthenticationError'; Arguments = @{ ClientId = 'no-such-client'; KeyPath = 'KEY' } }
        @{ Case = 'key not registered'; Id = 'Edi2.Authentication.InvalidClient'; Category = 'AuthenticationError'; Arguments = @{ ClientId = 'ec-client'; KeyPath = 'OTHER' } }
    ) {
        if ($Arguments['KeyPath'] -eq 'KEY') { $Arguments.KeyPath = $script:EcKey.Path }
        if ($Arguments['KeyPath'] -eq 'OTHER') { $Arguments.KeyPath = $script:OtherKey.Path }
        $err = $null
        try { Connect-Edi2 @Arguments @script:Endpoints } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be $Id
        $err.CategoryInfo.Category | Should -Be $Category
        $err.TargetObject | Should -Not -BeNullOrEmpty
        Get-Edi2Session | Should -BeNullOrEmpty
    }

    It 'fails clearly when no key is given at all' {
        Remove-Item Env:EDI2_CLIENT_KEY -ErrorAction SilentlyContinue
        $err = $null
        try { Connect-Edi2 -ClientId ec-client @script:Endpoints } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.Key.NoKeyGiven'
        $err.Exception.Message | Should -Match 'EDI2_CLIENT_KEY'
    }

    It 'does not connect under -WhatIf' {
        Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints -WhatIf
        Get-Edi2Session | Should -BeNullOrEmpty
    }
}

Describe 'Sessions' {
    AfterEach { Disconnect-Edi2 -ErrorAction SilentlyContinue }

    It 'keeps two sessions apart and uses -Session over the default' {
        $rsa = Connect-Edi2 -ClientId rsa-client -KeyPath $script:RsaKey.Path @script:Endpoints -PassThru
        $ec = Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints -PassThru
        (Get-Edi2Session).ClientId | Should -Be 'ec-client'
        (Test-Edi2Connection -Session $rsa).ClientId | Should -Be 'rsa-client'
        (Test-Edi2Connection).ClientId | Should -Be 'ec-client'
        Disconnect-Edi2 -Session $rsa
    }

    It 'gives parallel runspaces no default session, and shares an explicit one safely' {
        if ($PSVersionTable.PSEdition -ne 'Core') { Set-ItResult -Skipped -Because 'ForEach-Object -Parallel exists only in PowerShell 7'; return }
        $session = Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints -PassThru
        $manifest = $ModuleManifest
        $defaults = 1..3 | ForEach-Object -Parallel { Import-Module $using:manifest; $null -eq (Get-Edi2Session) }
        $defaults | Should -Be @($true, $true, $true)
        $tests = 1..4 | ForEach-Object -Parallel { Import-Module $using:manifest; Test-Edi2Connection -Session $using:session -Quiet } -ThrottleLimit 4
        $tests | Should -Be @($true, $true, $true, $true)
    }

    It 'is gone after Disconnect-Edi2, with a clear error for the next call' {
        Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints
        Disconnect-Edi2
        Get-Edi2Session | Should -BeNullOrEmpty
        $err = $null
        try { Test-Edi2Connection } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.Session.NotConnected'
    }

    It 'says so when a disconnected session object is used' {
        $session = Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints -PassThru
        Disconnect-Edi2 -Session $session
        $err = $null
        try { Test-Edi2Connection -Session $session } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.Session.Disconnected'
    }
}

Describe 'No secret in output' {
    BeforeAll { Connect-Edi2 -ClientId rsa-client -KeyPath $script:RsaKey.Path @script:Endpoints }
    AfterAll { Disconnect-Edi2 }

    It 'keeps token and key out of Get-Edi2Session | ConvertTo-Json' {
        $token = Get-Edi2AccessToken
        $json = Get-Edi2Session | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue
        $json | Should -Not -Match ([regex]::Escape($token.Substring($token.Length - 40)))
        $json | Should -Not -Match '"d"\s*:'
        $json | Should -Match 'rsa-client'
    }

    It 'keeps token and proof out of -Verbose and -Debug' {
        $token = Get-Edi2AccessToken
        # Preference variables, not -Debug: on Windows PowerShell 5.1 -Debug means Inquire and would prompt.
        $VerbosePreference = 'Continue'
        $DebugPreference = 'Continue'
        $lines = Test-Edi2Connection 4>&1 5>&1 | Where-Object { $_ -is [System.Management.Automation.InformationalRecord] } | ForEach-Object Message
        $lines | Should -Not -BeNullOrEmpty
        ($lines -join "`n") | Should -Match 'GET .*ping -> 200'
        ($lines -join "`n") | Should -Not -Match ([regex]::Escape($token.Substring(0, 40)))
        ($lines -join "`n") | Should -Match 'DPoP <access token>'
    }

    It 'gives the token only when asked, as text, SecureString or decoded claims' {
        Get-Edi2AccessToken | Should -BeOfType [string]
        Get-Edi2AccessToken -AsSecureString | Should -BeOfType [securestring]
        $decoded = Get-Edi2AccessToken -Decode
        $decoded.Claims['aud'] | Should -Be 'nhn:msh'
        $decoded.Header['alg'] | Should -Be 'RS256'
        ($decoded | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape((Get-Edi2AccessToken).Substring(0, 40)))
    }
}

Describe 'Test-Edi2Connection and Invoke-Edi2Request' {
    BeforeAll { Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints }
    AfterAll { Disconnect-Edi2 }

    It 'reports the token and the ping' {
        $result = Test-Edi2Connection
        $result.Success | Should -BeTrue
        $result.Ping | Should -Be 'Pong'
        $result.Latency | Should -BeOfType [timespan]
        ($result | Out-String) | Should -Match 'LatencyMs\s+: \d+'
        ($result | Format-Table | Out-String) | Should -Match 'LatencyMs'
        Test-Edi2Connection -Quiet | Should -BeTrue
    }

    It 'calls any path with the same authentication' {
        (Invoke-Edi2Request -Path ping).response | Should -Be 'Pong'
        Invoke-Edi2Request -Path ping -Raw | Should -Match 'Pong'
    }

    It 'sends a -Body JSON string that came wrapped in a PSObject as that JSON' {
        $json = '{"configurations":[{"herId":8142520,"receiveNotificationChannel":"Api","clientLocked":false}]}'
        $path = Join-Path $TestDrive 'body.json'
        [System.IO.File]::WriteAllText($path, $json, [System.Text.UTF8Encoding]::new($false))
        foreach ($body in @((Get-Content -Raw -LiteralPath $path), [psobject]$json, (& { [psobject]$json }))) {
            $err = $null
            Invoke-Edi2Request -Method PUT -Path 'mshconfigurations' -Body $body -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            $err | Should -BeNullOrEmpty
        }
        # Not a string: converted with ConvertTo-Json, a PSCustomObject with its properties (they live in the wrapper).
        $object = [pscustomobject]@{ configurations = @([pscustomobject]@{ herId = 8142520; receiveNotificationChannel = 'Api'; clientLocked = $false }) }
        $err = $null
        Invoke-Edi2Request -Method PUT -Path 'mshconfigurations' -Body $object -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err | Should -BeNullOrEmpty
        # And what the fake refuses is refused: the body really is looked at.
        $err = $null
        Invoke-Edi2Request -Method PUT -Path 'mshconfigurations' -Body ([psobject]'{"configurations":"nonsense"}') -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Api.BadRequest'
    }

    It 'sends nothing that changes state under -WhatIf' {
        Invoke-Edi2Request -Method PUT -Path 'mshconfigurations' -Body @{ configurations = @(@{ herId = 8142519; receiveNotificationChannel = 'Api' }) } -WhatIf |
            Should -BeNullOrEmpty
    }

    It 'turns API errors into error records with ids' {
        $err = $null
        Invoke-Edi2Request -Path "messages/$([guid]::NewGuid())" -ErrorVariable err -ErrorAction SilentlyContinue
        Get-FakeNhnErrorId $err[0] | Should -BeIn @('Edi2.Api.NotFound', 'Edi2.Api.Forbidden')
    }
}

Describe 'New-Edi2ClientKey' {
    It 'writes an owner-only private key and returns the public one' {
        $path = Join-Path $TestDrive 'new.json'
        $key = New-Edi2ClientKey -Path $path -Algorithm ES256
        $key.PublicJwk | Should -Not -Match '"d"'
        (Get-Content -Raw $path) | Should -Match '"d"'
        $key.Thumbprint | Should -Match '^[A-Za-z0-9_-]{43}$'
        if ($IsLinux -or $IsMacOS) { (Get-Item $path).UnixMode | Should -Be '-rw-------' }
    }

    It 'refuses to overwrite without -Force' {
        $path = Join-Path $TestDrive 'twice.json'
        $first = New-Edi2ClientKey -Path $path -Algorithm ES256
        $err = $null
        try { New-Edi2ClientKey -Path $path -Algorithm ES256 } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.Key.FileExists'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Content -Raw $path) | Should -Match $first.KeyId
        (New-Edi2ClientKey -Path $path -Algorithm ES256 -Force).KeyId | Should -Not -Be $first.KeyId
    }

    It 'writes nothing under -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.json'
        New-Edi2ClientKey -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }
}

Describe 'Formatting' {
    It 'shows the session as a list without secrets' {
        Connect-Edi2 -ClientId ec-client -KeyPath $script:EcKey.Path @script:Endpoints
        $text = Get-Edi2Session | Format-List | Out-String
        $text | Should -Match 'ClientId\s+: ec-client'
        $text | Should -Match 'DPoPKeyThumbprint'
        Disconnect-Edi2
    }
}
