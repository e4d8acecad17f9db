#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# docs/security.md, shown in pwsh through the built module: no token leaves for another host (requests stay under the
# API base, redirects are not followed), health data is owner-only on Unix, and no key, token, proof or assertion shows
# anywhere a user can see (CliXml, $Error, transcripts, state, ledger, the files Edi2 writes). A capture server on
# another loopback port (a bare TcpListener that is never accepted from) must have no connection waiting.

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $script:Ours = 8142519
    $script:OursToo = 8142520
    $client = New-FakeNhnClient -ClientId 'security-client' -OrgNumber '999999999' -Folder $TestDrive
    $script:KeyPath = $client.KeyPath
    $script:KeyD = (Get-Content -Raw $client.KeyPath | ConvertFrom-Json).d
    $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients @($client) -Organizations @(
        [ordered]@{ orgNumber = '999999999'; herIds = @($script:Ours, $script:OursToo); parentOrgNumber = $null }
    )
    $script:Endpoints = @{ Authority = $script:Fake.Issuer; ApiBaseUri = $script:Fake.ApiBaseUri }

    $script:Capture = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $script:Capture.Start()
    $script:CapturePort = $script:Capture.LocalEndpoint.Port

    # Any JWT (token, proof, client assertion): header and payload are base64url JSON objects.
    $script:Jwt = 'eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+'
    function script:Assert-NoSecret([string] $Text, [string] $Where) {
        $Text | Should -Not -Match $script:Jwt -Because "$Where must hold no token, proof or assertion"
        $Text | Should -Not -Match ([regex]::Escape($script:KeyD)) -Because "$Where must hold no private key"
    }

    $script:IsUnix = [System.Environment]::OSVersion.Platform -ne 'Win32NT'
    $script:SecondAccount = $script:IsUnix -and (& id -u) -eq '0' -and (Get-Command useradd, runuser -ErrorAction SilentlyContinue).Count -eq 2
}

AfterAll {
    Disconnect-Edi2 -ErrorAction SilentlyContinue
    if ($script:Capture) { $script:Capture.Stop() }
    if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    Remove-Module Edi2 -ErrorAction SilentlyContinue
}

Describe 'Requests go only under the API base' {
    BeforeAll { Connect-Edi2 -ClientId security-client -KeyPath $script:KeyPath @script:Endpoints }
    AfterAll { Disconnect-Edi2 }

    It 'refuses <Form> with Edi2.InvalidArgument naming it and the API base, and sends nothing' -ForEach @(
        @{ Form = 'http://127.0.0.1:{capture}/x' }
        @{ Form = 'HTTP://127.0.0.1:{capture}/x' }
        @{ Form = 'http://localhost:{capture}/x' }
        @{ Form = '//127.0.0.1:{capture}/x' }
        @{ Form = '../x' }
        @{ Form = 'messages/../../x' }
        @{ Form = '%2e%2e/x' }
        @{ Form = 'messages%2f..%2fx' }
        @{ Form = '..\x' }
    ) {
        $path = $Form.Replace('{capture}', [string]$script:CapturePort)
        Invoke-Edi2Request -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err | Should -HaveCount 1
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.InvalidArgument'
        $err[0].Exception.Message | Should -BeLike "*'$path'*"
        $err[0].Exception.Message | Should -BeLike "*$($script:Fake.ApiBaseUri)*"
        # What PowerShell prints is the message, without the engine's parameter name that .NET appends.
        $err[0].ToString() | Should -Not -BeLike "*(Parameter '*"
        $err[0].ToString() | Should -BeLike "*'$path'*"
        $script:Capture.Pending() | Should -BeFalse
    }

    It 'takes a path with or without a leading slash' {
        (Invoke-Edi2Request -Path ping).response | Should -Be 'Pong'
        (Invoke-Edi2Request -Path /ping).response | Should -Be 'Pong'
    }

    It 'does not follow a redirect from the API: Edi2.Api.Redirected names the target, which gets nothing' {
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $listener = [System.Net.HttpListener]::new()
        $listener.Prefixes.Add("http://127.0.0.1:$port/")
        $listener.Start()
        $target = "http://127.0.0.1:$($script:CapturePort)/stolen"
        $server = [powershell]::Create()
        $null = $server.AddScript({
            param($listener, $target)
            while ($listener.IsListening) {
                try { $context = $listener.GetContext() } catch { break }
                $context.Response.StatusCode = 302
                $context.Response.RedirectLocation = $target
                $context.Response.Close()
            }
        }).AddArgument($listener).AddArgument($target)
        $run = $server.BeginInvoke()
        try {
            $session = Connect-Edi2 -ClientId security-client -KeyPath $script:KeyPath -Authority $script:Fake.Issuer -ApiBaseUri "http://127.0.0.1:$port/" -PassThru
            Invoke-Edi2Request -Session $session -Path ping -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            Disconnect-Edi2 -Session $session
        } finally {
            $listener.Stop(); $listener.Close()
            $null = $run.AsyncWaitHandle.WaitOne(5000); $server.Dispose()
        }
        $err | Should -HaveCount 1
        Get-FakeNhnErrorId $err[0] | Should -Be 'Edi2.Api.Redirected'
        $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $err[0].Exception.Message | Should -BeLike "*$target*"
        $script:Capture.Pending() | Should -BeFalse
    }
}

