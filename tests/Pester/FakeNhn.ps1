# Helpers for the Pester tests: start the fake NHN (tests/Edi2.FakeNhn) as its own process on a free loopback port,
# seeded with organisations and clients whose keys New-Edi2ClientKey made, and stop it again.
# Dot-source it in BeforeAll (it brings Common.ps1 along). Works on PowerShell 7 and Windows PowerShell 5.1.

. (Join-Path $PSScriptRoot 'Common.ps1')

function Import-Edi2TestModule {
    # build.ps1 -Task Test lays out out/Edi2 before running Pester.
    Assert-ModuleBuilt
    Import-Module $ModuleManifest -Force -ErrorAction Stop
}

function New-FakeNhnClient {
    # A client registration for the seed, with a fresh ES256 key (fast to make) whose private JWK stays in $Folder.
    param(
        [Parameter(Mandatory)] [string] $ClientId,
        [Parameter(Mandatory)] [string] $OrgNumber,
        [Parameter(Mandatory)] [string] $Folder
    )
    $keyPath = Join-Path $Folder "$ClientId.jwk"
    $key = New-Edi2ClientKey -Path $keyPath -Algorithm ES256 -Force
    [pscustomobject]@{
        ClientId = $ClientId
        KeyPath  = $keyPath
        Seed     = [ordered]@{
            clientId   = $ClientId
            orgNumber  = $OrgNumber
            publicJwk  = ($key.PublicJwk | ConvertFrom-Json)
            heridClaim = '0'
        }
    }
}

function Start-FakeNhn {
    # Writes the seed, runs `dotnet run --project tests/Edi2.FakeNhn -- --port 0 --seed <file>` and waits for its one
    # stdout line "Now listening on: http://127.0.0.1:<port>". Returns the process and the URLs.
    param(
        [Parameter(Mandatory)] [object[]] $Organizations,
        [Parameter(Mandatory)] [object[]] $Clients,
        [Parameter(Mandatory)] [string] $Folder,
        [TimeSpan] $Timeout = [TimeSpan]::FromMinutes(5),
        # More of the fake's options, e.g. '--stream-keep-alive', '600'.
        [string[]] $Arguments = @(),
        # API keys the fake test token service accepts in X-Auth-Key.
        [string[]] $TestTokenApiKeys = @()
    )
    $seedPath = Join-Path $Folder 'seed.json'
    $seed = [ordered]@{ organizations = @($Organizations); clients = @($Clients | ForEach-Object Seed); testTokenApiKeys = @($TestTokenApiKeys) }
    # UTF-8 without a BOM on every edition.
    [System.IO.File]::WriteAllText($seedPath, ($seed | ConvertTo-Json -Depth 10), [System.Text.UTF8Encoding]::new($false))

    $project = Join-Path $RepoRoot 'tests/Edi2.FakeNhn'
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $startInfo.Arguments = "run --project `"$project`" -c Release -- --port 0 --seed `"$seedPath`" $($Arguments -join ' ')"
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true # the fake logs to stderr only, so stdout carries just the address
    $process = [System.Diagnostics.Process]::Start($startInfo)

    $deadline = [DateTime]::UtcNow + $Timeout
    $baseUri = $null
    while (-not $baseUri) {
        $line = $process.StandardOutput.ReadLineAsync()
        $left = $deadline - [DateTime]::UtcNow
        if ($left -le [TimeSpan]::Zero -or -not $line.Wait($left)) {
            Stop-FakeNhn -Fake ([pscustomobject]@{ Process = $process })
            throw "The fake NHN did not say where it listens within $Timeout."
        }
        if ($null -eq $line.Result) { throw "The fake NHN exited (code $($process.ExitCode)) before it listened; see its errors above." }
        if ($line.Result -match '^Now listening on: (http://127\.0\.0\.1:\d+)$') { $baseUri = $Matches[1] }
    }
    [pscustomobject]@{
        Process    = $process
        Issuer     = $baseUri          # HelseID's issuer has no trailing slash
        ApiBaseUri = "$baseUri/"
        SeedPath   = $seedPath
    }
}

function Stop-FakeNhn {
    param([Parameter(Mandatory)] $Fake)
    $process = $Fake.Process
    if (-not $process -or $process.HasExited) { return }
    # dotnet run starts the fake as a child process: stop the whole tree.
    if ($PSVersionTable.PSEdition -eq 'Core') {
        $process.Kill($true)
    } else {
        & taskkill.exe /PID $process.Id /T /F | Out-Null
    }
    $null = $process.WaitForExit(10000)
    $process.Dispose()
}

function New-TestMsgHead {
    # A minimal KITH MsgHead, as EDI 2.0 business documents are.
    param([int] $Sender, [int] $Receiver, [string] $MsgId = [guid]::NewGuid().ToString(), [string] $Body = 'Test')
    @"
<?xml version="1.0" encoding="UTF-8"?>
<MsgHead xmlns="http://www.kith.no/xmlstds/msghead/2006-05-24">
  <MsgInfo>
    <Type V="DIALOG_HELSEFAGLIG" DN="Dialogmelding" />
    <MIGversion>v1.2 2006-05-24</MIGversion>
    <GenDate>2025-08-21T11:39:57</GenDate>
    <MsgId>$MsgId</MsgId>
    <Sender><Organisation><OrganisationName>Avsender</OrganisationName><Ident><Id>$Sender</Id><TypeId V="HER" S="2.16.578.1.12.4.1.1.9051" DN="HER-id" /></Ident></Organisation></Sender>
    <Receiver><Organisation><OrganisationName>Mottaker</OrganisationName><Ident><Id>$Receiver</Id><TypeId V="HER" S="2.16.578.1.12.4.1.1.9051" DN="HER-id" /></Ident></Organisation></Receiver>
  </MsgInfo>
  <Document><RefDoc><Content>$Body</Content></RefDoc></Document>
</MsgHead>
"@
}

function Get-FakeNhnErrorId {
    # The ErrorId part of a FullyQualifiedErrorId ("Edi2.Key.FileNotFound,Edi2.PowerShell.Commands.ConnectEdi2Command").
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    ($ErrorRecord.FullyQualifiedErrorId -split ',')[0]
}
