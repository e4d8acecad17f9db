#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# kill -9 of a receiving pwsh at random moments, rerunning after each: nothing lost, nothing duplicated on disk, every
# message marked, no temporary file left. CI size: 6 kills over 150 messages (a batch sent before each run); the full size with EDI2_KILL_ROUNDS=40
# EDI2_KILL_MESSAGES=255 (docs/reliability.md). EDI2_KILL_SEED repeats a run. Run by ./build.ps1 -Task Test.

BeforeDiscovery {
    # The receive throttle limit is test data: 1 is the sequential order, 4 the default (concurrent downloads and marks).
    $script:ThrottleLimits = @(@{ ThrottleLimit = 1 }, @{ ThrottleLimit = 4 })
}

# One fake NHN, client and inbox per throttle limit, so each limit's run starts from nothing.
Describe 'Receive-Edi2Message killed at random moments, throttle limit <ThrottleLimit>' -ForEach $ThrottleLimits {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
        Import-Edi2TestModule

        function script:SizeFrom([string] $Name, [int] $CiSize) {
            $value = [Environment]::GetEnvironmentVariable($Name)
            if ($value -match '^\d+$' -and [int] $value -gt 0) { [int] $value } else { $CiSize }
        }
        $script:Rounds = SizeFrom 'EDI2_KILL_ROUNDS' 6
        $script:MessageCount = SizeFrom 'EDI2_KILL_MESSAGES' 150
        $script:Seed = if ([Environment]::GetEnvironmentVariable('EDI2_KILL_SEED') -match '^\d+$') { [int] $env:EDI2_KILL_SEED } else { Get-Random -Maximum 1000000 }

        $script:Ours = 8142519
        $script:OursToo = 8142520
        $keys = Join-Path $TestDrive 'keys'
        $null = New-Item -ItemType Directory -Path $keys
        $script:Client = New-FakeNhnClient -ClientId 'killed' -OrgNumber '999999999' -Folder $keys
        $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $Client -Organizations @(
            @{ orgNumber = '999999999'; herIds = @($Ours, $OursToo) }
        )
        $script:Session = Connect-Edi2 -ClientId 'killed' -KeyPath $Client.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -PassThru
        $null = Set-Edi2Reservation -HerId $Ours, $OursToo -LedgerPath (Join-Path $TestDrive 'reservations.json') -Confirm:$false -ErrorAction Stop

        # What each child runs: connect, say so, receive. Killed with the whole process tree (dotnet pwsh is a host and a child).
        $script:ChildScript = Join-Path $TestDrive 'receive.ps1'
        Set-Content -LiteralPath $ChildScript -Encoding utf8 -Value @'
param($Module, $ClientId, $KeyPath, $Issuer, $Api, [int] $HerId, $Folder, [int] $ThrottleLimit, $Ready)
$ErrorActionPreference = 'Stop'
Import-Module $Module
Connect-Edi2 -ClientId $ClientId -KeyPath $KeyPath -Authority $Issuer -ApiBaseUri $Api
# A file, not a line on stdout: dotnet's tool host passes the child's output on late.
Set-Content -LiteralPath $Ready -Value 'receiving'
Receive-Edi2Message -HerId $HerId -Path $Folder -LockTimeout 20 -ThrottleLimit $ThrottleLimit | Out-Null
Set-Content -LiteralPath $Ready -Value 'done'
'@

        function script:Start-Receiver([string] $Folder, [int] $ThrottleLimit) {
            $script:ReadyFile = Join-Path $TestDrive ('ready-' + [guid]::NewGuid().ToString('N'))
            $info = [System.Diagnostics.ProcessStartInfo]::new($CurrentPowerShell.FilePath)
            foreach ($argument in @($CurrentPowerShell.Arguments) + @('-NoProfile', '-NonInteractive', '-File', $ChildScript,
                    '-Module', $ModuleManifest, '-ClientId', 'killed', '-KeyPath', $Client.KeyPath, '-Issuer', $Fake.Issuer,
                    '-Api', $Fake.ApiBaseUri, '-HerId', $Ours, '-Folder', $Folder, '-ThrottleLimit', $ThrottleLimit, '-Ready', $ReadyFile)) {
                $info.ArgumentList.Add([string] $argument)
            }
            $info.UseShellExecute = $false
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            $process = [System.Diagnostics.Process]::Start($info)
            $errors = $process.StandardError.ReadToEndAsync()
            [pscustomobject]@{ Process = $process; Errors = $errors }
        }

        function script:Wait-Line($Receiver, [string] $Line, [TimeSpan] $Timeout) {
            $deadline = [DateTime]::UtcNow + $Timeout
            while ([DateTime]::UtcNow -lt $deadline) {
                $said = if (Test-Path -LiteralPath $ReadyFile) { Get-Content -LiteralPath $ReadyFile -ErrorAction SilentlyContinue }
                # 'done' comes after 'receiving': a poll may miss the first.
                if ($said -eq $Line -or $said -eq 'done') { return $true }
                if ($Receiver.Process.HasExited) {
                    Start-Sleep -Milliseconds 100
                    $said = Get-Content -LiteralPath $ReadyFile -ErrorAction SilentlyContinue
                    return ($said -eq $Line -or $said -eq 'done')
                }
                Start-Sleep -Milliseconds 10
            }
            $false
        }

        # The sent documents by MsgId: what every saved file must be, byte for byte. Sent a batch before each round, so that
        # every run has work to be killed in.
        $script:Sent = @{}
        function script:Send-Batch([int] $Count) {
            for ($i = 0; $i -lt $Count; $i++) {
                $msgId = [guid]::NewGuid().ToString()
                $xml = New-TestMsgHead -Sender $OursToo -Receiver $Ours -MsgId $msgId -Body ("kill test " + ('x' * 20000))
                $null = Send-Edi2Message -Content $xml -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
                $Sent[$msgId] = $xml
            }
        }
    }

    AfterAll {
        if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) { Disconnect-Edi2 -ErrorAction SilentlyContinue }
        if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    }

    It 'leaves every message on disk once and marked, and no temporary file, at throttle limit <ThrottleLimit>' {
        $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive "inbox-$ThrottleLimit") -Force).FullName
        $random = [System.Random]::new($Seed)
        $killed = 0
        Write-Host "kill test: $Rounds kills, $MessageCount messages, throttle limit $ThrottleLimit, seed $Seed (EDI2_KILL_SEED=$Seed repeats it)"
        $batch = [Math]::Max(1, [int][Math]::Ceiling($MessageCount / $Rounds))
        for ($round = 0; $round -lt $Rounds; $round++) {
            Send-Batch ([Math]::Min($batch, $MessageCount - $Sent.Count))
            # A random moment of the receive: after a random number of this batch's files are saved (a batch takes well
            # under a second here, too quick to hit with a timer), then a random few hundred microseconds more.
            $target = @([System.IO.Directory]::GetFiles($folder, '*.xml')).Count + $random.Next(1, $batch)
            $spin = $random.Next(0, 200000)
            $receiver = Start-Receiver -Folder $folder -ThrottleLimit $ThrottleLimit
            try {
                $deadline = [DateTime]::UtcNow.AddMinutes(2)
                while (-not $receiver.Process.HasExited -and [DateTime]::UtcNow -lt $deadline -and @([System.IO.Directory]::GetFiles($folder, '*.xml')).Count -lt $target) { }
                [System.Threading.Thread]::SpinWait($spin)
                if (-not $receiver.Process.HasExited) {
                    $receiver.Process.Kill($true) # SIGKILL on Unix, TerminateProcess on Windows: no finally, no clean-up
                    $null = $receiver.Process.WaitForExit(30000)
                    if ((Get-Content -LiteralPath $ReadyFile -ErrorAction SilentlyContinue) -ne 'done') { $killed++ }
                }
                $null = $receiver.Process.WaitForExit(30000)
            } finally {
                $receiver.Process.Dispose()
            }
        }

        # The rerun that is not killed finishes the work.
        $receiver = Start-Receiver -Folder $folder -ThrottleLimit $ThrottleLimit
        try {
            Wait-Line $receiver 'done' ([TimeSpan]::FromMinutes(3)) | Should -BeTrue -Because "the last run should finish (seed $Seed): $($receiver.Errors.Result)"
            $null = $receiver.Process.WaitForExit(30000)
        } finally {
            $receiver.Process.Dispose()
        }
        Write-Host "kill test: $killed of $Rounds runs killed before they finished"

        # Nothing lost, nothing duplicated: one file per message, each the document sent.
        $inbound = @(Get-Edi2Notification -HerId $Ours | Where-Object Type -eq NewMessage | ForEach-Object { [string] $_.RelatedMessageId })
        $inbound.Count | Should -Be $MessageCount
        $files = @(Get-ChildItem -LiteralPath $folder -Filter '*.xml' -File)
        @($files.BaseName | Sort-Object) | Should -Be @($inbound | Sort-Object) -Because "seed $Seed"
        foreach ($file in $files) {
            $text = [System.IO.File]::ReadAllText($file.FullName)
            $null = $text -match '<MsgId>([^<]+)</MsgId>'
            $text | Should -BeExactly $Sent[$Matches[1]] -Because "$($file.Name) must be the document sent (seed $Seed)"
        }
        # No temporary file of any kind (partials, state or lock temporaries).
        @(Get-ChildItem -LiteralPath $folder -Force -File | Where-Object { $_.Name -like '*.partial' -or $_.Name -like '*.tmp' }) | Should -BeNullOrEmpty -Because "seed $Seed"
        # Every message marked: API v2 lists a receiver's messages that are neither read nor downloaded.
        $v2 = Connect-Edi2 -ClientId 'killed' -KeyPath $Client.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -ApiVersion 2 -PassThru
        $unread = Invoke-Edi2Request -Session $v2 -Path 'Messages' -Query @{ ReceiverHerIds = $Ours; MessagesToFetch = 100 }
        @($unread) | Should -BeNullOrEmpty -Because "every message should be marked downloaded (seed $Seed)"
    }
}
