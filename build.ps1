<#
.SYNOPSIS
    Builds, tests and runs the Edi2 module. Works on Windows PowerShell 5.1 and PowerShell 7.
.DESCRIPTION
    A thin wrapper over dotnet commands: the module layout itself is made by MSBuild
    (dotnet publish src/Edi2.PowerShell), so it is the same on machines without PowerShell.
      Build    (default) lay out out/Edi2 (manifest, dlls, format file, and the help made from docs/en-US)
      Test     Build, then dotnet test, then Pester (5.9.1, restored from NuGet) on out/Edi2
      Sandbox  build, start the fake NHN on 127.0.0.1 and open a PowerShell session connected to it
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Sandbox')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # CI has already run dotnet test; run only Pester.
    [switch] $SkipDotnetTest,

    [int] $Port = 5080
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out/Edi2'
. (Join-Path $root 'build/PowerShellHost.ps1')

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
    Invoke-Dotnet publish (Join-Path $root 'src/Edi2.PowerShell') -c $Configuration -o $moduleDir --nologo
    Write-Host "Module laid out in $moduleDir"
}

# Pester comes from NuGet (tests/Pester/Pester.csproj pins the version), never from the PowerShell Gallery.
function Import-Pester {
    $project = Join-Path $root 'tests/Pester/Pester.csproj'
    Invoke-Dotnet restore $project --nologo -v quiet
    $manifest = (& dotnet msbuild $project -nologo -getProperty:PesterManifest | Out-String).Trim()
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $manifest)) { throw "Pester was not restored from NuGet (expected $manifest)." }
    Import-Module $manifest -Force
}

# dotnet test, with its per-assembly summaries added up into one line like Pester's.
function Invoke-XunitTest {
    $passed = 0; $failed = 0; $skipped = 0
    & dotnet test (Join-Path $root 'Edi2Module.sln') -c $Configuration --nologo | ForEach-Object {
        Write-Host $_
        if ($_ -match 'Failed:\s*(\d+),\s*Passed:\s*(\d+),\s*Skipped:\s*(\d+)') {
            $failed += [int]$Matches[1]; $passed += [int]$Matches[2]; $skipped += [int]$Matches[3]
        }
    }
    $exitCode = $LASTEXITCODE
    Write-Host "xunit: $passed passed, $failed failed, $skipped skipped"
    if ($exitCode -ne 0) { throw "dotnet test failed with exit code $exitCode" }
}

function Invoke-Test {
    Invoke-Build
    if (-not $SkipDotnetTest) { Invoke-XunitTest }
    Import-Pester
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/Pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    # One line CI logs can be searched for, in the form test runners close with.
    Write-Host "Pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
    if ($result.Result -ne 'Passed') {
        throw "Pester: $($result.FailedCount) failed$(if ($result.FailedBlocksCount + $result.FailedContainersCount) { ", $($result.FailedBlocksCount) blocks and $($result.FailedContainersCount) files could not run" })."
    }
}

function Invoke-Sandbox {
    # Build the module and the fake, start the fake in the background, then open a PowerShell session that is
    # already connected to it. The fake stops when that session ends.
    Invoke-Build
    $fakeProject = Join-Path $root 'tests/Edi2.FakeNhn'
    Invoke-Dotnet build $fakeProject -c $Configuration --nologo
    $sandbox = Join-Path $root 'sandbox'
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = 'dotnet'
    $start.Arguments = "`"$(Join-Path $fakeProject "bin/$Configuration/net10.0/Edi2.FakeNhn.dll")`" --port $Port --sandbox `"$sandbox`""
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $fake = [System.Diagnostics.Process]::Start($start)
    try {
        $connect = $null
        # The fake prints the client-key line, then the test-token line (Connect-Edi2 -TestTokenApiKey ...), then waits.
        while ($null -ne ($line = $fake.StandardOutput.ReadLine())) {
            Write-Host $line
            if ($line -match '^\s*(Connect-Edi2 -TestTokenApiKey .*)$') { break }
            if ($line -match '^\s*(Connect-Edi2 .*)$') { $connect = $Matches[1] }
        }
        if (-not $connect) { throw "The fake NHN did not start (exit code $($fake.ExitCode)); is port $Port taken? Try -Port 0." }
        $shell = Get-PowerShellHost
        $commands = "Import-Module '$(Join-Path $moduleDir 'Edi2.psd1')'; $connect; Get-Edi2Session; " +
            "Write-Host 'Try: Get-Edi2Notification -HerId 8142519 | Get-Edi2Message (and the Connect-Edi2 -TestTokenApiKey line above: the test token service)' -ForegroundColor Cyan"
        $arguments = @($shell.Arguments) + @('-NoExit', '-NoProfile', '-Command', $commands)
        & $shell.FilePath @arguments
    }
    finally {
        if (-not $fake.HasExited) { $fake.Kill() }
    }
}

switch ($Task) {
    'Build'   { Invoke-Build }
    'Test'    { Invoke-Test }
    'Sandbox' { Invoke-Sandbox }
}
