#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# What a person sees in an interactive console: a real pwsh (-NoProfile -NoLogo, PSReadLine, the console host) in a
# tmux pane of 80 and of 120 columns, typed into with send-keys and read back with capture-pane, against the fake NHN.
# Progress bars, table widths, -Confirm/-WhatIf prompts and errors as PowerShell 7 prints them all depend on the host,
# and only an interactive host takes those paths (Receive-Edi2Message's progress once crashed in every console and in
# no other test). Needs tmux on Linux or macOS; skipped elsewhere. Set EDI2_CONSOLE_CAPTURES to a folder to keep what
# each screen showed. Run by ./build.ps1 -Task Test (after the module is laid out in out/Edi2).

Describe 'The console a person sees (interactive pwsh in tmux)' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
        . (Join-Path $PSScriptRoot 'Console.ps1')

        $script:SkipReason = Get-ConsoleSkipReason
        if ($SkipReason) { return }
        Import-Edi2TestModule

        $script:Ours = 8142519        # receives the many messages Receive-Edi2Message fetches
        $script:Sender = 8142520
        $script:ReceiveCount = 200     # enough for the progress bar to be on screen for a while, even on a fast machine
        $keys = Join-Path $TestDrive 'keys'
        $null = New-Item -ItemType Directory -Path $keys
        $script:C1Client = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
        $c2Client = New-FakeNhnClient -ClientId 'c2' -OrgNumber '999999999' -Folder $keys
        # Clients that rotate their key through self-service, one per console width.
        $script:RotationClients = @{}
        foreach ($w in 80, 120) {
            $client = New-FakeNhnClient -ClientId "rot-$w" -OrgNumber '999999999' -Folder $keys
            $client.Seed.scopes = @('nhn:msh/api', 'nhn:selvbetjening/client')
            $script:RotationClients[$w] = $client
        }
        # 8142521/8142522: Save-Edi2Message at 80/120 columns; 8142523/8142524: reserved and released at 80/120.
        $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients (@($C1Client, $c2Client) + @($RotationClients.Values)) -Organizations @(
            @{ orgNumber = '999999999'; herIds = @($Ours, $Sender, 8142521, 8142522, 8142523, 8142524) }
        )
        # The consoles connect as c1 too; c2, another client of the organisation, shows whether c1 still holds a HER-id.
        # (c2 first: the session connected last is the default one.)
        $script:C2 = Connect-Edi2 -ClientId 'c2' -KeyPath $c2Client.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -PassThru
        Connect-Edi2 -ClientId 'c1' -KeyPath $C1Client.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri
        $null = Set-Edi2Reservation -HerId $Ours, $Sender, 8142521, 8142522 -LedgerPath (Join-Path $TestDrive 'ledger.json') -Confirm:$false -ErrorAction Stop

        function script:Send-TestMessages([int] $To, [int] $Count) {
            foreach ($i in 1..$Count) {
                $xml = New-TestMsgHead -Sender $Sender -Receiver $To -Body "Melding $i"
                $null = Send-Edi2Message -Content $xml -SenderHerId $Sender -ReceiverHerId $To -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
            }
        }
        Send-TestMessages -To $Ours -Count $ReceiveCount
        Send-TestMessages -To 8142521 -Count 3
        Send-TestMessages -To 8142522 -Count 3

        # One tmux server for this run, on its own socket.
        $script:Socket = 'edi2-console-{0}-{1}' -f $PID, [guid]::NewGuid().ToString('N').Substring(0, 8)

        # What a default table view of saved messages looks like on screen: the header, its underline, one row each.
        $script:SavedHeader = '^MessageId\s+ReceiverHerId\s+Length\s+Marked\s+Kept\s+Path$'
        $script:SavedUnderline = '^-{9}\s+-{13}\s+-{6}\s+-{6}\s+-{4}\s+-{4}$'
        $script:SavedRow = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s+(\d+)\s+\d+\s+(True|False)\s+(True|False)\s+\S+$'

        # The rows a command printed: from the row of its prompt to the prompt after it, wrapped rows joined back.
        # -Asking: the command still waits for an answer, so its last row is the question, not a prompt.
        function script:Get-LastOutput($Session, [switch] $Asking) {
            $lines = @(Get-ConsoleScreen -Session $Session -History -Join)
            $end = $lines.Count - 1
            if ($Asking) { $end++ }
            $start = $end - 1
            while ($start -ge 0 -and $lines[$start] -notmatch $ConsolePromptLine) { $start-- }
            if ($start + 1 -le $end - 1) { $lines[($start + 1)..($end - 1)] }
        }

        # Asserts that a screen shows a saved-message table as a person wants it at this width: every header whole,
        # every row on one screen row and within the width. Returns the rows.
        function script:Assert-SavedMessageTable([string[]] $Lines, [int] $Width, [int] $Count, [int] $HerId) {
            $headers = @($Lines | Where-Object { $_ -match $SavedHeader })
            $headers | Should -HaveCount 1 -Because "the table header shows once, every column name whole:`n$($Lines -join "`n")"
            $at = [array]::IndexOf($Lines, $headers[0])
            $Lines[$at + 1] | Should -Match $SavedUnderline -Because 'each header is underlined to its full length'
            $rows = @($Lines | Where-Object { $_ -match $SavedRow })
            $rows | Should -HaveCount $Count -Because "each saved message is one row that fits the $Width columns"
            foreach ($row in $rows) {
                $row.Length | Should -BeLessOrEqual $Width
                $row | Should -Match "\s$HerId\s"
            }
            foreach ($line in $Lines) { $line.Length | Should -BeLessOrEqual $Width }
            $rows
        }

        function script:Assert-NoErrorText([string[]] $Lines) {
            $text = $Lines -join "`n"
            $text | Should -Not -Match '(?m)^[A-Z][A-Za-z]*-[A-Za-z0-9]+: ' -Because "no error is printed:`n$text"
            $text | Should -Not -Match '(?i)exception|overflow' -Because "no .NET exception is printed:`n$text"
            $text | Should -Not -Match '(?m)^WARNING: '
        }

        # Asserts that the last command printed one error as PowerShell 7's ConciseView does: "<Cmdlet>: <message>",
        # nothing of .NET's. Returns the rows.
        function script:Assert-ConciseError($Session, [string] $Cmdlet, [string] $Message) {
            $output = @(Get-LastOutput $Session)
            $text = $output -join "`n"
            $output.Count | Should -BeGreaterThan 0 -Because 'an error is printed'
            $output[0] | Should -BeLike "${Cmdlet}: *" -Because "ConciseView starts with the cmdlet's name:`n$text"
            Test-ConsoleText -Lines $output -Phrase "${Cmdlet}: $Message" | Should -BeTrue -Because "the Edi2 message is shown:`n$text"
            $text | Should -Not -Match '(?m)^\s+at \S' -Because 'no stack trace is shown'
            $text | Should -Not -Match '(?i)exception' -Because 'no .NET exception (type or "Exception calling") is shown'
            $text | Should -Not -Match '(?m)^(ParserError|InvalidOperation|MethodInvocationException)'
            $output
        }

        # The FullyQualifiedErrorId of the newest error in the console's $Error, as the console prints it.
        function script:Get-ConsoleErrorId($Session) {
            $null = Invoke-ConsoleCommand -Session $Session -Command '$Error[0].FullyQualifiedErrorId'
            @(Get-LastOutput $Session)
        }
    }

    AfterAll {
        Stop-ConsoleServer -Socket $script:Socket
        if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) {
            if ($script:C2) { Disconnect-Edi2 -Session $script:C2 -ErrorAction SilentlyContinue }
            Disconnect-Edi2 -ErrorAction SilentlyContinue
        }
        if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    }

    Context '<Width> columns' -ForEach @(
        @{ Width = 80; SaveHerId = 8142521; ReserveHerId = 8142523 }
        @{ Width = 120; SaveHerId = 8142522; ReserveHerId = 8142524 }
    ) {
        BeforeAll {
            if ($SkipReason) { return }
            $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive "console-$Width")).FullName
            $script:Inbox = Join-Path $folder 'inbox'
            $script:SaveFolder = Join-Path $folder 'saved'
            $script:Ledger = Join-Path $folder 'reservations.json'
            $script:MissingKey = Join-Path $folder 'no-such-key.json'
            # Dot-sourced by the console's pwsh before its first prompt: the module and a session like a person's.
            $startup = Join-Path $folder 'startup.ps1'
            $values = [ordered]@{
                Inbox = $Inbox; SaveFolder = $SaveFolder; Ledger = $Ledger; MissingKey = $MissingKey
                Authority = $Fake.Issuer; ApiBaseUri = $Fake.ApiBaseUri; KeyPath = $C1Client.KeyPath
                RotationKey = $RotationClients[$Width].KeyPath
            }
            $variables = @(foreach ($name in $values.Keys) { "`$global:{0} = '{1}'" -f $name, $values[$name].Replace("'", "''") })
            $null = New-ConsoleStartupScript -Path $startup -Before $variables `
                -After 'Connect-Edi2 -ClientId c1 -KeyPath $KeyPath -Authority $Authority -ApiBaseUri $ApiBaseUri -ErrorAction Stop'
            $script:Console = Start-ConsoleSession -Socket $Socket -Width $Width -Height 40 -StartupScript $startup
        }

        AfterAll {
            if ($script:Console) { Stop-ConsoleSession -Session $script:Console; $script:Console = $null }
        }

        BeforeEach {
            # A scenario starts on an empty screen, with an empty $Error.
            if (-not $SkipReason) { Clear-ConsoleScreen -Session $Console -ClearErrors }
        }

        It 'Receive-Edi2Message shows its progress while it runs, then the table of saved messages, without errors' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $progress = [System.Collections.Generic.List[object]]::new()
            $watch = [System.Diagnostics.Stopwatch]::StartNew()

            $screen = @(Invoke-ConsoleCommand -Session $Console -Command "Receive-Edi2Message -HerId $Ours -Path `$Inbox" -Timeout ([TimeSpan]::FromSeconds(90)) -OnEachScreen {
                param($lines)
                # PowerShell 7's progress (Minimal view): "Receive-Edi2Message [<status>]" on the row below the output.
                if (@($lines | Where-Object { $_ -match '^Receive-Edi2Message \[\d+ downloaded' }).Count -gt 0) {
                    $visible = @($lines | Select-Object -Last $Console.Height)
                    $progress.Add($visible)
                }
            })
            $watch.Stop()
            $bars = @($progress | ForEach-Object { $_ | Where-Object { $_ -match '^Receive-Edi2Message \[' } } | Select-Object -Unique)
            if ($progress.Count -gt 0) {
                Save-ConsoleCapture -Name 'receive-progress' -Session $Console -Lines (@($progress[0]) + @('', "# $($progress.Count) captures showed the progress; its rows, in order:") + $bars)
            }
            Save-ConsoleCapture -Name 'receive' -Session $Console -Lines $screen

            $progress.Count | Should -BeGreaterThan 0 -Because "the progress shows while the $ReceiveCount messages are received ($($watch.Elapsed)); at the end the screen showed:`n$($screen -join "`n")"
            $bar = @($progress[0] | Where-Object { $_ -match '^Receive-Edi2Message \[' })[0]
            $bar | Should -Match '^Receive-Edi2Message \[\d+ downloaded \(\d' -Because 'the status says how much is done'
            $bar.Length | Should -BeLessOrEqual $Width
            if ($Width -ge 120) { $bar | Should -Match 'already on disk, \d+ passed over' -Because 'at 120 columns the whole status fits' }

            # Done: the progress is gone, every message is a whole row of the default table, nothing went wrong.
            $screen | Where-Object { $_ -match '^Receive-Edi2Message \[' } | Should -BeNullOrEmpty -Because 'the progress is removed once the run is done'
            $rows = Assert-SavedMessageTable -Lines $screen -Width $Width -Count $ReceiveCount -HerId $Ours
            $rows | ForEach-Object { $_ | Should -Match '\sTrue\s+False\s' } # marked downloaded, not kept from before
            Assert-NoErrorText -Lines $screen
            $null = Invoke-ConsoleCommand -Session $Console -Command '$Error.Count'
            Get-LastOutput $Console | Should -Be '0'
            @(Get-ChildItem -LiteralPath $Inbox -Filter *.xml) | Should -HaveCount $ReceiveCount
        }

        It 'Get-Edi2Notification | Save-Edi2Message -MarkDownloaded shows a table that fits, every header whole' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }

            $screen = @(Invoke-ConsoleCommand -Session $Console -Command "Get-Edi2Notification -HerId $SaveHerId | Save-Edi2Message -Path `$SaveFolder -MarkDownloaded")
            Save-ConsoleCapture -Name 'save' -Session $Console -Lines $screen

            $rows = Assert-SavedMessageTable -Lines $screen -Width $Width -Count 3 -HerId $SaveHerId
            $rows | ForEach-Object { $_ | Should -Match '\sTrue\s+False\s' }
            Assert-NoErrorText -Lines $screen
            @(Get-ChildItem -LiteralPath $SaveFolder -Filter *.xml) | Should -HaveCount 3
        }

        It 'Remove-Edi2Reservation asks first (N does nothing, Y releases) and -WhatIf only says what it would do' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $herId = $ReserveHerId
            $choices = '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help'
            $operation = "Performing the operation `"Release the reservation (clientLocked=false)`" on target `"HER-id $herId (client 'c1', Test); ledger $Ledger`"."
            $asking = {
                param($lines)
                # The choices and the default end the screen: on one row at 120 columns, on two at 80.
                @($lines).Count -gt 0 -and $lines[-1] -like '*(default is "Y"):' -and (Test-ConsoleText -Lines ($lines | Select-Object -Last 2) -Phrase "$choices (default is `"Y`"):")
            }
            # Whether c1 still holds the HER-id at NHN: then c2 is refused with 423 (Edi2.Api.Locked).
            function Test-HeldByC1 {
                $err = $null
                $null = Set-Edi2Reservation -Session $C2 -HerId $herId -LedgerPath (Join-Path $TestDrive "c2-$Width.json") -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
                if (-not $err) { return $false }
                Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Api.Locked'
                $true
            }

            $screen = @(Invoke-ConsoleCommand -Session $Console -Command "Set-Edi2Reservation -HerId $herId -LedgerPath `$Ledger -Confirm:`$false")
            @($screen -match '^\s*HerId\s+Locked\s+ReservedAt\s+RejectMessageFunctions$') | Should -HaveCount 1 -Because "the reservation table shows every header whole:`n$($screen -join "`n")"
            @($screen -match "^\s*$herId\s+True\s") | Should -HaveCount 1
            Test-HeldByC1 | Should -BeTrue

            # Asked, and answered No: nothing was done.
            $screen = @(Invoke-ConsoleCommand -Session $Console -Command "Remove-Edi2Reservation -HerId $herId -LedgerPath `$Ledger" -UntilScreen $asking -Because 'the -Confirm prompt')
            $asked = @(Get-LastOutput $Console -Asking)
            $asked | Should -Contain 'Confirm'
            $asked | Should -Contain 'Are you sure you want to perform this action?'
            Test-ConsoleText -Lines $asked -Phrase $choices | Should -BeTrue
            Test-ConsoleText -Lines $asked -Phrase $operation | Should -BeTrue -Because "the prompt says what and on what:`n$($asked -join "`n")"
            $before = Get-ConsolePromptCount $screen
            Send-ConsoleKeys -Session $Console -Text 'N'
            $null = Wait-ConsoleScreen -Session $Console -PromptAfter $before -Because 'the prompt after answering N'
            @(Get-LastOutput $Console)[-1] | Should -Match '\(default is "Y"\): ?N$' -Because 'nothing is printed after No'
            $null = Invoke-ConsoleCommand -Session $Console -Command 'Get-Edi2Reservation -LedgerPath $Ledger'
            @(@(Get-LastOutput $Console) -match "^\s*$herId\s+True\s") | Should -HaveCount 1 -Because 'the ledger still has the reservation'
            Test-HeldByC1 | Should -BeTrue -Because 'No sent nothing to NHN'

            # -WhatIf: one "What if:" line, no question, nothing done.
            $null = Invoke-ConsoleCommand -Session $Console -Command "Remove-Edi2Reservation -HerId $herId -LedgerPath `$Ledger -WhatIf"
            $whatIf = @(Get-LastOutput $Console)
            $whatIf[0] | Should -BeLike 'What if: *'
            Test-ConsoleText -Lines $whatIf -Phrase "What if: $operation" | Should -BeTrue -Because "-WhatIf says what it would do:`n$($whatIf -join "`n")"
            $whatIf | Should -Not -Contain 'Are you sure you want to perform this action?'
            Test-HeldByC1 | Should -BeTrue -Because '-WhatIf sent nothing to NHN'

            # Asked again, and answered Yes: released, and gone from the ledger.
            $screen = @(Invoke-ConsoleCommand -Session $Console -Command "Remove-Edi2Reservation -HerId $herId -LedgerPath `$Ledger" -UntilScreen $asking -Because 'the -Confirm prompt')
            $before = Get-ConsolePromptCount $screen
            Send-ConsoleKeys -Session $Console -Text 'Y'
            $null = Wait-ConsoleScreen -Session $Console -PromptAfter $before -Because 'the prompt after answering Y'
            @(Get-LastOutput $Console)[-1] | Should -Match '\(default is "Y"\): ?Y$' -Because 'nothing is printed after Yes (no error, no warning)'
            $null = Invoke-ConsoleCommand -Session $Console -Command 'Get-Edi2Reservation -LedgerPath $Ledger'
            @(Get-LastOutput $Console) | Should -BeNullOrEmpty -Because 'the ledger is empty now'
            Save-ConsoleCapture -Name 'confirm-whatif' -Session $Console
            Assert-NoErrorText -Lines (Get-ConsoleScreen -Session $Console -History)
            Test-HeldByC1 | Should -BeFalse -Because 'Yes released the HER-id at NHN, so another client may reserve it'
        }

        It 'prints an API error as PowerShell 7 does: the cmdlet and the Edi2 message, no .NET, an Edi2. ErrorId' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $unknown = '5d0c8a5e-1b7f-4c61-9e2a-3f4b5c6d7e8f'

            $null = Invoke-ConsoleCommand -Session $Console -Command "Get-Edi2Message -Id $unknown"
            $null = Assert-ConciseError -Session $Console -Cmdlet 'Get-Edi2Message' -Message "Message $unknown was not found"
            $id = @(Get-ConsoleErrorId $Console)
            Save-ConsoleCapture -Name 'error-not-found' -Session $Console

            $id | Should -HaveCount 1
            $id[0] | Should -BeLike 'Edi2.*'
            $id[0] | Should -Be 'Edi2.Api.NotFound,Edi2.PowerShell.Commands.GetEdi2MessageCommand'
        }

        It 'prints a Connect-Edi2 error (missing key file) as PowerShell 7 does, with an Edi2. ErrorId' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            # The message this error has, from the same command here.
            $err = $null
            try { Connect-Edi2 -ClientId c1 -KeyPath $MissingKey -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -ErrorAction Stop } catch { $err = $_ }
            $message = $err.Exception.Message
            $message | Should -Match 'no-such-key\.json'

            $null = Invoke-ConsoleCommand -Session $Console -Command 'Connect-Edi2 -ClientId c1 -KeyPath $MissingKey -Authority $Authority -ApiBaseUri $ApiBaseUri'
            $null = Assert-ConciseError -Session $Console -Cmdlet 'Connect-Edi2' -Message $message
            $id = @(Get-ConsoleErrorId $Console)
            Save-ConsoleCapture -Name 'error-connect' -Session $Console

            $id | Should -HaveCount 1
            $id[0] | Should -BeLike 'Edi2.*'
            $id[0] | Should -Be 'Edi2.Key.FileNotFound,Edi2.PowerShell.Commands.ConnectEdi2Command'
        }

        It 'Update-Edi2ClientKey asks first (N changes nothing), then rotates on Y and shows a list that fits' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $key = $RotationClients[$Width].KeyPath
            $before = (Get-FileHash -LiteralPath $key).Hash
            $asking = {
                param($lines)
                @($lines).Count -gt 0 -and $lines[-1] -like '*(default is "Y"):'
            }
            $null = Invoke-ConsoleCommand -Session $Console -Command "Connect-Edi2 -ClientId rot-$Width -KeyPath `$RotationKey -Authority `$Authority -ApiBaseUri `$ApiBaseUri"
            $operation = "Performing the operation `"Replace the key of HelseID client 'rot-$Width' with a new ES256 key registered through self-service at $($Fake.ApiBaseUri)`" on target `"$key`"."

            $screen = @(Invoke-ConsoleCommand -Session $Console -Command 'Update-Edi2ClientKey -SelfServiceUri $ApiBaseUri -Algorithm ES256' -UntilScreen $asking -Because 'the -Confirm prompt (ConfirmImpact High)')
            $asked = @(Get-LastOutput $Console -Asking)
            $asked | Should -Contain 'Are you sure you want to perform this action?'
            Test-ConsoleText -Lines $asked -Phrase $operation | Should -BeTrue -Because "the prompt says what and on what:`n$($asked -join "`n")"
            $count = Get-ConsolePromptCount $screen
            Send-ConsoleKeys -Session $Console -Text 'N'
            $null = Wait-ConsoleScreen -Session $Console -PromptAfter $count -Because 'the prompt after answering N'
            (Get-FileHash -LiteralPath $key).Hash | Should -Be $before -Because 'No changes nothing'
            Test-Path -LiteralPath "$key.pending" | Should -BeFalse

            $screen = @(Invoke-ConsoleCommand -Session $Console -Command 'Update-Edi2ClientKey -SelfServiceUri $ApiBaseUri -Algorithm ES256' -UntilScreen $asking -Because 'the -Confirm prompt')
            $count = Get-ConsolePromptCount $screen
            Send-ConsoleKeys -Session $Console -Text 'Y'
            $null = Wait-ConsoleScreen -Session $Console -PromptAfter $count -Because 'the prompt after the rotation'
            $output = @(Get-LastOutput $Console)
            Save-ConsoleCapture -Name 'update-client-key' -Session $Console
            (Get-FileHash -LiteralPath $key).Hash | Should -Not -Be $before
            $text = $output -join "`n"
            foreach ($name in 'Thumbprint', 'KeyId', 'Algorithm', 'Expiration', 'Path', 'BackupPath') {
                $text | Should -Match "(?m)^$name\s+: \S" -Because "the list shows $name at $Width columns:`n$text"
            }
            $text | Should -Match '(?m)^KeyId\s+: [0-9a-f]{32}$'
            foreach ($line in $output) { $line.Length | Should -BeLessOrEqual $Width }
            Assert-NoErrorText -Lines $output
            $null = Invoke-ConsoleCommand -Session $Console -Command 'Test-Edi2Connection | Out-Null; "rotated-ok"'
            @(Get-LastOutput $Console) | Should -Contain 'rotated-ok'
        }
    }
}
