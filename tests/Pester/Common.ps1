# Shared by the Pester tests. Dot-source it in BeforeAll (and in BeforeDiscovery where discovery needs it).
# The tests run against the built module in out/Edi2 (./build.ps1 -Task Test builds it first), each scenario in a fresh
# PowerShell process, so that what one test loads cannot help or hurt another.

$RepoRoot = (Resolve-Path -LiteralPath (Join-Path (Join-Path $PSScriptRoot '..') '..')).Path
$ModuleDir = Join-Path (Join-Path $RepoRoot 'out') 'Edi2'
$ModuleManifest = Join-Path $ModuleDir 'Edi2.psd1'
$DependenciesDir = Join-Path $ModuleDir 'dependencies'

# The PowerShell running the tests, and Windows PowerShell 5.1 where this is Windows (for the Desktop tests under pwsh
# too): how to start each (Get-PowerShellHost).
. (Join-Path (Join-Path $RepoRoot 'build') 'PowerShellHost.ps1')
$CurrentPowerShell = Get-PowerShellHost
$WindowsPowerShell = if ($PSVersionTable.PSEdition -eq 'Desktop') {
    $CurrentPowerShell
} elseif ([System.Environment]::OSVersion.Platform -eq 'Win32NT') {
    $candidate = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
    if (Test-Path -LiteralPath $candidate) { [pscustomobject]@{ FilePath = $candidate; Arguments = @() } }
}

function Assert-ModuleBuilt {
    if (-not (Test-Path -LiteralPath $ModuleManifest)) {
        throw "No module at $ModuleDir. Build it first: dotnet publish src/Edi2.PowerShell -c Release -o out/Edi2 (or ./build.ps1)."
    }
}

# Runs $Script in a new PowerShell process (-NoProfile) and returns the JSON it prints last, as objects. $Values become
# variables of the child script (strings only), so paths need no quoting inside the script text.
function Invoke-InFreshPowerShell {
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Values = @{},
        [psobject] $PowerShell = $CurrentPowerShell
    )
    $prefix = foreach ($name in $Values.Keys) {
        "`${0} = '{1}'" -f $name, ([string]$Values[$name]).Replace("'", "''")
    }
    $full = ($prefix -join [Environment]::NewLine) + [Environment]::NewLine + '$ErrorActionPreference = ''Stop''' + [Environment]::NewLine + $Script
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($full))
    $arguments = @($PowerShell.Arguments) + @('-NoProfile', '-NonInteractive', '-NoLogo', '-EncodedCommand', $encoded)
    $output = & $PowerShell.FilePath @arguments 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "$($PowerShell.FilePath) failed with exit code $LASTEXITCODE`n$($output -join "`n")"
    }
    $json = @($output | Where-Object { $_ -is [string] })
    if ($json.Count -eq 0) { throw "$($PowerShell.FilePath) printed nothing`n$($output -join "`n")" }
    $json[-1] | ConvertFrom-Json
}

# The SecretManagement test double (tests/Modules/Microsoft.PowerShell.SecretManagement, in-memory vaults: the Gallery
# cannot be reached here) first on $env:PSModulePath, for one test file. Returns the path to give back to
# Remove-SecretManagementDouble in AfterAll.
function Use-SecretManagementDouble {
    $saved = $env:PSModulePath
    $env:PSModulePath = (Join-Path (Join-Path $RepoRoot 'tests') 'Modules') + [System.IO.Path]::PathSeparator + $env:PSModulePath
    # Whatever SecretManagement this session loaded before: the test double is found first from here on.
    Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
    $saved
}

function Remove-SecretManagementDouble([string] $SavedModulePath) {
    if (Get-Module Microsoft.PowerShell.SecretManagement) {
        Get-SecretVault | Unregister-SecretVault -ErrorAction SilentlyContinue
        Remove-Module Microsoft.PowerShell.SecretManagement
    }
    $env:PSModulePath = $SavedModulePath
}
