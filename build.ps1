<#
.SYNOPSIS
    Builds, tests and runs the Edi2 module. Works on Windows PowerShell 5.1 and PowerShell 7.
.DESCRIPTION
    A thin wrapper over dotnet commands: the module layout itself is made by MSBuild
    (dotnet publish src/Edi2.PowerShell), so it is the same on machines without PowerShell.
      Build    (default) lay out out/Edi2 (manifest, dlls, format file, help when platyPS is present)
      Test     Build, then dotnet test, then Pester on out/Edi2
      Docs     markdown in docs/en-US to MAML help in out/Edi2/en-US (needs platyPS)
      Sandbox  build, start the fake NHN on 127.0.0.1 and open a PowerShell session connected to it
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Sandbox')]
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

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
    Invoke-Dotnet publish (Join-Path $root 'src/Edi2.PowerShell') -c $Configuration -o $moduleDir --nologo
    if (Get-Module -ListAvailable platyPS) { Invoke-Docs } else { Write-Verbose 'platyPS not found: external help not built.' }
    Write-Host "Module laid out in $moduleDir"
}

function Invoke-Docs {
    Import-Module platyPS
    $docs = Join-Path $root 'docs/en-US'
    if (-not (Get-ChildItem $docs -Filter *.md -ErrorAction SilentlyContinue)) { return }
    New-ExternalHelp -Path $docs -OutputPath (Join-Path $moduleDir 'en-US') -Force | Out-Null
}

function Invoke-Test {
    Invoke-Build
    if (-not $SkipDotnetTest) { Invoke-Dotnet test (Join-Path $root 'Edi2Module.sln') -c $Configuration --nologo }
    $pester = Get-Module -ListAvailable Pester | Where-Object Version -ge '5.5.0' | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Host 'Installing Pester 5 for the current user'
        Install-Module Pester -MinimumVersion 5.5.0 -Scope CurrentUser -Force -SkipPublisherCheck
    }
    Import-Module Pester -MinimumVersion 5.5.0
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/Pester'
    $config.Run.Exit = $false
    $config.Run.Throw = $true
    $config.Output.Verbosity = 'Detailed'
    Invoke-Pester -Configuration $config
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
        while ($null -ne ($line = $fake.StandardOutput.ReadLine())) {
            Write-Host $line
            if ($line -match '^\s*(Connect-Edi2 .*)$') { $connect = $Matches[1]; break }
        }
        if (-not $connect) { throw "The fake NHN did not start (exit code $($fake.ExitCode)); is port $Port taken? Try -Port 0." }
        $shell = (Get-Process -Id $PID).Path
        $commands = "Import-Module '$(Join-Path $moduleDir 'Edi2.psd1')'; $connect; Get-Edi2Session; " +
            "Write-Host 'Try: Get-Edi2Notification -HerId 8142519 | Get-Edi2Message' -ForegroundColor Cyan"
        & $shell -NoExit -NoProfile -Command $commands
    }
    finally {
        if (-not $fake.HasExited) { $fake.Kill() }
    }
}

switch ($Task) {
    'Build'   { Invoke-Build }
    'Test'    { Invoke-Test }
    'Docs'    { Invoke-Docs }
    'Sandbox' { Invoke-Sandbox }
}