Describe 'Files Edi2 writes' {
    BeforeAll {
        Connect-Edi2 -ClientId security-client -KeyPath $script:KeyPath @script:Endpoints
        $script:State = Join-Path $TestDrive 'state'
        $script:Ledger = Join-Path $script:State 'Edi2/reservations.json'
        Set-Edi2Reservation -HerId $script:Ours, $script:OursToo -LedgerPath $script:Ledger -Confirm:$false | Out-Null
        $xml = New-TestMsgHead -Sender $script:OursToo -Receiver $script:Ours -Body 'health data'
        1..2 | ForEach-Object { Send-Edi2Message -Content $xml -SenderHerId $script:OursToo -ReceiverHerId $script:Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false | Out-Null }
        $script:Inbox = Join-Path $TestDrive 'inbox/new'
        $script:Received = @(Receive-Edi2Message -HerId $script:Ours -Path $script:Inbox)
    }
    AfterAll { Disconnect-Edi2 }

    It 'are owner-only on Unix: messages, state, lock and ledger 0600, the folders it made 0700' {
        if (-not $script:IsUnix) { Set-ItResult -Skipped -Because 'on Windows the files inherit the folder''s ACL' ; return }
        $script:Received | Should -HaveCount 2
        foreach ($file in Get-ChildItem -LiteralPath $script:Inbox -Force -File) { $file.UnixMode | Should -Be '-rw-------' -Because $file.Name }
        (Get-ChildItem -LiteralPath $script:Inbox -Force -Filter '*.lock') | Should -Not -BeNullOrEmpty
        (Get-Item -LiteralPath $script:Inbox).UnixMode | Should -Be 'drwx------'
        (Get-Item -LiteralPath (Split-Path $script:Inbox)).UnixMode | Should -Be 'drwx------'
        (Get-Item -LiteralPath $script:Ledger).UnixMode | Should -Be '-rw-------'
        (Get-Item -LiteralPath (Split-Path $script:Ledger)).UnixMode | Should -Be 'drwx------'
    }

    It 'cannot be read by a second local account' {
        if (-not $script:SecondAccount) { Set-ItResult -Skipped -Because 'needs Linux, root, useradd and runuser for a second account'; return }
        if (-not (& id -u edi2-other 2>$null)) { & useradd --no-create-home --shell /usr/sbin/nologin edi2-other }
        $file = $script:Received[0].Path
        $read = & runuser -u edi2-other -- cat $file 2>&1
        $LASTEXITCODE | Should -Not -Be 0
        ($read -join "`n") | Should -Match 'Permission denied'
        ($read -join "`n") | Should -Not -Match 'health data'
    }

    It 'lets the group read with EDI2_FILE_MODE=group, and refuses a value it does not know' {
        if (-not $script:IsUnix) { Set-ItResult -Skipped -Because 'EDI2_FILE_MODE is about Unix modes'; return }
        $xml = New-TestMsgHead -Sender $script:OursToo -Receiver $script:Ours
        $sent = Send-Edi2Message -Content $xml -SenderHerId $script:OursToo -ReceiverHerId $script:Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false
        $shared = Join-Path $TestDrive 'shared'
        try {
            $env:EDI2_FILE_MODE = 'group'
            $saved = @(Receive-Edi2Message -HerId $script:Ours -Path $shared)
            $env:EDI2_FILE_MODE = 'everyone'
            $err = $null
            try { Receive-Edi2Message -HerId $script:Ours -Path (Join-Path $TestDrive 'refused') | Out-Null } catch { $err = $_ }
        } finally {
            Remove-Item Env:EDI2_FILE_MODE -ErrorAction SilentlyContinue
        }
        $saved | Should -Not -BeNullOrEmpty
        (Get-Item -LiteralPath $shared).UnixMode | Should -Be 'drwxr-x---'
        foreach ($file in Get-ChildItem -LiteralPath $shared -Filter *.xml) { $file.UnixMode | Should -Be '-rw-r-----' }
        Get-FakeNhnErrorId $err | Should -Be 'Edi2.InvalidOperation'
        $err.Exception.Message | Should -BeLike "*EDI2_FILE_MODE is 'everyone'*"
    }

    It 'hold no secret: saved messages, receive state, lock, ledger' {
        $files = @(Get-ChildItem -LiteralPath $script:Inbox -Force -File) + @(Get-ChildItem -LiteralPath $script:State -Recurse -Force -File)
        $files.Count | Should -BeGreaterThan 3
        foreach ($file in $files) { Assert-NoSecret ([System.IO.File]::ReadAllText($file.FullName)) $file.Name }
        # No temporary or partial file is left to look at.
        @(Get-ChildItem -LiteralPath $script:Inbox -Force -File | Where-Object Name -Match '\.(tmp|partial)$') | Should -BeNullOrEmpty
    }
}

