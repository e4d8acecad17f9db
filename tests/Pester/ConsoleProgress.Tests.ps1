#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Progress on long work as a person at the console sees it: a real interactive pwsh in a 120-column tmux pane against the
# fake NHN, read back with capture-pane (what stays on screen: Get-Edi2Notification -Wait) and with pipe-pane (every byte
# the console wrote, so a progress bar that shows only for a moment is caught too: Send-/Save-Edi2Message of a large
# document, Set-/Remove-Edi2Reservation of many HER-ids, Get-Edi2Notification over many pages). The same work in
# `pwsh -NonInteractive` in the same terminal, and in a -NonInteractive child without a terminal, writes no progress at
# all. Needs tmux on Linux or macOS for the console part; skipped elsewhere.

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    . (Join-Path $PSScriptRoot 'Console.ps1')
    Import-Edi2TestModule

    $script:Ours = 8142519
    $script:Sender = 8142520
    $script:Many = @(8300000..8303099) # more than one reservation request (1500 each)
    $keys = Join-Path $TestDrive 'keys'
    $null = New-Item -ItemType Directory -Path $keys
    $script:C1 = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $C1 -Organizations @(
        @{ orgNumber = '999999999'; herIds = @($Ours, $Sender) + $Many }
    )
    Connect-Edi2 -ClientId 'c1' -KeyPath $C1.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri
    $script:Ledger = Join-Path $TestDrive 'ledger.json'
    $null = Set-Edi2Reservation -HerId $Ours, $Sender -LedgerPath $Ledger -Confirm:$false -ErrorAction Stop

    # A large business document (about 24 MB): a MsgHead whose content is long.
    $script:Big = Join-Path $TestDrive 'big.xml'
    $xml = New-TestMsgHead -Sender $Sender -Receiver $Ours -Body ('0123456789abcdef' * 1500000)
    [System.IO.File]::WriteAllText($Big, $xml, [System.Text.UTF8Encoding]::new($false))

    function script:Send-Small([int] $Count) {
        foreach ($i in 1..$Count) {
            $small = New-TestMsgHead -Sender $Sender -Receiver $Ours -Body "Melding $i"
            $null = Send-Edi2Message -Content $small -SenderHerId $Sender -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
        }
    }
}

AfterAll {
    if ($script:Socket) { Stop-ConsoleServer -Socket $script:Socket }
    if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) { Disconnect-Edi2 -ErrorAction SilentlyContinue }
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
}

