#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Get-Edi2Notification -Wait on a stream that stays silent: the fake sends "connected" and then nothing, not even a
# keep-alive (--stream-keep-alive 600). Ctrl+C (a pipeline Stop) and -Timeout must still end it within a second.

Describe 'Get-Edi2Notification -Wait on a silent stream' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
        Import-Edi2TestModule

        $script:Ours = 8142519
        $keys = Join-Path $TestDrive 'keys'
        $null = New-Item -ItemType Directory -Path $keys
        $c1 = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
        $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $c1 -Organizations @(@{ orgNumber = '999999999'; herIds = @($Ours) }) `
            -Arguments '--stream-keep-alive', '600'
        $script:Session = Connect-Edi2 -ClientId 'c1' -KeyPath $c1.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -PassThru
        # An MSH configuration for the HER-id (else the stream is refused); the token is fetched now, not in the timed part.
        $null = Set-Edi2Reservation -Session $script:Session -HerId $Ours -LedgerPath (Join-Path $TestDrive 'ledger.json') -Confirm:$false -ErrorAction Stop

        # Runs Get-Edi2Notification -Wait (with more parameters) on its own runspace and returns once it has listened
        # for a while. A pipeline that never stops is left running rather than disposed (that would wait for it too);
        # it ends when the fake stops.
        function script:Start-Listening([hashtable] $More = @{}) {
            $shell = [powershell]::Create()
            $null = $shell.AddScript({
                param($manifest, $session, $herId, $more)
                Import-Module $manifest
                Get-Edi2Notification -Session $session -HerId $herId -Wait @more
            }).AddArgument($ModuleManifest).AddArgument($script:Session).AddArgument($script:Ours).AddArgument($More)
            $run = $shell.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ($shell.InvocationStateInfo.State -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            [pscustomobject]@{ Shell = $shell; Run = $run }
        }
    }

    AfterAll {
        if ($script:Session) { Disconnect-Edi2 -Session $script:Session }
        if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    }

    It 'stops within a second when the pipeline is stopped (Ctrl+C), with no error record' {
        $listening = Start-Listening
        $shell = $listening.Shell
        $stopped = $false
        try {
            Start-Sleep -Seconds 3 # the stream is open and the read waits for a byte that does not come
            $listening.Run.IsCompleted | Should -BeFalse
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $stop = $shell.BeginStop($null, $null)
            $stopped = $stop.AsyncWaitHandle.WaitOne(5000)
            $watch.Stop()
            $stopped | Should -BeTrue -Because "Stop() had not returned $([int]$watch.Elapsed.TotalMilliseconds) ms later"
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            @($shell.Streams.Error | Where-Object { $_.FullyQualifiedErrorId -like 'Edi2.*' }) | Should -BeNullOrEmpty
        } finally {
            if ($stopped) { $shell.Dispose() }
        }
    }

    It 'ends at -Timeout, not at the next byte the server sends' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $listening = Start-Listening @{ Timeout = 2 }
        $shell = $listening.Shell
        $done = $listening.Run.AsyncWaitHandle.WaitOne(10000)
        $watch.Stop()
        try {
            $done | Should -BeTrue -Because "-Timeout 2 had not ended it $([int]$watch.Elapsed.TotalMilliseconds) ms later"
            # 2 s of -Timeout, the runspace and the stream's start, and less than a second to end it.
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 4.5
            $shell.InvocationStateInfo.State | Should -Be 'Completed'
            ($shell.Streams.Error | Out-String) | Should -BeNullOrEmpty
        } finally {
            if ($done) { $shell.Dispose() }
        }
    }
}
