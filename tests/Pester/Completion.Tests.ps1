#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Tab completion as the console asks for it (TabExpansion2, what PSReadLine calls on Tab), after real cmdlets ran against
# the fake NHN: -HerId and the own -ReceiverHerId/-SenderHerId from the session's history and the reservation ledger,
# -Id/-MessageId from the message ids the session has seen, Connect-Edi2 -Vault from SecretManagement (the test double in
# tests/Modules), -Path from the file system. Without a session or a module: nothing, and no error. Run by
# ./build.ps1 -Task Test (after the module is laid out in out/Edi2).

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $script:Ours = 8142519
    $script:OursToo = 8142520
    $script:Third = 8142530
    $keys = Join-Path $TestDrive 'keys'
    $null = New-Item -ItemType Directory -Path $keys
    $script:C1 = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $C1 -Organizations @(
        @{ orgNumber = '999999999'; herIds = @($Ours, $OursToo, $Third) }
    )
    $script:Connect = @{ ClientId = 'c1'; KeyPath = $C1.KeyPath; Authority = $Fake.Issuer; ApiBaseUri = $Fake.ApiBaseUri }
    $script:Ledger = Join-Path $TestDrive 'reservations.json'
    $script:NoLedger = Join-Path $TestDrive 'no-such-ledger.json'

    # The default ledger (<LocalApplicationData>/Edi2/reservations.json) is read by the completers of cmdlets without
    # -LedgerPath. On Linux it follows XDG_DATA_HOME, so it is this test's own; elsewhere it is the user's, and the tests
    # that need it empty or known are skipped.
    $script:SavedXdgDataHome = $env:XDG_DATA_HOME
    $script:DefaultLedgerSkip = if ($IsLinux) { $null } else { 'the default ledger can be moved away from the user''s own only on Linux (XDG_DATA_HOME)' }
    if ($IsLinux) { $env:XDG_DATA_HOME = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'xdg')).FullName }

    # What Tab offers at the end of $Line (the cursor after its last character), and how long it took.
    function script:Get-Completion([string] $Line) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        $watch.Stop()
        $script:LastCompletionTime = $watch.Elapsed
        @($result.CompletionMatches | ForEach-Object CompletionText)
    }

    function script:Send-ToOurs([string] $Body) {
        $xml = New-TestMsgHead -Sender $OursToo -Receiver $Ours -Body $Body
        Send-Edi2Message -Content $xml -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
    }
}

AfterAll {
    if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) {
        Get-Edi2Session | ForEach-Object { Disconnect-Edi2 -Session $_ -ErrorAction SilentlyContinue }
        Disconnect-Edi2 -ErrorAction SilentlyContinue
    }
    Remove-Variable -Name Edi2CompletionOther -Scope Global -ErrorAction SilentlyContinue
    $env:XDG_DATA_HOME = $script:SavedXdgDataHome
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
}