Describe 'Progress in an interactive console (pwsh in tmux, 120 columns)' {
    BeforeAll {
        $script:SkipReason = Get-ConsoleSkipReason
        if ($SkipReason) { return }
        $script:Socket = 'edi2-progress-{0}-{1}' -f $PID, [guid]::NewGuid().ToString('N').Substring(0, 8)
        $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'console')).FullName
        $script:SaveFolder = Join-Path $folder 'saved'
        $script:ConsoleLedger = Join-Path $folder 'ledger.json'
        $script:RawLog = Join-Path $folder 'raw.log'

        # The same work in `pwsh -NonInteractive`, started from the console so that it writes to the same terminal.
        $nonInteractive = Join-Path $folder 'noninteractive.ps1'
        $connect = "Connect-Edi2 -ClientId c1 -KeyPath '$($C1.KeyPath)' -Authority '$($Fake.Issuer)' -ApiBaseUri '$($Fake.ApiBaseUri)' -ErrorAction Stop"
        [System.IO.File]::WriteAllText($nonInteractive, (@(
            "Import-Module '$($ModuleManifest.Replace("'", "''"))' -ErrorAction Stop"
            $connect
            '$id = (Get-Edi2Notification -HerId ' + $Ours + ' -PageSize 1 | Where-Object Type -eq NewMessage | Select-Object -First 1).RelatedMessageId'
            "`$null = Save-Edi2Message -Id `$id -Path '$SaveFolder' -Force"
            "`$null = Send-Edi2Message -Path '$Big' -SenderHerId $Sender -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:`$false"
            "'noninteractive done'"
        ) -join "`n"), [System.Text.UTF8Encoding]::new($false))
        $pwshWords = (@($CurrentPowerShell.FilePath) + @($CurrentPowerShell.Arguments) | ForEach-Object { "'" + $_.Replace("'", "''") + "'" }) -join ', '

        $startup = Join-Path $folder 'startup.ps1'
        $null = New-ConsoleStartupScript -Path $startup -After $connect -Before @(
            "`$global:SaveFolder = '$SaveFolder'"
            "`$global:Big = '$Big'"
            "`$global:Ledger = '$ConsoleLedger'"
            "function global:Invoke-NonInteractive { `$w = @($pwshWords); & `$w[0] @(`$w | Select-Object -Skip 1) -NoProfile -NonInteractive -File '$nonInteractive' }"
        )
        $script:Console = Start-ConsoleSession -Socket $Socket -Width 120 -Height 40 -StartupScript $startup
        # Every byte the console writes from here on, escape codes and all.
        $null = Invoke-Tmux $Socket @('pipe-pane', '-t', $Console.Name, '-o', "cat >> '$RawLog'")

        # What the console wrote since $From (a byte offset in the raw log), escape sequences taken out, as one string.
        function script:Get-RawText([long] $From = 0) {
            $bytes = [System.IO.File]::ReadAllBytes($RawLog)
            $text = [System.Text.Encoding]::UTF8.GetString($bytes, [int]$From, $bytes.Length - [int]$From)
            $text -replace '\x1b\[[0-9;?]*[ -/]*[@-~]', '' -replace '\x1b\][^\x07\x1b]*(\x07|\x1b\\)', '' -replace '\x1b[()][0-9A-Za-z]', '' -replace '\x1b[=>78]', ''
        }
        function script:Get-RawLength { if (Test-Path -LiteralPath $RawLog) { (Get-Item -LiteralPath $RawLog).Length } else { 0 } }
    }

    BeforeEach {
        if (-not $SkipReason) { Clear-ConsoleScreen -Session $Console -ClearErrors }
    }

    It 'Get-Edi2Notification -Wait says it listens, for which HER-id and since when, and counts what arrives' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $backlog = @(Get-Edi2Notification -HerId $Ours)
        $offset = if ($backlog.Count -gt 0) { $backlog[-1].Offset } else { 0 }
        $listening = "Listening for notifications for HER-id $Ours since (\d\d:\d\d:\d\d); (\d+) received"
        Send-ConsoleKeys -Session $Console -Text "Get-Edi2Notification -HerId $Ours -Offset $offset -Wait -Timeout 60 | ForEach-Object { 'got ' + `$_.Type + ' for ' + `$_.ReceiverHerId }"
        $screen = Wait-ConsoleScreen -Session $Console -Visible -Because 'the listening progress' -Timeout ([TimeSpan]::FromSeconds(30)) -Condition {
            param($lines) ($lines -join "`n") -match "Get-Edi2Notification \[$listening"
        }
        $line = @($screen | Where-Object { $_ -match $listening })[0]
        $line | Should -Match "^Get-Edi2Notification \[$listening" -Because "the progress row is the listening one:`n$($screen -join "`n")"
        $line.Length | Should -BeLessOrEqual 120
        $Matches[2] | Should -Be '0'
        $since = [datetime]::ParseExact($Matches[1], 'HH:mm:ss', [cultureinfo]::InvariantCulture)
        ([datetime]::Now.TimeOfDay - $since.TimeOfDay).Duration().TotalMinutes | Should -BeLessThan 2 -Because 'since is when it began, in local time'

        Send-Small 3
        $screen = Wait-ConsoleScreen -Session $Console -Visible -Because 'the count to reach 3' -Timeout ([TimeSpan]::FromSeconds(30)) -Condition {
            param($lines) ($lines -join "`n") -match "Get-Edi2Notification \[Listening for notifications for HER-id $Ours since \d\d:\d\d:\d\d; 3 received"
        }
        @($screen | Where-Object { $_ -match "^got NewMessage for $Ours" }).Count | Should -Be 3 -Because "the notifications are shown as they come:`n$($screen -join "`n")"

        # Ctrl+C ends listening, and the progress goes with it.
        $null = Invoke-Tmux $Socket @('send-keys', '-t', $Console.Name, 'C-c')
        $screen = Wait-ConsoleScreen -Session $Console -Visible -Because 'the prompt after Ctrl+C' -Condition {
            param($lines) @($lines).Count -gt 0 -and $lines[-1] -eq $ConsolePrompt.TrimEnd()
        }
        $screen | Where-Object { $_ -match $listening } | Should -BeNullOrEmpty
    }

    It 'Send-Edi2Message and Save-Edi2Message of large documents show the bytes, then remove the bar' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $from = Get-RawLength
        $null = Invoke-ConsoleCommand -Session $Console -Timeout ([TimeSpan]::FromSeconds(60)) -Command (
            "`$sent = Send-Edi2Message -Path `$Big -SenderHerId $Sender -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:`$false")
        $raw = Get-RawText $from
        $raw | Should -Match 'Send-Edi2Message \[\S*big\.xml: [\d.]+ (bytes|KB|MB) of 2\d\.\d MB sent' -Because 'the bytes sent of the whole are shown'

        # Three large documents in one pipeline: the console redraws its progress at most every 200 ms, so one
        # download on a fast machine may end before it is drawn; three one after the other (-ThrottleLimit 1) are long
        # enough. At the default of 4 at once they can all end within one redraw, so the bytes are looked for at 1, and
        # the bar's removal at both.
        $null = Send-Edi2Message -Path $Big -SenderHerId $Sender -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false
        $null = Send-Edi2Message -Path $Big -SenderHerId $Sender -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false
        $from = Get-RawLength
        $screen = Invoke-ConsoleCommand -Session $Console -Timeout ([TimeSpan]::FromSeconds(60)) -Command (
            "Get-Edi2Notification -HerId $Ours | Select-Object -Last 3 | Save-Edi2Message -Path `$SaveFolder -Force -ThrottleLimit 1 | Format-List Length")
        $raw = Get-RawText $from
        $raw | Should -Match 'Save-Edi2Message \[Message [0-9a-f-]{36}: (downloading|[\d.]+ (bytes|KB|MB) received)' -Because 'the bytes saved are shown'
        @(($screen -join "`n") | Select-String 'Length : 2\d{7}' -AllMatches).Matches.Count | Should -Be 3
        $screen | Where-Object { $_ -match '^(Send|Save)-Edi2Message \[' } | Should -BeNullOrEmpty -Because 'the bars are gone when done'

        $from = Get-RawLength
        $screen = Invoke-ConsoleCommand -Session $Console -Timeout ([TimeSpan]::FromSeconds(60)) -Command (
            "Get-Edi2Notification -HerId $Ours | Select-Object -Last 3 | Save-Edi2Message -Path `$SaveFolder -Force | Format-List Length")
        @((Get-RawText $from) | Select-String 'Length : 2\d{7}' -AllMatches).Matches.Count | Should -Be 3
        $screen | Where-Object { $_ -match '^Save-Edi2Message \[' } | Should -BeNullOrEmpty -Because 'the bar is gone when done, at 4 at once too'
    }

    It 'Set-Edi2Reservation and Remove-Edi2Reservation of many HER-ids count the HER-ids' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $from = Get-RawLength
        $screen = Invoke-ConsoleCommand -Session $Console -Timeout ([TimeSpan]::FromSeconds(60)) -Command (
            "`$r = $($Many[0])..$($Many[-1]) | Set-Edi2Reservation -LedgerPath `$Ledger -Confirm:`$false; `$r.Count")
        $raw = Get-RawText $from
        # One bar per request of 1500 (the console may skip a redraw that comes within 200 ms of the last).
        $raw | Should -Match "Set-Edi2Reservation \[HER-id 83\d{5} and 1499 more: (0|1500) of $($Many.Count) reserved"
        $screen -join "`n" | Should -Match "(?m)^$($Many.Count)$"

        $from = Get-RawLength
        $screen = Invoke-ConsoleCommand -Session $Console -Timeout ([TimeSpan]::FromSeconds(60)) -Command (
            "Remove-Edi2Reservation -HerId ($($Many[0])..$($Many[199])) -LedgerPath `$Ledger -Confirm:`$false; (Get-Edi2Reservation -LedgerPath `$Ledger).Count")
        $raw = Get-RawText $from
        $raw | Should -Match "Remove-Edi2Reservation \[HER-id 83\d{5} \(\d+ of 200\)"
        $screen -join "`n" | Should -Match "(?m)^$($Many.Count - 200)$"
        $screen | Where-Object { $_ -match '^(Set|Remove)-Edi2Reservation \[' } | Should -BeNullOrEmpty
    }

    It 'Get-Edi2Notification over many pages counts the pages' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $from = Get-RawLength
        $null = Invoke-ConsoleCommand -Session $Console -Command "(Get-Edi2Notification -HerId $Ours -PageSize 1).Count"
        $raw = Get-RawText $from
        $raw | Should -Match "Get-Edi2Notification \[HER-id ${Ours}: page \d+, \d+ notifications so far"
    }

    It 'shows none of it in pwsh -NonInteractive, in the same terminal' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $from = Get-RawLength
        $screen = Invoke-ConsoleCommand -Session $Console -Timeout ([TimeSpan]::FromSeconds(90)) -Command 'Invoke-NonInteractive'
        $screen -join "`n" | Should -Match 'noninteractive done'
        $raw = Get-RawText $from
        $raw | Should -Not -Match '(Save|Send)-Edi2Message \[' -Because 'no progress is drawn for -NonInteractive'
        $raw | Should -Not -Match 'Get-Edi2Notification \[' -Because 'no progress is drawn for -NonInteractive'
    }
}

