#Requires -Version 7
<#
.SYNOPSIS
Import-Module Edi2 over a bare pwsh -NoProfile, measured as whole processes, alternating (target: at most 0.2 s).

.DESCRIPTION
Starts the same PowerShell that runs this script, -NoProfile, $Rounds times each way, alternating so that a busy moment
on the machine hits both alike: once with `exit` only, once with `Import-Module <out/Edi2>; exit`. Reports the median of
each and the difference. Whole processes, not BenchmarkDotNet: what a scheduled task pays is a process start.
Run from the repository after ./build.ps1 -Task Build:
    dotnet pwsh -NoProfile -File tests/Edi2.Benchmarks/Measure-ImportModule.ps1 -Rounds 20
#>
param([int] $Rounds = 20)

. (Join-Path $PSScriptRoot '../Pester/Common.ps1')
Assert-ModuleBuilt
$hostProcess = Get-PowerShellHost

function Measure-Process([string] $Command) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    & $hostProcess.FilePath @($hostProcess.Arguments) -NoProfile -NonInteractive -Command $Command
    if ($LASTEXITCODE -ne 0) { throw "pwsh -Command '$Command' exited with $LASTEXITCODE." }
    $watch.Elapsed.TotalSeconds
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

$import = "Import-Module '$ModuleManifest' -ErrorAction Stop; exit 0"
$null = Measure-Process 'exit 0'; $null = Measure-Process $import # warm the disk cache and the runtime's
$bare = [System.Collections.Generic.List[double]]::new()
$with = [System.Collections.Generic.List[double]]::new()
for ($i = 0; $i -lt $Rounds; $i++) {
    $bare.Add((Measure-Process 'exit 0'))
    $with.Add((Measure-Process $import))
}
$b = Get-Median $bare
$w = Get-Median $with
[pscustomobject]@{
    Rounds             = $Rounds
    BareMedianSeconds  = [Math]::Round($b, 3)
    ImportMedianSeconds = [Math]::Round($w, 3)
    OverheadSeconds    = [Math]::Round($w - $b, 3)
    Ratio              = [Math]::Round($w / $b, 2)
}
