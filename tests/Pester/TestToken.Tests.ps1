#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Connect-Edi2 -TestTokenApiKey against the fake NHN's test token service and API, through the built module in out/Edi2:
# a session without a client key works with the other cmdlets, says what it is, and keeps the API key out of everything.

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $script:Ours = 8142519
    $script:OursToo = 8142520
    # A key made now, as a user's would be in self-service; the fake accepts it.
    $script:PlainKey = 'pester-ttt-' + [guid]::NewGuid().ToString('N')
    $script:ApiKey = ConvertTo-SecureString $script:PlainKey -AsPlainText -Force
    $keys = Join-Path $TestDrive 'keys'
    $null = New-Item -ItemType Directory -Path $keys
    $c1 = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $c1 -TestTokenApiKeys $script:PlainKey -Organizations @(
        @{ orgNumber = '999999999'; herIds = @($Ours, $OursToo) }
    )
    $script:Connect = @{ TestTokenUri = $Fake.Issuer; ApiBaseUri = $Fake.ApiBaseUri; ParentOrganizationNumber = '999999999' }
}

AfterAll {
    Disconnect-Edi2 -ErrorAction SilentlyContinue
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    Remove-Module Edi2 -ErrorAction SilentlyContinue
}

Describe 'Connect-Edi2 -TestTokenApiKey' {
    AfterEach { Disconnect-Edi2 -ErrorAction SilentlyContinue }

    It 'connects without a client key, and Get-Edi2Session shows a test-token session' {
        $verbose = Connect-Edi2 -TestTokenApiKey $ApiKey @Connect -Verbose -Debug 4>&1 5>&1 | Out-String
        $session = Get-Edi2Session
        $session.TokenSource | Should -Be 'TestTokenService'
        $session.ClientId | Should -Be 'edi2-test-token'
        $session.Authority | Should -Be "$($Fake.Issuer)/v2/create-test-token-with-key"
        $session.DPoPKeyMode | Should -Be 'Ephemeral'
        $session.TokenExpiresAt | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        $session.ClientClaims['nhn:msh/client/claims/herid'] | Should -Be '0'
        (Get-Edi2AccessToken -Decode).Claims['cnf']['jkt'] | Should -Be $session.DPoPKeyThumbprint

        $verbose | Should -Match 'POST http://127\.0\.0\.1:\d+/v2/create-test-token-with-key -> 200'
        $verbose | Should -Match 'X-Auth-Key: <api key>'
        $verbose | Should -Not -Match ([regex]::Escape($PlainKey))
    }

    It 'shows TokenSource whole in the list view at <_> columns' -ForEach 80, 120 {
        $width = $_
        Connect-Edi2 -TestTokenApiKey $ApiKey @Connect
        $lines = (Get-Edi2Session | Out-String -Width $width) -split "`r?`n"
        @($lines | Where-Object { $_ -match '^TokenSource\s+: TestTokenService$' }).Count | Should -Be 1
        @($lines | Where-Object { $_ -match '^Authority\s+: http://127\.0\.0\.1:\d+/v2/create-test-token-with-key$' }).Count | Should -Be 1
        $lines | Where-Object { $_.Length -gt $width } | Should -BeNullOrEmpty
    }

    It 'names the client id and HER-ids it is given' {
        $session = Connect-Edi2 'my-epj-test' -TestTokenApiKey $ApiKey -TestTokenHerId $Ours, $OursToo @Connect -PassThru
        $session.ClientId | Should -Be 'my-epj-test'
        $session.ClientClaims['nhn:msh/client/claims/herid'] | Should -Be "$Ours-$OursToo"
        Disconnect-Edi2 -Session $session
    }

    It 'reserves, sends, lists, saves and marks messages like any session' {
        Connect-Edi2 -TestTokenApiKey $ApiKey @Connect
        (Test-Edi2Connection).Success | Should -BeTrue
        $null = Set-Edi2Reservation -HerId $Ours, $OursToo -LedgerPath (Join-Path $TestDrive 'ledger.json') -Confirm:$false -ErrorAction Stop
        $xml = New-TestMsgHead -Sender $OursToo -Receiver $Ours -Body 'Fra test-token-tjenesten'
        $sent = Send-Edi2Message -Content $xml -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
        $inbox = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'inbox')).FullName

        $saved = Get-Edi2Notification -HerId $Ours | Where-Object RelatedMessageId -eq $sent.Id | Save-Edi2Message -Path $inbox -MarkDownloaded -ErrorAction Stop

        $saved.MessageId | Should -Be $sent.Id
        $saved.MarkedDownloaded | Should -BeTrue
        Get-Content -Raw -LiteralPath $saved.Path | Should -Match 'Fra test-token-tjenesten'
    }

    It 'refuses a wrong API key with what the service said, and no key in $Error or the printed error' {
        $wrong = 'wrong-' + [guid]::NewGuid().ToString('N')
        $Error.Clear()
        $err = @(try { Connect-Edi2 -TestTokenApiKey (ConvertTo-SecureString $wrong -AsPlainText -Force) @Connect } catch { $_ })
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Authentication.TestTokenApiKeyRejected'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err[0].TargetObject | Should -Be "$($Fake.Issuer)/v2/create-test-token-with-key"
        # As PowerShell prints it (its concise view: the message wrapped under '| '), joined up again.
        $printed = (($err[0] | Out-String -Width 80) -split "`r?`n" | ForEach-Object { $_ -replace '^\s*\|\s?', '' }) -join ' ' -replace '\s+', ' '
        $printed | Should -Match '^Connect-Edi2: '
        $printed | Should -Match 'refused the API key \(HTTP 401: Unauthorized; The X-Auth-Key header is missing or holds no valid API key\.\)'
        $printed | Should -Match 'Check -TestTokenApiKey'
        ($Error | Out-String) + ($Error | Format-List * -Force | Out-String) + ($Error.Exception | Format-List * -Force | Out-String) |
            Should -Not -Match "$wrong|$PlainKey"
        Get-Edi2Session -ErrorAction SilentlyContinue | Should -BeNullOrEmpty # a failed connect leaves no session
    }

    It 'refuses -Environment Production before any request' {
        # A service address where nothing listens: a request would fail differently (ConnectionFailed).
        $err = @(try { Connect-Edi2 -TestTokenApiKey $ApiKey -Environment Production -TestTokenUri 'http://127.0.0.1:9' } catch { $_ })
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Authentication.TestTokenNotForProduction'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match 'test environment only'
    }

    It 'is its own parameter set: no client key, no -Authority' {
        { Connect-Edi2 -TestTokenApiKey $ApiKey -KeyPath (Join-Path $TestDrive 'none.json') @Connect } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        { Connect-Edi2 -TestTokenApiKey $ApiKey -Authority $Fake.Issuer @Connect } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        { Connect-Edi2 -TestTokenApiKey $ApiKey -DPoPKey ClientKey @Connect } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
    }

    It 'keeps the API key out of the session, ConvertTo-Json and Export-Clixml' {
        $session = Connect-Edi2 -TestTokenApiKey $ApiKey @Connect -PassThru
        $json = $session | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue
        $json | Should -Match 'TestTokenService|"TokenSource":\s*1'
        $json | Should -Not -Match ([regex]::Escape($PlainKey))
        $clixml = Join-Path $TestDrive 'session.xml'
        $session | Export-Clixml -LiteralPath $clixml -Depth 4
        Get-Content -Raw -LiteralPath $clixml | Should -Not -Match ([regex]::Escape($PlainKey))
        ($session | Format-List * -Force | Out-String) | Should -Not -Match ([regex]::Escape($PlainKey))
        Disconnect-Edi2 -Session $session
    }
}
