#Requires -Version 7
<#
.SYNOPSIS
Get-Edi2Message (the cmdlet) against the engine call it makes, per call, in one pwsh process (target: at most 1.1x).

.DESCRIPTION
Starts the fake NHN as its own process (tests/Pester/FakeNhn.ps1), connects, sends one message and then, in one pwsh,
alternates blocks of $Calls calls: `Get-Edi2Message -Id $id` (binding, the base cmdlet's Run and Post, output), and
`$session.Api.GetMessageAsync($id).GetAwaiter().GetResult()` (the engine, called from PowerShell). Reports the median
time per call of each and the ratio. The engine side is called through PowerShell too, so the ratio is what the cmdlet
adds, not what PowerShell's own method invocation costs. Run from the repository after ./build.ps1 -Task Build:
    dotnet pwsh -NoProfile -File tests/Edi2.Benchmarks/Measure-CmdletOverhead.ps1 -Rounds 15 -Calls 100
#>
param([int] $Rounds = 15, [int] $Calls = 100)

. (Join-Path $PSScriptRoot '../Pester/FakeNhn.ps1')
Import-Edi2TestModule
$work = Join-Path ([System.IO.Path]::GetTempPath()) "edi2-cmdlet-bench-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
$null = New-Item -ItemType Directory -Path $work
$ours = 8142519
$oursToo = 8142520
$client = New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $work
$fake = Start-FakeNhn -Folder $work -Clients $client -Organizations @(@{ orgNumber = '999999999'; herIds = @($ours, $oursToo) })
try {
    $session = Connect-Edi2 -ClientId 'c1' -KeyPath $client.KeyPath -Authority $fake.Issuer -ApiBaseUri $fake.ApiBaseUri -PassThru
    $null = Set-Edi2Reservation -HerId $ours, $oursToo -LedgerPath (Join-Path $work 'ledger.json') -Confirm:$false -ErrorAction Stop
    $xml = New-TestMsgHead -Sender $oursToo -Receiver $ours
    $id = (Send-Edi2Message -Content $xml -SenderHerId $oursToo -ReceiverHerId $ours -MessageType DIALOG_HELSEFAGLIG -Confirm:$false -ErrorAction Stop).Id

    $cmdlet = { for ($i = 0; $i -lt $Calls; $i++) { $null = Get-Edi2Message -Id $id -Session $session } }
    $engine = { for ($i = 0; $i -lt $Calls; $i++) { $null = $session.Api.GetMessageAsync($id).GetAwaiter().GetResult() } }
    $null = & $cmdlet; $null = & $engine # warm up: JIT, connections
    $c = [System.Collections.Generic.List[double]]::new()
    $e = [System.Collections.Generic.List[double]]::new()
    for ($r = 0; $r -lt $Rounds; $r++) {
        $c.Add((Measure-Command $cmdlet).TotalMilliseconds / $Calls)
        $e.Add((Measure-Command $engine).TotalMilliseconds / $Calls)
    }
    $median = { param($v) $s = $v | Sort-Object; $s[[int][Math]::Floor($s.Count / 2)] }
    $cm = & $median $c
    $em = & $median $e
    [pscustomobject]@{
        Rounds               = $Rounds
        CallsPerRound        = $Calls
        CmdletMedianMsPerCall = [Math]::Round($cm, 3)
        EngineMedianMsPerCall = [Math]::Round($em, 3)
        Ratio                = [Math]::Round($cm / $em, 3)
    }
} finally {
    if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) { Disconnect-Edi2 -ErrorAction SilentlyContinue }
    Stop-FakeNhn -Fake $fake
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