Describe 'No progress where no one watches (pwsh -NonInteractive, no terminal)' {
    It 'writes no progress record for Save-, Send-, Get-Edi2Notification and Set-/Remove-Edi2Reservation' {
        $result = Invoke-InFreshPowerShell -Values @{
            Manifest = $ModuleManifest; KeyPath = $C1.KeyPath; Authority = $Fake.Issuer; ApiBaseUri = $Fake.ApiBaseUri
            Big = $Big; Folder = (Join-Path $TestDrive 'fresh-saved'); Ledger = (Join-Path $TestDrive 'fresh-ledger.json')
            Ours = "$Ours"; Sender = "$Sender"; First = "$($Many[0])"
        } -Script @'
Import-Module $Manifest
Connect-Edi2 -ClientId c1 -KeyPath $KeyPath -Authority $Authority -ApiBaseUri $ApiBaseUri
# In this runspace, with this host (ConsoleHost of pwsh -NonInteractive): Streams.Progress gets every record written.
$ps = [powershell]::Create('CurrentRunspace')
$null = $ps.AddScript({
    param($Big, $Folder, $Ledger, [int] $Ours, [int] $Sender, [int] $First)
    $null = Send-Edi2Message -Path $Big -SenderHerId $Sender -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false
    $notes = @(Get-Edi2Notification -HerId $Ours -PageSize 2)
    $saved = $notes | Select-Object -Last 1 | Save-Edi2Message -Path $Folder
    $reserved = @($First..($First + 99) | Set-Edi2Reservation -LedgerPath $Ledger -Confirm:$false)
    Remove-Edi2Reservation -HerId ($First..($First + 99)) -LedgerPath $Ledger -Confirm:$false
    [pscustomobject]@{ Notes = $notes.Count; Saved = $saved.Length; Reserved = $reserved.Count }
}).AddArgument($Big).AddArgument($Folder).AddArgument($Ledger).AddArgument($Ours).AddArgument($Sender).AddArgument($First)
$out = $ps.Invoke()
[pscustomobject]@{
    Host = $Host.Name; Progress = $ps.Streams.Progress.Count; Errors = @($ps.Streams.Error | ForEach-Object { "$_" })
    Notes = $out[0].Notes; Saved = $out[0].Saved; Reserved = $out[0].Reserved
} | ConvertTo-Json -Compress
'@
        $result.Errors | Should -BeNullOrEmpty
        $result.Host | Should -Be 'ConsoleHost'
        $result.Notes | Should -BeGreaterThan 2 -Because 'several pages were read'
        $result.Saved | Should -BeGreaterThan 20000000
        $result.Reserved | Should -Be 100
        $result.Progress | Should -Be 0 -Because 'progress is for a person watching an interactive console only'
    }
}
