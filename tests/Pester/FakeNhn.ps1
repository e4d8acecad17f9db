# Starts the fake NHN (HelseID + EDI 2.0) from tests/Edi2.FakeNhn on 127.0.0.1 for a Pester run, and stops it.
# Works on Windows PowerShell 5.1 and PowerShell 7. Dot-source it in BeforeAll; it brings Common.ps1 along.

. (Join-Path $PSScriptRoot 'Common.ps1')

function Start-FakeNhn {
    <#
    .SYNOPSIS
        Starts the fake on a free port and returns @{ Uri; Process }. -SeedPath registers organisations and clients;
        -SandboxPath makes it write a sandbox client key (sandbox-client.json) there and seed sample messages.
    #>
    [CmdletBinding()]
    param(
        [string] $SeedPath,
        [string] $SandboxPath
    )
    $project = Join-Path $RepoRoot 'tests/Edi2.FakeNhn'
    $dll = Join-Path $project 'bin/Release/net10.0/Edi2.FakeNhn.dll'
    if (-not (Test-Path $dll)) {
        & dotnet build $project -c Release --nologo | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "Building the fake NHN failed ($LASTEXITCODE)." }
    }
    $arguments = @("`"$dll`"", '--port', '0')
    if ($SeedPath) { $arguments += @('--seed', "`"$SeedPath`"") }
    if ($SandboxPath) { $arguments += @('--sandbox', "`"$SandboxPath`"") }

    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = 'dotnet'
    $start.Arguments = $arguments -join ' '
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($start)

    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { throw "The fake NHN exited with code $($process.ExitCode) before it listened." }
        if ($line -match '^Now listening on: (http://127\.0\.0\.1:\d+)$') {
            return [pscustomobject]@{ Uri = $Matches[1]; Process = $process }
        }
    }
    $process.Kill()
    throw 'The fake NHN did not start within 60 seconds.'
}

function Stop-FakeNhn {
    param([Parameter(Mandatory)] $Fake)
    if (-not $Fake.Process.HasExited) {
        $Fake.Process.Kill()
        $Fake.Process.WaitForExit(10000) | Out-Null
    }
}

function New-FakeNhnSeed {
    <#
    .SYNOPSIS
        Writes a seed file: our organisation 999999999 (HER-ids 8142519, 8142520) and one client per public JWK given
        as @{ ClientId = '...'; PublicJwk = '<json>' }.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [hashtable[]] $Clients
    )
    $seed = [ordered]@{
        organizations = @(
            [ordered]@{ orgNumber = '999999999'; herIds = @(8142519, 8142520); parentOrgNumber = $null }
            [ordered]@{ orgNumber = '888888888'; herIds = @(9000001); parentOrgNumber = $null }
        )
        clients = @($Clients | ForEach-Object {
            [ordered]@{
                clientId   = $_.ClientId
                orgNumber  = if ($_.OrgNumber) { $_.OrgNumber } else { '999999999' }
                publicJwk  = ($_.PublicJwk | ConvertFrom-Json)
                heridClaim = '0'
            }
        })
    }
    $seed | ConvertTo-Json -Depth 10 | Set-Content -Path $Path -Encoding UTF8
}

function Get-FakeNhnErrorId {
    <# The ErrorId part of a FullyQualifiedErrorId ("Edi2.Key.FileNotFound,Edi2.PowerShell.Commands.ConnectEdi2Command"). #>
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    ($ErrorRecord.FullyQualifiedErrorId -split ',')[0]
}