Describe 'Tab completion' {
    Context 'with no session' {
        BeforeAll { Disconnect-Edi2 -ErrorAction SilentlyContinue }

        It 'offers no message id and no HER-id, and writes no error' {
            Get-Edi2Session | Should -BeNullOrEmpty
            $errors = $Error.Count
            Get-Completion 'Get-Edi2Message -Id ' | Should -BeNullOrEmpty
            Get-Completion 'Save-Edi2Message -Path x -Id 0' | Should -BeNullOrEmpty
            Get-Completion 'Get-Edi2MessageStatus ' | Should -BeNullOrEmpty
            Get-Completion "Remove-Edi2Reservation -LedgerPath '$NoLedger' -HerId 81" | Should -BeNullOrEmpty
            Get-Completion "Get-Edi2Reservation -LedgerPath '$NoLedger' " | Should -BeNullOrEmpty
            if (-not $DefaultLedgerSkip) {
                Get-Completion 'Get-Edi2Notification -HerId ' | Should -BeNullOrEmpty
                Get-Completion 'Confirm-Edi2Message -Id x -ReceiverHerId ' | Should -BeNullOrEmpty
            }
            $Error.Count | Should -Be $errors
        }

        It 'offers nothing for a ledger that cannot be read, without an error' {
            $corrupt = Join-Path $TestDrive 'corrupt.json'
            Set-Content -LiteralPath $corrupt -Value '{ not json'
            $errors = $Error.Count
            Get-Completion "Get-Edi2Reservation -LedgerPath '$corrupt' -HerId " | Should -BeNullOrEmpty
            $Error.Count | Should -Be $errors
        }
    }

    Context 'after cmdlets ran against the fake NHN' {
        BeforeAll {
            Connect-Edi2 @Connect
            $script:Reserved = Set-Edi2Reservation -HerId $Ours, $OursToo, $Third -LedgerPath $Ledger -Confirm:$false -ErrorAction Stop
            $script:Sent = 1..3 | ForEach-Object { Send-ToOurs "Melding $_" }
            $script:Notes = @(Get-Edi2Notification -HerId $Ours | Where-Object Type -eq NewMessage)
        }

        It 'offers the related message ids of the notifications for Get-Edi2Message -Id, newest first' {
            $notes.Count | Should -Be 3
            $offered = Get-Completion 'Get-Edi2Message -Id '
            $expected = @($notes | ForEach-Object { $_.RelatedMessageId.ToString() })
            [array]::Reverse($expected)
            @($offered | Select-Object -First 3) | Should -Be $expected -Because 'the newest notification is offered first'
            # The ids of the messages sent are known too (the sender's copies).
            foreach ($sent in $Sent) { $offered | Should -Contain $sent.Id.ToString() }
            $LastCompletionTime.TotalSeconds | Should -BeLessThan 2
        }

        It 'offers the same ids for every message cmdlet, by name, alias and position' {
            $first = $notes[-1].RelatedMessageId.ToString()
            foreach ($line in 'Save-Edi2Message -Path x -Id ', 'Save-Edi2Message -MessageId ', 'Confirm-Edi2Message -Id ',
                'Get-Edi2MessageStatus -Id ', 'Send-Edi2Receipt -Status Ok -MessageId ', 'Get-Edi2Message ') {
                $offered = Get-Completion $line
                $offered | Should -Contain $first -Because "'$line<Tab>' offers the message ids seen"
            }
        }

        It 'offers only the ids that start with what was typed' {
            $target = $notes[0].RelatedMessageId.ToString()
            $offered = Get-Completion ('Get-Edi2Message -Id ' + $target.Substring(0, 13))
            $offered | Should -Be @($target)
            # Quoted and in upper case as well.
            Get-Completion ("Get-Edi2Message -Id '" + $target.Substring(0, 8).ToUpperInvariant()) | Should -Be @($target)
            Get-Completion 'Get-Edi2Message -Id zzzz' | Should -BeNullOrEmpty
        }

        It 'puts a message saved or looked up since first' {
            $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'saved')).FullName
            $saved = Save-Edi2Message -Id $notes[0].RelatedMessageId -Path $folder
            (Get-Completion 'Get-Edi2MessageStatus -Id ')[0] | Should -Be $saved.MessageId.ToString()
            $status = Get-Edi2MessageStatus -Id $Sent[0].Id
            (Get-Completion 'Confirm-Edi2Message -Id ')[0] | Should -Be $Sent[0].Id.ToString()
        }

        It 'offers the reserved HER-ids for -HerId from the -LedgerPath typed on the line, and only those that match' {
            # A new session that has used nothing: what is offered comes from the ledger only.
            Disconnect-Edi2
            Connect-Edi2 @Connect
            $offered = Get-Completion "Remove-Edi2Reservation -LedgerPath '$Ledger' -HerId "
            $offered | Should -Be @("$Ours", "$OursToo", "$Third")
            Get-Completion "Remove-Edi2Reservation -LedgerPath '$Ledger' -HerId 814253" | Should -Be @("$Third")
            Get-Completion "Get-Edi2Reservation -LedgerPath '$Ledger' " | Should -Be @("$Ours", "$OursToo", "$Third") -Because '-HerId is at position 0'
            # A relative -LedgerPath is relative to PowerShell's location, not the process's.
            Push-Location -LiteralPath $TestDrive
            try {
                Get-Completion 'Set-Edi2Reservation -LedgerPath ./reservations.json -HerId 8142' | Should -Be @("$Ours", "$OursToo", "$Third")
            } finally { Pop-Location }
            $LastCompletionTime.TotalSeconds | Should -BeLessThan 2
            # With no ledger there, only what the session used (nothing yet).
            Get-Completion "Get-Edi2Reservation -LedgerPath '$NoLedger' -HerId " | Should -BeNullOrEmpty
        }

        It 'offers the HER-ids of the default ledger where no -LedgerPath is typed' {
            if ($DefaultLedgerSkip) { Set-ItResult -Skipped -Because $DefaultLedgerSkip; return }
            Disconnect-Edi2
            Get-Completion 'Get-Edi2Reservation -HerId ' | Should -BeNullOrEmpty -Because 'the default ledger is empty'
            Connect-Edi2 @Connect
            $null = Set-Edi2Reservation -HerId $Third -Confirm:$false -ErrorAction Stop
            Test-Path -LiteralPath (Join-Path $env:XDG_DATA_HOME 'Edi2/reservations.json') | Should -BeTrue
            Disconnect-Edi2
            Get-Completion 'Remove-Edi2Reservation -HerId ' | Should -Be @("$Third") -Because 'the default ledger has it, with no session'
            Connect-Edi2 @Connect
        }

        It 'offers the HER-ids this session used for -HerId and the own -ReceiverHerId/-SenderHerId, newest first' {
            # A fresh session: what it offers first is what it used, newest first.
            Disconnect-Edi2
            Connect-Edi2 @Connect
            $null = Get-Edi2Notification -HerId $OursToo
            $null = Get-Edi2Notification -HerId $Ours
            @(Get-Completion 'Get-Edi2Notification -HerId ' | Select-Object -First 2) | Should -Be @("$Ours", "$OursToo")
            @(Get-Completion 'Confirm-Edi2Message -Id x -ReceiverHerId ' | Select-Object -First 2) | Should -Be @("$Ours", "$OursToo")
            Get-Completion 'Save-Edi2Message -Path x -ReceiverHerId 8142520' | Should -Be @("$OursToo")
            Get-Completion "Remove-Edi2Reservation -LedgerPath '$Ledger' -HerId " | Should -Be @("$Ours", "$OursToo", "$Third") -Because 'the session''s first, then the rest of the ledger''s'
            $null = Send-ToOurs 'Fra den andre'
            (Get-Completion 'Send-Edi2Message -SenderHerId ')[0] | Should -Be "$OursToo" -Because 'it sent last'
            (Get-Completion 'Send-Edi2Receipt -MessageId x -Status Ok -SenderHerId ')[0] | Should -Be "$OursToo"
            if (-not $DefaultLedgerSkip) {
                Get-Completion 'Receive-Edi2Message -HerId ' | Should -Be @("$OursToo", "$Ours", "$Third") -Because 'the session''s, then the default ledger''s'
            }
        }

        It 'reads the history of the session given with -Session, not the default one' {
            $global:Edi2CompletionOther = Connect-Edi2 @Connect -PassThru
            Connect-Edi2 @Connect # the default again, a fresh one
            $null = Get-Edi2Notification -Session $global:Edi2CompletionOther -HerId $Third
            Get-Completion "Remove-Edi2Reservation -LedgerPath '$NoLedger' -HerId " | Should -BeNullOrEmpty -Because 'the default session used nothing yet'
            Get-Completion "Remove-Edi2Reservation -Session `$Edi2CompletionOther -LedgerPath '$NoLedger' -HerId " | Should -Be @("$Third")
            (Get-Completion 'Get-Edi2Message -Session $Edi2CompletionOther -Id ') | Should -BeNullOrEmpty -Because 'that session saw no message'
        }

        It 'still completes, from memory, with NHN gone (completion never calls it)' {
            $null = Get-Edi2Notification -HerId $Ours
            Stop-FakeNhn -Fake $Fake
            $script:Fake = $null
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            Get-Completion 'Get-Edi2Message -Id ' | Should -Contain $notes[0].RelatedMessageId.ToString()
            Get-Completion "Get-Edi2Notification -LedgerPath '$Ledger' -HerId " | Should -Contain "$Ours"
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        }
    }

    Context '-Path' {
        It 'stays file completion' {
            $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'completion-folder')
            $file = New-Item -ItemType File -Path (Join-Path $folder 'document-to-send.xml')
            $offered = Get-Completion ("Send-Edi2Message -Path '" + (Join-Path $folder 'document-to'))
            ($offered -join ' ') | Should -Match 'document-to-send\.xml'
            $offered = Get-Completion ("Save-Edi2Message -Id x -Path '" + (Join-Path $TestDrive 'completion-fo'))
            ($offered -join ' ') | Should -Match 'completion-folder'
        }
    }

    Context 'Connect-Edi2 -Vault' {
        BeforeAll {
            $script:SavedModulePath = $env:PSModulePath
            $script:TestModules = Join-Path (Join-Path $RepoRoot 'tests') 'Modules'
        }
        AfterAll {
            if (Get-Module Microsoft.PowerShell.SecretManagement) {
                Get-SecretVault | Where-Object Name -like 'Edi2Completion*' | Unregister-SecretVault -ErrorAction SilentlyContinue
                Remove-Module Microsoft.PowerShell.SecretManagement
            }
            $env:PSModulePath = $script:SavedModulePath
        }

        It 'offers nothing, without an error, where SecretManagement is not installed' {
            Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            # Only PowerShell's own modules: no SecretManagement anywhere.
            $env:PSModulePath = Join-Path $PSHOME 'Modules'
            $errors = $Error.Count
            Get-Completion 'Connect-Edi2 -ClientId c1 -Vault ' | Should -BeNullOrEmpty
            $Error.Count | Should -Be $errors
            Get-Module Microsoft.PowerShell.SecretManagement | Should -BeNullOrEmpty
        }

        It 'offers the registered vaults from Get-SecretVault, and only those that match' {
            $env:PSModulePath = $TestModules + [System.IO.Path]::PathSeparator + $script:SavedModulePath
            Import-Module Microsoft.PowerShell.SecretManagement -ErrorAction Stop
            Register-SecretVault -Name 'Edi2CompletionVault' -ModuleName 'TestVault'
            Register-SecretVault -Name 'Edi2Completion Spaced' -ModuleName 'TestVault'
            $offered = Get-Completion 'Connect-Edi2 -ClientId c1 -Vault '
            $offered | Should -Contain 'Edi2CompletionVault'
            $offered | Should -Contain "'Edi2Completion Spaced'" -Because 'a name with a space is quoted'
            Get-Completion 'Connect-Edi2 -ClientId c1 -Vault Edi2CompletionV' | Should -Be @('Edi2CompletionVault')
            Get-Completion 'Connect-Edi2 -ClientId c1 -Vault nothing-like-it' | Should -BeNullOrEmpty
        }

        It 'loads SecretManagement by itself when it is installed but not loaded' {
            $env:PSModulePath = $TestModules + [System.IO.Path]::PathSeparator + $script:SavedModulePath
            Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            # The test double keeps its vaults for the process, as the real one keeps them for the user.
            Get-Completion 'Connect-Edi2 -ClientId c1 -Vault Edi2CompletionV' | Should -Be @('Edi2CompletionVault')
        }
    }
}
