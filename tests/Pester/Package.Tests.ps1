# The package a user installs: out/Edi2 published with PSResourceGet (it ships with PowerShell 7.4+) to a local folder
# repository, installed from there and imported in a fresh PowerShell. Every step runs in a child process whose home
# (HOME, XDG_DATA_HOME: PSResourceGet's repository list and the CurrentUser module folder) is a temporary folder, so
# nothing is registered or installed for the user running the tests.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Assert-ModuleBuilt
    $manifestData = Import-PowerShellDataFile -LiteralPath $ModuleManifest
    $script:UserData = Join-Path ([System.IO.Path]::GetTempPath()) ('edi2-package-' + [guid]::NewGuid().ToString('N'))
    $script:Repository = Join-Path $script:UserData 'repository'
    # .NET gives "" for a special folder that does not exist, and PSResourceGet would then write into the current one.
    foreach ($folder in $script:Repository, (Join-Path $script:UserData '.local/share'), (Join-Path $script:UserData '.config')) {
        New-Item -ItemType Directory -Path $folder -Force | Out-Null
    }

    function Invoke-AsOtherUser([string] $Script) {
        # The child works out its module path afresh (an inherited PSModulePath would name this user's folder).
        # PSResourceGet's CurrentUser folder follows HOME, PowerShell's XDG_DATA_HOME.
        $saved = $env:HOME, $env:XDG_DATA_HOME, $env:PSModulePath
        $env:HOME = $script:UserData
        $env:XDG_DATA_HOME = Join-Path $script:UserData '.local/share'
        $env:PSModulePath = $null
        try {
            Invoke-InFreshPowerShell -Values @{ Module = $ModuleDir; Repository = $script:Repository; Data = $script:UserData } -Script $Script
        } finally {
            $env:HOME, $env:XDG_DATA_HOME, $env:PSModulePath = $saved
        }
    }
}

AfterAll {
    if ($script:UserData) { Remove-Item -LiteralPath $script:UserData -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The Edi2 package' {
    BeforeEach {
        if ($IsWindows -or $PSVersionTable.PSEdition -ne 'Core') {
            Set-ItResult -Skipped -Because 'the user folders are redirected through HOME and XDG_DATA_HOME, which only PowerShell 7 on Linux and macOS follows'
        }
    }

    It 'publishes to a local repository as Edi2.version-prerelease.nupkg, with no symbols and nothing from obj/' {
        $result = Invoke-AsOtherUser @'
Register-PSResourceRepository -Name Edi2Local -Uri $Repository -Trusted
Publish-PSResource -Path $Module -Repository Edi2Local
Add-Type -AssemblyName System.IO.Compression.FileSystem
$package = Get-ChildItem -LiteralPath $Repository -Filter *.nupkg | Select-Object -First 1
$zip = [System.IO.Compression.ZipFile]::OpenRead($package.FullName)
try { $entries = @($zip.Entries | ForEach-Object FullName) } finally { $zip.Dispose() }
[pscustomobject]@{ Package = $package.Name; Entries = $entries } | ConvertTo-Json -Compress
'@
        $prerelease = $manifestData.PrivateData.PSData.Prerelease
        $expected = "Edi2.$($manifestData.ModuleVersion)$(if ($prerelease) { "-$prerelease" }).nupkg"
        $result.Package | Should -Be $expected
        $result.Entries | Should -Contain 'Edi2.psd1'
        $result.Entries | Should -Contain 'Edi2.PowerShell.dll'
        $result.Entries | Should -Contain 'dependencies/Edi2.Client.dll'
        $result.Entries | Should -Contain 'en-US/Edi2.PowerShell.dll-Help.xml'
        @($result.Entries | Where-Object { $_ -like '*.pdb' }) | Should -BeNullOrEmpty
        @($result.Entries | Where-Object { $_ -match '(^|/)obj/' }) | Should -BeNullOrEmpty
    }

    It 'installs with Install-PSResource and imports by name in a fresh PowerShell' {
        $installed = Invoke-AsOtherUser @'
Install-PSResource -Name Edi2 -Repository Edi2Local -Prerelease -TrustRepository -Scope CurrentUser
$found = Get-Module -ListAvailable Edi2
[pscustomobject]@{ Base = [string]$found.ModuleBase } | ConvertTo-Json -Compress
'@
        $installed.Base | Should -BeLike "$script:UserData*"
        $imported = Invoke-AsOtherUser @'
Import-Module Edi2
$module = Get-Module Edi2
[pscustomobject]@{
    Base       = $module.ModuleBase
    Version    = [string]$module.Version
    Prerelease = [string]$module.PrivateData.PSData.Prerelease
    Cmdlets    = $module.ExportedCmdlets.Count
    Synopsis   = [string](Get-Help Connect-Edi2).Synopsis
} | ConvertTo-Json -Compress
'@
        $imported.Base | Should -Be $installed.Base
        $imported.Version | Should -Be $manifestData.ModuleVersion
        $imported.Prerelease | Should -Be $manifestData.PrivateData.PSData.Prerelease
        $imported.Cmdlets | Should -Be @($manifestData.CmdletsToExport).Count
        $imported.Synopsis | Should -Not -Match '^\s*Connect-Edi2 ' -Because 'the help comes with the package'
    }
}
