#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# A streaming cmdlet whose output is stopped (Select-Object -First, which never calls StopProcessing) stops its work too,
# rather than going on unseen: the base cmdlet's Run cancels the engine work when a write throws. The session's Trace
# sees every HTTP exchange, even those of work that goes on after the pipeline has returned.

Describe 'Stopped output stops the work (Select-Object -First)' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
        Import-Edi2TestModule

        $script:Ours = 8142519
        $script:OursToo = 8142520
        $keys = Join-Path $TestDrive 'keys'
        $null = New-Item -ItemType Directory -Path $keys
        $c1 = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
        $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $c1 -Organizations @(@{ orgNumber = '999999999'; herIds = @($Ours, $OursToo) })
        $script:Session = Connect-Edi2 -ClientId 'c1' -KeyPath $c1.KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -PassThru
        # v3 streams and listings need an MSH configuration for the HER-id.
        $null = Set-Edi2Reservation -Session $Session -HerId $Ours, $OursToo -LedgerPath (Join-Path $TestDrive 'ledger.json') -Confirm:$false -ErrorAction Stop
        foreach ($i in 1..5) {
            $xml = New-TestMsgHead -Sender $OursToo -Receiver $Ours -Body "Melding $i"
            $null = Send-Edi2Message -Session $Session -Content $xml -SenderHerId $OursToo -ReceiverHerId $Ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop
        }

        # Every HTTP exchange of the work started from here on (the engine reports them on its own threads); the
        # cmdlets' own trace scopes add to this one, they do not replace it.
        $script:Exchanges = [System.Collections.Concurrent.ConcurrentQueue[Edi2.Diagnostics.Edi2HttpTrace]]::new()
        $script:TraceScope = [Edi2.Diagnostics.Edi2TraceScope]::Begin([Action[Edi2.Diagnostics.Edi2HttpTrace]] $Exchanges.Enqueue)
        function script:Reset-Exchanges { $script:Exchanges.Clear() }
        function script:Get-Exchanges { @($script:Exchanges.ToArray() | ForEach-Object { "$_" }) }
    }

    AfterAll {
        if ($script:TraceScope) { $script:TraceScope.Dispose() }
        if ($script:Session) {
            Disconnect-Edi2 -Session $Session
        }
        if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    }

    It 'Get-Edi2Notification | Select-Object -First 1 reads one page of many, not the next' {
        Reset-Exchanges

        $first = Get-Edi2Notification -Session $Session -HerId $Ours -PageSize 1 | Select-Object -First 1
        Start-Sleep -Milliseconds 500 # time for a next page, if anything were still reading

        $first | Should -Not -BeNullOrEmpty
        $pages = @(Get-Exchanges | Where-Object { $_ -like 'GET */notifications?*' })
        $pages | Should -HaveCount 1 -Because "pages read: $($pages -join '; ')"
    }

    # Last: it stops the fake, to see whether anything is still listening (a stream left open would reconnect).
    It 'Get-Edi2Notification -Wait | Select-Object -First 1 returns at once and ends the stream' {
        Reset-Exchanges
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $first = Get-Edi2Notification -Session $Session -HerId $Ours -Wait -Timeout 60 | Select-Object -First 1

        $watch.Stop()
        $first | Should -Not -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        Reset-Exchanges
        Stop-FakeNhn -Fake $script:Fake # a stream still open breaks now, and its reader reconnects within a second
        $script:Fake = $null
        Start-Sleep -Seconds 3
        Get-Exchanges | Should -BeNullOrEmpty -Because 'the stream should have ended with the pipeline'
    }
}
