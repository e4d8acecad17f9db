#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Receiving against the fake NHN: Save-Edi2Message in the issue's pipeline, Receive-Edi2Message runs, -WhatIf, and the
# error records of refusals. Run by ./build.ps1 -Task Test (after the module is laid out in out/Edi2).

Describe 'Receiving (Save-Edi2Message, Receive-Edi2Message)' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
        Import-Edi2TestModule

        $script:Ours = 8142519
        $script:OursToo = 8142520
        $keys = Join-Path $TestDrive 'keys'
        $null = New-Item -ItemType Directory -Path $keys
        $c1 = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
        $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $c1 -Organizations @(
            @{ orgNumber = '999999999'; herIds = @($Ours, $OursToo) }
        )
        $script:Session = Connect-Edi2 -ClientId 'c1' -KeyPath $c1.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -PassThru

        # v3 needs an MSH configuration per HER-id before it lets a client act for it.
        $script:Ledger = Join-Path $TestDrive 'reservations.json'
        $null = Set-Edi2Reservation -HerId $Ours, $OursToo -LedgerPath $Ledger -Confirm:$false -ErrorAction Stop

        # Sends a message from one of our HER-ids to the other. The fake delivers API to API at once, with a NewMessage
        # notification for the receiver; the message is found by the MsgHead's MsgId.
        function script:Send-TestMessage {
            param([int] $From = $OursToo, [int] $To = $Ours, [string] $Body = 'Test')
            $msgId = [guid]::NewGuid().ToString()
            $xml = New-TestMsgHead -Sender $From -Receiver $To -MsgId $msgId -Body $Body
            $sent = Send-Edi2Message -Content $xml -SenderHerId $From -ReceiverHerId $To -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
            $inbound = Get-Edi2Notification -HerId $To | Where-Object Type -eq NewMessage | Select-Object -Last 1 | Get-Edi2Message
            $inbound.BusinessDocumentId | Should -Be $msgId
            [pscustomobject]@{ SentId = $sent.Id; Id = $inbound.Id; Xml = $xml }
        }

        function script:New-TestFolder([string] $Name) {
            (New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name) -Force).FullName
        }

        # Each new message for $Ours, as Get-Edi2Notification lists them.
        function script:Get-NewMessageId([int] $HerId = $Ours) {
            @(Get-Edi2Notification -HerId $HerId | Where-Object Type -eq NewMessage | ForEach-Object RelatedMessageId)
        }
    }

    AfterAll {
        if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) { Disconnect-Edi2 -ErrorAction SilentlyContinue }
        if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    }

    Context 'Save-Edi2Message' {
        It 'saves what the issue pipeline finds and marks each message downloaded after its file is safe' {
            $sent = 1..3 | ForEach-Object { Send-TestMessage -Body "Melding $_" }
            $folder = New-TestFolder 'issue-pipeline'

            $saved = Get-Edi2Notification -HerId 8142519 | Where-Object Type -eq NewMessage | Get-Edi2Message |
                Save-Edi2Message -Path $folder -MarkDownloaded -ReceiverHerId 8142519

            $expected = Get-NewMessageId
            $saved | Should -HaveCount $expected.Count
            $saved | ForEach-Object { $_ | Should -BeOfType ([Edi2.Model.Edi2SavedMessage]) }
            ($saved.MessageId | Sort-Object) | Should -Be ($expected | Sort-Object)
            foreach ($s in $saved) {
                $s.Path | Should -Be (Join-Path $folder "$($s.MessageId).xml")
                $s.MarkedDownloaded | Should -BeTrue
                $s.ReceiverHerId | Should -Be 8142519
                $s.AlreadyPresent | Should -BeFalse
                $s.Length | Should -Be (Get-Item $s.Path).Length
                $s.Sha256 | Should -Be (Get-FileHash $s.Path -Algorithm SHA256).Hash
            }
            # The documents we sent are there as sent (UTF-8, byte for byte).
            foreach ($message in $sent) {
                [System.IO.File]::ReadAllText((Join-Path $folder "$($message.Id).xml"), [System.Text.Encoding]::UTF8) | Should -BeExactly $message.Xml
            }
            Get-ChildItem $folder -Force | Where-Object Name -like '*.partial' | Should -BeNullOrEmpty
        }

        It 'binds notifications directly (their RelatedMessageId and ReceiverHerId, not their own Id)' {
            $message = Send-TestMessage
            $folder = New-TestFolder 'from-notifications'

            $saved = Get-Edi2Notification -HerId $Ours | Where-Object RelatedMessageId -eq $message.Id |
                Save-Edi2Message -Path $folder -MarkDownloaded

            $saved.MessageId | Should -Be $message.Id
            $saved.ReceiverHerId | Should -Be $Ours
            $saved.MarkedDownloaded | Should -BeTrue
        }

        It 'keeps a file already there, and downloads again with -Force' {
            $message = Send-TestMessage
            $folder = New-TestFolder 'again'

            $first = Save-Edi2Message -Id $message.Id -Path $folder
            $second = Save-Edi2Message -Id $message.Id -Path $folder
            $forced = Save-Edi2Message -Id $message.Id -Path $folder -Force

            $first.AlreadyPresent | Should -BeFalse
            $second.AlreadyPresent | Should -BeTrue
            $second.Sha256 | Should -Be $first.Sha256
            $forced.AlreadyPresent | Should -BeFalse
            $forced.Sha256 | Should -Be $first.Sha256
            @(Get-ChildItem $folder -Force) | Should -HaveCount 1
        }

        It 'saves piped messages -ThrottleLimit <Limit> at a time and outputs them in the order they came, a missing one as its error' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 4 }
        ) {
            $ids = @(1..6 | ForEach-Object { (Send-TestMessage -Body "Throttle $Limit $_").Id })
            $missing = [guid]::NewGuid()
            $piped = $ids[0..2] + $missing + $ids[3..5]
            $folder = New-TestFolder "save-throttle-$Limit"

            $saved = $piped | Save-Edi2Message -Path $folder -MarkDownloaded -ReceiverHerId $Ours -ThrottleLimit $Limit -ErrorVariable failed -ErrorAction SilentlyContinue

            $saved.MessageId | Should -Be $ids
            $saved | ForEach-Object { $_.MarkedDownloaded | Should -BeTrue; $_.ReceiverHerId | Should -Be $Ours }
            $failed | Should -HaveCount 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'Edi2.Api.NotFound,*'
            $failed[0].TargetObject | Should -Be $missing
            @(Get-ChildItem $folder -Filter *.xml) | Should -HaveCount 6
        }

        It 'saves a piped message at once at -ThrottleLimit 4, while the input waits (as a -Wait stream does)' {
            $message = Send-TestMessage
            $folder = New-TestFolder 'save-slow-input'
            $file = Join-Path $folder "$($message.Id).xml"
            $probe = @{}

            $saved = & { $message.Id; Start-Sleep -Seconds 2; $probe.SavedMeanwhile = Test-Path $file } |
                Save-Edi2Message -Path $folder -MarkDownloaded -ReceiverHerId $Ours -ThrottleLimit 4

            $probe.SavedMeanwhile | Should -BeTrue -Because 'the message is saved before more input comes, not held for a window'
            $saved.MessageId | Should -Be $message.Id
            $saved.MarkedDownloaded | Should -BeTrue
        }

        It 'sends nothing under -WhatIf' {
            $message = Send-TestMessage
            $folder = Join-Path $TestDrive 'whatif-save'

            $out = Save-Edi2Message -Id $message.Id -Path $folder -MarkDownloaded -ReceiverHerId $Ours -WhatIf

            $out | Should -BeNullOrEmpty
            Test-Path $folder | Should -BeFalse # nothing downloaded: not even the folder was made
        }

        It 'needs -ReceiverHerId with -MarkDownloaded, and saves nothing without it' {
            $message = Send-TestMessage
            $folder = New-TestFolder 'no-receiver'

            $out = Save-Edi2Message -Id $message.Id -Path $folder -MarkDownloaded -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'Edi2.InvalidArgument,*'
            $err[0].TargetObject | Should -Be $message.Id
            @(Get-ChildItem $folder -Force) | Should -HaveCount 0
        }

        It 'reports a missing message as Edi2.Api.NotFound with the message id as target, and goes on' {
            $missing = [guid]::NewGuid()
            $message = Send-TestMessage
            $folder = New-TestFolder 'not-found'

            $saved = Save-Edi2Message -Id $missing, $message.Id -Path $folder -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'Edi2.Api.NotFound,Edi2.PowerShell.Commands.SaveEdi2MessageCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be $missing
            $saved.MessageId | Should -Be $message.Id
            Test-Path (Join-Path $folder "$missing.xml") | Should -BeFalse
        }

        It 'warns, as Receive-Edi2Message does, when a message saved earlier cannot be marked any more (404): no error, not marked' {
            # Saved by an earlier run, purged at NHN since: the file is kept, and the mark gets a 404.
            $purged = [guid]::NewGuid()
            $folder = New-TestFolder 'purged'
            Set-Content -LiteralPath (Join-Path $folder "$purged.xml") -Value '<MsgHead />' -NoNewline

            $saved = Save-Edi2Message -Id $purged -Path $folder -MarkDownloaded -ReceiverHerId $Ours `
                -ErrorVariable err -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue

            $err | Should -BeNullOrEmpty
            $warned | Should -HaveCount 1
            "$($warned[0])" | Should -BeLike "Message $purged is saved in * but was not marked downloaded for HER-id $Ours*HTTP 404*"
            $saved.MessageId | Should -Be $purged
            $saved.AlreadyPresent | Should -BeTrue
            $saved.MarkedDownloaded | Should -BeFalse
            $saved.ReceiverHerId | Should -Be $Ours
            Get-Content -Raw -LiteralPath $saved.Path | Should -Be '<MsgHead />'
        }
    }

    Context 'Receive-Edi2Message' {
        It 'saves every new message once, marks it, persists the offset, and a second run outputs nothing' {
            1..4 | ForEach-Object { $null = Send-TestMessage -Body "Batch $_" }
            $folder = New-TestFolder 'receive'

            $received = Receive-Edi2Message -HerId $Ours -Path $folder

            $expected = Get-NewMessageId
            $received | Should -HaveCount $expected.Count
            ($received.MessageId | Sort-Object) | Should -Be ($expected | Sort-Object)
            $received | ForEach-Object { $_.MarkedDownloaded | Should -BeTrue; $_.ReceiverHerId | Should -Be $Ours }
            @(Get-ChildItem $folder -Filter *.xml) | Should -HaveCount $expected.Count

            $state = @(Get-ChildItem $folder -Force -Filter '.edi2-receive-*.json')
            $state | Should -HaveCount 1
            $saved = Get-Content -Raw $state[0].FullName | ConvertFrom-Json
            $saved.offset | Should -Be (Get-Edi2Notification -HerId $Ours | Select-Object -Last 1).Offset
            $saved.clientId | Should -Be 'c1'
            $saved.herIds | Should -Be @($Ours)

            Receive-Edi2Message -HerId $Ours -Path $folder | Should -BeNullOrEmpty

            # Only what is new since is received next time.
            $later = Send-TestMessage
            $next = Receive-Edi2Message -HerId $Ours -Path $folder
            $next.MessageId | Should -Be $later.Id
        }

        It 'receives -ThrottleLimit <Limit> at a time, outputs in notification order and saves the offset of the last' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 8 }
        ) {
            1..6 | ForEach-Object { $null = Send-TestMessage -Body "Receive $Limit $_" }
            $folder = New-TestFolder "receive-throttle-$Limit"

            $received = Receive-Edi2Message -HerId $Ours -Path $folder -ThrottleLimit $Limit -PageSize 4

            $received.MessageId | Should -Be (Get-NewMessageId)
            $received | ForEach-Object { $_.MarkedDownloaded | Should -BeTrue }
            $state = Get-Content -Raw (Get-ChildItem $folder -Force -Filter '.edi2-receive-*.json').FullName | ConvertFrom-Json
            $state.offset | Should -Be (Get-Edi2Notification -HerId $Ours | Select-Object -Last 1).Offset
        }

        It 'refuses a -ThrottleLimit of <_>, outside 1 to 64, before doing anything' -ForEach 0, 65 {
            $folder = Join-Path $TestDrive "receive-throttle-bad-$_"
            { Receive-Edi2Message -HerId $Ours -Path $folder -ThrottleLimit $_ -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,Edi2.PowerShell.Commands.ReceiveEdi2MessageCommand'
            { New-Guid | Save-Edi2Message -Path $folder -ThrottleLimit $_ -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,Edi2.PowerShell.Commands.SaveEdi2MessageCommand'
            Test-Path $folder | Should -BeFalse
        }

        It 'stops at once under Select-Object -First 1 at -ThrottleLimit 4, and the next run receives the rest' {
            1..12 | ForEach-Object { $null = Send-TestMessage -Body "First $_" }
            $folder = New-TestFolder 'receive-first'
            $all = Get-NewMessageId

            $first = Receive-Edi2Message -HerId $Ours -Path $folder -ThrottleLimit 4 -PageSize 3 | Select-Object -First 1
            $rest = Receive-Edi2Message -HerId $Ours -Path $folder -ThrottleLimit 4

            $first.MessageId | Should -Be $all[0]
            # The offset was written for the run of messages done with the first (saved and marked, not output); the rerun
            # goes on after it, in order, and finds on disk what was saved ahead of the offset (kept, marked again).
            $rest.Count | Should -BeLessThan $all.Count
            $rest.MessageId | Should -Be $all[($all.Count - $rest.Count)..($all.Count - 1)]
            @($rest | Where-Object { -not $_.MarkedDownloaded }) | Should -BeNullOrEmpty
            @(Get-ChildItem $folder -Filter *.xml) | Should -HaveCount $all.Count
            @(Get-ChildItem $folder -Force -Filter '*.partial') | Should -BeNullOrEmpty
        }

        It 'downloads, marks and writes nothing under -WhatIf' {
            $null = Send-TestMessage
            $folder = Join-Path $TestDrive 'receive-whatif'

            Receive-Edi2Message -HerId $Ours -Path $folder -WhatIf | Should -BeNullOrEmpty

            Test-Path $folder | Should -BeFalse # not even the folder or the state file
            # Everything is still new for a real run.
            $real = Receive-Edi2Message -HerId $Ours -Path (New-TestFolder 'receive-after-whatif')
            $real | Should -HaveCount (Get-NewMessageId).Count
        }

        It 'keeps its offset in -StatePath and refuses that state for another HER-id set' {
            $folder = New-TestFolder 'receive-state'
            $statePath = Join-Path $TestDrive 'state/ours.json'

            $null = Receive-Edi2Message -HerId $Ours -Path $folder -StatePath $statePath
            Test-Path $statePath | Should -BeTrue

            { Receive-Edi2Message -HerId $Ours, $OursToo -Path $folder -StatePath $statePath -ErrorAction Stop } |
                Should -Throw -ErrorId 'Edi2.Receive.StateMismatch,Edi2.PowerShell.Commands.ReceiveEdi2MessageCommand'
        }

        It 'says so when -Path is a file, not a folder' {
            $file = Join-Path $TestDrive 'not-a-folder.txt'
            Set-Content -LiteralPath $file -Value 'x'
            $err = $null
            try { Receive-Edi2Message -HerId $Ours -Path $file -StatePath (Join-Path $TestDrive 'file-state.json') } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'Edi2.InvalidArgument*'
            $err.Exception.Message | Should -BeLike "*'$file' is a file, not a folder*"
            $err.TargetObject | Should -Be $file
        }

        It 'fails at once with Edi2.Receive.StateLocked naming the state file when another run holds it' {
            $folder = New-TestFolder 'receive-locked'
            $statePath = Join-Path $folder 'state.json'
            $lock = [System.IO.File]::Open("$statePath.lock", 'OpenOrCreate', 'ReadWrite', 'None') # as a running Receive-Edi2Message does
            try {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $err = $null
                try { Receive-Edi2Message -HerId $Ours -Path $folder -StatePath $statePath -ErrorAction Stop } catch { $err = $_ }
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5

                $err.FullyQualifiedErrorId | Should -Be 'Edi2.Receive.StateLocked,Edi2.PowerShell.Commands.ReceiveEdi2MessageCommand'
                $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
                $err.TargetObject | Should -Be $statePath
                $err.Exception.Message | Should -BeLike "*$statePath*"

                # -LockTimeout (in seconds) waits, then fails the same way.
                $watch.Restart()
                { Receive-Edi2Message -HerId $Ours -Path $folder -StatePath $statePath -LockTimeout 1 -ErrorAction Stop } |
                    Should -Throw -ErrorId 'Edi2.Receive.StateLocked,*'
                $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
            } finally {
                $lock.Dispose()
            }
            @(Get-ChildItem $folder -Filter *.xml) | Should -HaveCount 0
            # Once it is free, the run goes ahead.
            Receive-Edi2Message -HerId $Ours -Path $folder -StatePath $statePath | Should -Not -BeNullOrEmpty
        }

        It 'outputs other notifications with -IncludeOtherNotifications and passes over them without' {
            # $Ours answers a message from $OursToo with a receipt: $OursToo gets MessageApprecInfoUpdated (about the message
            # it sent) and the AppRec itself as a NewMessage.
            $message = Send-TestMessage -From $OursToo -To $Ours
            $null = Send-Edi2Receipt -MessageId $message.Id -SenderHerId $Ours -Status Ok -Confirm:$false -ErrorAction Stop

            $quiet = Receive-Edi2Message -HerId $OursToo -Path (New-TestFolder 'others-quiet')
            $quiet | ForEach-Object { $_ | Should -BeOfType ([Edi2.Model.Edi2SavedMessage]) }

            $loud = Receive-Edi2Message -HerId $OursToo -Path (New-TestFolder 'others-loud') -IncludeOtherNotifications
            $notifications = @($loud | Where-Object { $_ -is [Edi2.Model.Edi2Notification] })
            $notifications.Type | Should -Contain 'MessageApprecInfoUpdated'
            ($notifications | Where-Object Type -eq 'MessageApprecInfoUpdated').RelatedMessageId | Should -Contain $message.SentId
            @($loud | Where-Object { $_ -is [Edi2.Model.Edi2SavedMessage] }) | Should -HaveCount @($quiet).Count
        }
    }
}
