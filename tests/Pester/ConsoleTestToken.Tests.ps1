#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# A test-token session as a person at the console sees it: a real interactive pwsh in tmux panes of 80 and 120 columns,
# connected with Connect-Edi2 -TestTokenApiKey to the fake NHN's test token service. Get-Edi2Session shows the token
# source whole, a refused key prints as PowerShell 7 prints errors, and the API key is never on the screen. Needs tmux on
# Linux or macOS; skipped elsewhere.

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    . (Join-Path $PSScriptRoot 'Console.ps1')
    $script:SkipReason = Get-ConsoleSkipReason
    if ($SkipReason) { return }
    Import-Edi2TestModule

    $script:PlainKey = 'console-ttt-' + [guid]::NewGuid().ToString('N')
    $script:WrongKey = 'console-wrong-' + [guid]::NewGuid().ToString('N')
    $keys = Join-Path $TestDrive 'keys'
    $null = New-Item -ItemType Directory -Path $keys
    $c1 = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $c1 -TestTokenApiKeys $PlainKey -Organizations @(
        @{ orgNumber = '999999999'; herIds = @(8142519, 8142520) }
    )
    $script:Socket = 'edi2-ttt-console-{0}-{1}' -f $PID, [guid]::NewGuid().ToString('N').Substring(0, 8)

    # The rows the last command printed, wrapped rows joined back (as Console.Tests.ps1 reads them).
    function script:Get-LastOutput($Session) {
        $lines = @(Get-ConsoleScreen -Session $Session -History -Join)
        $end = $lines.Count - 1
        $start = $end - 1
        while ($start -ge 0 -and $lines[$start] -notmatch $ConsolePromptLine) { $start-- }
        if ($start + 1 -le $end - 1) { $lines[($start + 1)..($end - 1)] }
    }
}

AfterAll {
    if ($script:Socket) { Stop-ConsoleServer -Socket $script:Socket }
    if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) { Disconnect-Edi2 -ErrorAction SilentlyContinue }
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
}

Describe 'A test-token session in an interactive console (pwsh in tmux, <_> columns)' -ForEach 80, 120 {
    BeforeAll {
        $script:Width = $_
        if ($SkipReason) { return }
        $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive "console-$Width")).FullName
        $startup = Join-Path $folder 'startup.ps1'
        $null = New-ConsoleStartupScript -Path $startup -Before @(
            "`$global:ApiKey = ConvertTo-SecureString '$PlainKey' -AsPlainText -Force"
            "`$global:WrongKey = ConvertTo-SecureString '$WrongKey' -AsPlainText -Force"
            "`$global:Connect = @{ TestTokenUri = '$($Fake.Issuer)'; ApiBaseUri = '$($Fake.ApiBaseUri)'; ParentOrganizationNumber = '999999999' }"
        )
        $script:Console = Start-ConsoleSession -Socket $Socket -Width $Width -Height 40 -StartupScript $startup
    }

    AfterAll {
        if ($script:Console) { Stop-ConsoleSession -Session $script:Console; $script:Console = $null }
    }

    BeforeEach {
        if (-not $SkipReason) { Clear-ConsoleScreen -Session $Console -ClearErrors }
    }

    It 'connects with -Verbose and Get-Edi2Session shows TokenSource whole, the key nowhere on screen' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $null = Invoke-ConsoleCommand -Session $Console -Command 'Connect-Edi2 -TestTokenApiKey $ApiKey @Connect -Verbose'
        $screen = @(Invoke-ConsoleCommand -Session $Console -Command 'Get-Edi2Session')
        Save-ConsoleCapture -Name 'test-token-session' -Session $Console

        @($screen | Where-Object { $_ -match '^TokenSource\s+: TestTokenService$' }) | Should -HaveCount 1 -Because ($screen -join "`n")
        @($screen | Where-Object { $_ -match '^ClientId\s+: edi2-test-token$' }) | Should -HaveCount 1
        Test-ConsoleText -Lines $screen -Phrase "POST $($Fake.Issuer)/v2/create-test-token-with-key -> 200" | Should -BeTrue -Because 'the verbose trace shows the request'
        foreach ($line in $screen) { $line.Length | Should -BeLessOrEqual $Width }
        Test-ConsoleText -Lines $screen -Phrase $PlainKey | Should -BeFalse
    }

    It 'prints a refused key as PowerShell 7 does: the cmdlet, what the service said, an Edi2. ErrorId, no key' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $null = Invoke-ConsoleCommand -Session $Console -Command 'Connect-Edi2 -TestTokenApiKey $WrongKey @Connect'
        $output = @(Get-LastOutput $Console)
        $text = $output -join "`n"
        $output[0] | Should -BeLike 'Connect-Edi2: *' -Because $text
        Test-ConsoleText -Lines $output -Phrase 'refused the API key (HTTP 401: Unauthorized; The X-Auth-Key header is missing or holds no valid API key.)' | Should -BeTrue -Because $text
        $text | Should -Not -Match '(?i)exception'
        $null = Invoke-ConsoleCommand -Session $Console -Command '$Error[0].FullyQualifiedErrorId'
        @(Get-LastOutput $Console) | Should -Be 'Edi2.Authentication.TestTokenApiKeyRejected,Edi2.PowerShell.Commands.ConnectEdi2Command'
        Save-ConsoleCapture -Name 'test-token-refused' -Session $Console
        Test-ConsoleText -Lines @(Get-ConsoleScreen -Session $Console -History) -Phrase $WrongKey | Should -BeFalse
    }
}