Describe 'No secret where a user can see it' {
    BeforeAll {
        $script:Session = Connect-Edi2 -ClientId security-client -KeyPath $script:KeyPath @script:Endpoints -PassThru
        $script:Token = Get-Edi2AccessToken
    }
    AfterAll { Disconnect-Edi2 -Session $script:Session -ErrorAction SilentlyContinue }

    It 'keeps the session out of reach as CliXml' {
        $path = Join-Path $TestDrive 'session.clixml'
        $script:Session | Export-Clixml -LiteralPath $path -Depth 5
        $xml = Get-Content -Raw -LiteralPath $path
        $xml | Should -Match 'security-client'
        $xml | Should -Not -Match ([regex]::Escape($script:Token.Substring($script:Token.Length - 40)))
        Assert-NoSecret $xml 'the session as CliXml'
    }

    It 'keeps $Error free of secrets after every kind of failure' {
        $Error.Clear()
        Invoke-Edi2Request -Session $script:Session -Path "http://127.0.0.1:$($script:CapturePort)/x" -ErrorAction SilentlyContinue
        Invoke-Edi2Request -Session $script:Session -Path 'no-such-thing' -ErrorAction SilentlyContinue
        Get-Edi2Message -Session $script:Session -Id ([guid]::NewGuid()) -ErrorAction SilentlyContinue
        try { Connect-Edi2 -ClientId no-such-client -KeyPath $script:KeyPath @script:Endpoints } catch { }
        try { Connect-Edi2 -ClientId security-client -KeyPath (Join-Path $TestDrive 'missing.json') @script:Endpoints } catch { }
        $Error.Count | Should -BeGreaterOrEqual 5
        $text = ($Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception | Format-List * -Force | Out-String; $_.Exception.ToString() }) -join "`n"
        Assert-NoSecret $text '$Error'
        $text | Should -Not -Match ([regex]::Escape($script:Token.Substring(0, 40)))
    }

    It 'keeps a transcript with -Verbose and -Debug free of secrets' {
        $path = Join-Path $TestDrive 'transcript.txt'
        Start-Transcript -LiteralPath $path | Out-Null
        try {
            $VerbosePreference = 'Continue'
            $DebugPreference = 'Continue'
            Test-Edi2Connection -Session $script:Session | Out-Host
            Invoke-Edi2Request -Session $script:Session -Path ping | Out-Host
            Get-Edi2Session | Format-List * | Out-Host
        } finally {
            $VerbosePreference = 'SilentlyContinue'
            $DebugPreference = 'SilentlyContinue'
            Stop-Transcript | Out-Null
        }
        $text = Get-Content -Raw -LiteralPath $path
        $text | Should -Match 'DPoP <access token>'
        Assert-NoSecret $text 'the transcript'
    }
}
