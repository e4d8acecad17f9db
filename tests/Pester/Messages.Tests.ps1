#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Sending, receipts, status and message metadata against the fake NHN, through the built module in out/Edi2.

Describe 'Messages (Send-Edi2Message, Send-Edi2Receipt, Get-Edi2MessageStatus, Get-Edi2Message, Confirm-Edi2Message)' {
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
            @{ orgNumber = '888888888'; herIds = @(9000001) }
        )
        # A v2 session lists unread messages, which shows whether a message was marked; v3 (the default) does the rest.
        $script:V2 = Connect-Edi2 -ClientId 'c1' -KeyPath $c1.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -ApiVersion 2 -PassThru
        Connect-Edi2 -ClientId 'c1' -KeyPath $c1.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri
        $null = Set-Edi2Reservation -HerId $Ours, $OursToo -LedgerPath (Join-Path $TestDrive 'ledger.json') -Confirm:$false -ErrorAction Stop

        function script:Send-Test([string] $Body = 'Hei') {
            $xml = New-TestMsgHead -Sender $OursToo -Receiver $Ours -Body $Body
            Send-Edi2Message -Content $xml -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
        }
    }

    AfterAll {
        Disconnect-Edi2 -ErrorAction SilentlyContinue
        if ($script:V2) { Disconnect-Edi2 -Session $script:V2 }
        if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    }

    It 'sends a file and returns the new message id' {
        $path = Join-Path $TestDrive 'dialog.xml'
        [System.IO.File]::WriteAllText($path, (New-TestMsgHead -Sender $OursToo -Receiver $Ours -Body 'Fra fil, æøå'), [System.Text.UTF8Encoding]::new($false))
        $sent = Send-Edi2Message -Path $path -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false
        $sent.Id | Should -BeOfType [guid]
        $sent.ReceiverHerIds | Should -Be @($Ours)
        (Get-Edi2Message -Id $sent.Id).SenderHerId | Should -Be $OursToo
    }

    It 'sends files piped from Get-ChildItem' {
        $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'outbox')).FullName
        1..2 | ForEach-Object {
            [System.IO.File]::WriteAllText((Join-Path $folder "m$_.xml"), (New-TestMsgHead -Sender $OursToo -Receiver $Ours), [System.Text.UTF8Encoding]::new($false))
        }
        $sent = Get-ChildItem $folder -Filter *.xml | Send-Edi2Message -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false
        @($sent).Count | Should -Be 2
    }

    It 'refuses a document that is not well-formed XML, or too large, before sending' {
        $before = @(Get-Edi2Notification -HerId $Ours).Count
        $err = $null
        Send-Edi2Message -Content '<MsgHead><broken></MsgHead>' -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Api.InvalidDocument'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'

        $big = Join-Path $TestDrive 'big.xml'
        $stream = [System.IO.File]::Create($big); $stream.SetLength(35000001); $stream.Dispose()
        $err = $null
        Send-Edi2Message -Path $big -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Api.InvalidDocument'
        $err[0].Exception.Message | Should -Match '35 MB'
        @(Get-Edi2Notification -HerId $Ours).Count | Should -Be $before
    }

    It 'sends nothing under -WhatIf' {
        $before = @(Get-Edi2Notification -HerId $Ours).Count
        $xml = New-TestMsgHead -Sender $OursToo -Receiver $Ours
        Send-Edi2Message -Content $xml -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -WhatIf | Should -BeNullOrEmpty
        @(Get-Edi2Notification -HerId $Ours).Count | Should -Be $before
    }

    It 'binds a notification to the message it is about, not to its own id' {
        $sent = Send-Test
        $notification = Get-Edi2Notification -HerId $Ours | Where-Object RelatedMessageId -eq $sent.Id
        $notification.Id | Should -Not -Be $sent.Id
        ($notification | Get-Edi2Message).Id | Should -Be $sent.Id
    }

    It 'answers with a receipt the sender sees in the status' {
        $sent = Send-Test
        $receipt = Get-Edi2Notification -HerId $Ours | Where-Object RelatedMessageId -eq $sent.Id |
            Send-Edi2Receipt -Status Rejected -ErrorCode E10 -ErrorDetail 'Ugyldig meldingsidentifikator' -Confirm:$false
        $receipt.MessageId | Should -Be $sent.Id
        $receipt.Status | Should -Be 'Rejected'
        $status = Get-Edi2MessageStatus -Id $sent.Id
        $status.ReceiverHerId | Should -Be $Ours
        $status.AppRecStatus | Should -Be 'Rejected'
        $status.AppRecErrors[0].ErrorCode | Should -Be 'E10'
        $status.AppRecId | Should -Be $receipt.Id
        ($status | Format-Table | Out-String) | Should -Match 'Rejected'
    }

    It 'refuses a Rejected receipt without an error before sending' {
        $sent = Send-Test
        $err = $null
        try { Send-Edi2Receipt -MessageId $sent.Id -SenderHerId $Ours -Status Rejected -Confirm:$false } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.InvalidArgument'
        (Get-Edi2MessageStatus -Id $sent.Id).AppRecStatus | Should -BeNullOrEmpty
    }

    It 'refuses an Ok receipt that carries errors before sending' {
        $sent = Send-Test
        $err = $null
        try { Send-Edi2Receipt -MessageId $sent.Id -SenderHerId $Ours -Status Ok -ErrorCode E10 -Confirm:$false } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.InvalidArgument'
        $err.Exception.Message | Should -BeLike '*An Ok receipt carries no errors*E10*Nothing was sent*'
        (Get-Edi2MessageStatus -Id $sent.Id).AppRecStatus | Should -BeNullOrEmpty
    }

    It 'marks downloaded, and not under -WhatIf' {
        $sent = Send-Test
        Confirm-Edi2Message -Id $sent.Id -ReceiverHerId $Ours -WhatIf
        (Get-Edi2Message -ReceiverHerId $Ours -Session $V2).Id | Should -Contain $sent.Id
        Confirm-Edi2Message -Id $sent.Id -ReceiverHerId $Ours -Confirm:$false
        (Get-Edi2Message -ReceiverHerId $Ours -Session $V2).Id | Should -Not -Contain $sent.Id
        $err = $null
        Confirm-Edi2Message -Id ([guid]::NewGuid()) -ReceiverHerId $Ours -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Api.NotFound'
        $err[0].TargetObject | Should -BeOfType [guid]
    }

    It 'reports a message it may not read as Edi2.Api.NotFound or Forbidden with the id as target, and goes on' {
        $missing = [guid]::NewGuid()
        $sent = Send-Test
        $err = $null
        $found = Get-Edi2Message -Id $missing, $sent.Id -ErrorVariable err -ErrorAction SilentlyContinue
        @($found).Count | Should -Be 1
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Api.NotFound'
        $err[0].TargetObject | Should -Be $missing
    }

    It 'renders its objects in the default views' {
        $sent = Send-Test
        (Get-Edi2Message -Id $sent.Id | Out-String) | Should -Match ([regex]::Escape($sent.Id.ToString()))
        (Get-Edi2Notification -HerId $Ours | Select-Object -First 1 | Out-String) | Should -Match 'NewMessage'
        ($sent | Out-String) | Should -Match ([regex]::Escape($sent.Id.ToString()))
    }

    It 'says clearly that v3-only cmdlets need API version 3' {
        $err = $null
        try { Get-Edi2Notification -HerId $Ours -Session $V2 } catch { $err = $_ }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.Api.NotSupportedInVersion'
        $err.Exception.Message | Should -Match 'version 2'
    }

    # -Content is [object]: what came out of a function, a pipeline or Get-Content arrives in a PSObject wrapper (or, for
    # bytes a script block output, as object[]); it must still be sent as those very bytes or that text.
    It 'sends -Content given as <Case> unchanged' -ForEach @(
        @{ Case = 'bytes from Get-Content -AsByteStream -Raw (a wrapped byte[])'; Make = { param($path) if ($PSVersionTable.PSEdition -eq 'Core') { Get-Content -LiteralPath $path -AsByteStream -Raw } else { Get-Content -LiteralPath $path -Encoding Byte -Raw } } }
        @{ Case = 'a [psobject]-wrapped byte[]'; Make = { param($path) [psobject][System.IO.File]::ReadAllBytes($path) } }
        @{ Case = "bytes a script block output (& { [byte[]]... })"; Make = { param($path) & { [byte[]][System.IO.File]::ReadAllBytes($path) } } }
        @{ Case = 'a wrapped string from Get-Content -Raw'; Make = { param($path) Get-Content -LiteralPath $path -Raw -Encoding utf8 } }
        @{ Case = "a string from a function's output, wrapped"; Make = { param($path) [psobject](& { [System.IO.File]::ReadAllText($path) }) } }
    ) {
        $path = Join-Path $TestDrive "wrapped-$([guid]::NewGuid()).xml"
        [System.IO.File]::WriteAllText($path, (New-TestMsgHead -Sender $OursToo -Receiver $Ours -Body 'Innpakket, æøå'), [System.Text.UTF8Encoding]::new($false))
        $content = & $Make $path
        $sent = Send-Edi2Message -Content $content -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
        $sent.Id | Should -BeOfType [guid]
        $folder = Join-Path $TestDrive "wrapped-out-$($sent.Id)"
        $saved = Save-Edi2Message -Id $sent.Id -Path $folder -ErrorAction Stop
        [System.IO.File]::ReadAllText($saved.Path) | Should -BeExactly ([System.IO.File]::ReadAllText($path))
    }

    It 'sends -Content given as the lines Get-Content read (wrapped strings) as the document, lines joined with line feeds' {
        $path = Join-Path $TestDrive "lines-$([guid]::NewGuid()).xml"
        $text = (New-TestMsgHead -Sender $OursToo -Receiver $Ours -Body 'Linjer').Replace("`r`n", "`n")
        [System.IO.File]::WriteAllText($path, $text, [System.Text.UTF8Encoding]::new($false))
        $sent = Send-Edi2Message -Content (Get-Content -LiteralPath $path -Encoding utf8) -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
        $saved = Save-Edi2Message -Id $sent.Id -Path (Join-Path $TestDrive "lines-out-$($sent.Id)") -ErrorAction Stop
        [System.IO.File]::ReadAllText($saved.Path) | Should -BeExactly $text
    }
}
