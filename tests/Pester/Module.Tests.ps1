# The built module (out/Edi2) as PowerShell sees it: manifest, import, exports, and removal and re-import, which for a
# binary module goes through an assembly that is already loaded (PowerShell/PowerShell#20710, handled in Edi2.psm1).
# Each scenario runs in a fresh process of the PowerShell running the tests.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Assert-ModuleBuilt
    $manifestData = Import-PowerShellDataFile -LiteralPath $ModuleManifest
    # Lists are compared as sorted, comma-joined text, so that empty lists compare plainly too.
    function Join-Sorted($Items) { (@($Items) | Where-Object { $_ } | Sort-Object) -join ',' }
    $expectedCmdlets = Join-Sorted $manifestData.CmdletsToExport
    $expectedAliases = Join-Sorted $manifestData.AliasesToExport

    $report = @'
function Get-ExportReport {
    $module = Get-Module Edi2
    [pscustomobject]@{
        Cmdlets   = @($module.ExportedCmdlets.Keys | Sort-Object)
        Commands  = @(Get-Command -Module Edi2 | ForEach-Object Name | Sort-Object)
        Functions = @($module.ExportedFunctions.Keys)
        Variables = @($module.ExportedVariables.Keys)
        Aliases   = @($module.ExportedAliases.Keys | Sort-Object)
        Version   = [string]$module.Version
    }
}
'@
}

Describe 'Edi2 module' {
    It 'has a manifest that passes Test-ModuleManifest, with every file it names in the module' {
        # Test-ModuleManifest also fails when RootModule, FormatsToProcess or another named file is missing.
        $info = Test-ModuleManifest -Path $ModuleManifest -ErrorAction Stop
        $info.Name | Should -Be 'Edi2'
        $info.RootModule | Should -Be 'Edi2.psm1'
        foreach ($file in @($manifestData['FormatsToProcess']) + @($manifestData['TypesToProcess']) | Where-Object { $_ }) {
            Join-Path $ModuleDir $file | Should -Exist
        }
    }

    It 'loads nothing before the root module has run the loader' {
        # PowerShell loads NestedModules and RequiredAssemblies before RootModule, so before Edi2.psm1's loader.
        $manifestData.Keys | Should -Not -Contain 'NestedModules'
        $manifestData.Keys | Should -Not -Contain 'RequiredAssemblies'
    }

    It 'has the version and pre-release label of Directory.Build.props, stamped into the source manifest and nothing else changed' {
        $properties = ([xml](Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props'))).SelectSingleNode('/Project/PropertyGroup[ModuleVersion]')
        $version = $properties.ModuleVersion
        $prerelease = [string]$properties.ModulePrerelease
        $manifestData.ModuleVersion | Should -Be $version
        $manifestData.PrivateData.PSData.Prerelease | Should -Be $prerelease
        # The release notes say pre-release exactly when the manifest does.
        [bool]$prerelease | Should -Be ($manifestData.PrivateData.PSData.ReleaseNotes -match '^Pre-release')
        $source = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'Edi2.psd1')
        (Get-Content -Raw -LiteralPath $ModuleManifest).TrimEnd() |
            Should -BeExactly $source.Replace('{{ModuleVersion}}', $version).Replace('{{ModulePrerelease}}', $prerelease).TrimEnd()
    }

    It 'lists in CmdletsToExport exactly the cmdlets the cmdlet assembly defines, and exports no functions or variables' {
        $result = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest } -Script @'
Import-Module $Manifest
$assembly = (Get-Command Connect-Edi2).ImplementingType.Assembly
$defined = foreach ($type in $assembly.GetExportedTypes()) {
    $attribute = [System.Attribute]::GetCustomAttribute($type, [System.Management.Automation.CmdletAttribute])
    if ($attribute -and -not $type.IsAbstract) { '{0}-{1}' -f $attribute.VerbName, $attribute.NounName }
}
[pscustomobject]@{ Defined = @($defined | Sort-Object) } | ConvertTo-Json -Compress
'@
        Join-Sorted $result.Defined | Should -Be $expectedCmdlets
        $manifestData.CmdletsToExport | Should -Not -Contain '*'
        Join-Sorted $manifestData.FunctionsToExport | Should -Be ''
        Join-Sorted $manifestData.VariablesToExport | Should -Be ''
    }

    It 'imports and exports exactly the cmdlets in the manifest, and nothing else' {
        $result = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest } -Script ($report + @'

Import-Module $Manifest
Get-ExportReport | ConvertTo-Json -Depth 3 -Compress
'@)
        Join-Sorted $result.Cmdlets | Should -Be $expectedCmdlets
        Join-Sorted $result.Commands | Should -Be (Join-Sorted (@($manifestData.CmdletsToExport) + @($manifestData.AliasesToExport)))
        Join-Sorted $result.Functions | Should -Be ''
        Join-Sorted $result.Variables | Should -Be ''
        Join-Sorted $result.Aliases | Should -Be $expectedAliases
        $result.Version | Should -Be $manifestData.ModuleVersion
    }

    It 'imports again after Remove-Module, and with -Force, with the same exports' {
        $result = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest } -Script ($report + @'

Import-Module $Manifest
$first = Get-ExportReport
Remove-Module Edi2
$removed = [bool](Get-Module Edi2)
Import-Module $Manifest
$second = Get-ExportReport
Import-Module $Manifest -Force
$forced = Get-ExportReport
[pscustomobject]@{ First = $first; StillThereAfterRemove = $removed; Second = $second; Forced = $forced } | ConvertTo-Json -Depth 4 -Compress
'@)
        $result.StillThereAfterRemove | Should -BeFalse
        Join-Sorted $result.First.Cmdlets | Should -Be $expectedCmdlets
        Join-Sorted $result.Second.Cmdlets | Should -Be $expectedCmdlets
        Join-Sorted $result.Second.Commands | Should -Be (Join-Sorted $result.First.Commands)
        Join-Sorted $result.Forced.Cmdlets | Should -Be $expectedCmdlets
    }

    It 'lets scripts name every output, session and exception type as a type literal, and keeps the dependencies hidden' {
        $result = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest } -Script @'
Import-Module $Manifest
$outputTypes = @(Get-Command -Module Edi2 | ForEach-Object OutputType | ForEach-Object Type |
    Where-Object { $_ -and $_.Namespace -like 'Edi2*' } | Sort-Object FullName -Unique)
$engine = [Edi2.Edi2Session].Assembly
$exceptionTypes = @($engine.GetExportedTypes() | Where-Object { [System.Exception].IsAssignableFrom($_) })
$checked = foreach ($type in @($outputTypes) + @($exceptionTypes) + @([Edi2.Edi2Session])) {
    $name = $type.FullName
    # As users write them: a literal, a typed param() in their own function, -is, and [OutputType()].
    $literal = & ([scriptblock]::Create("[$name]"))
    $function = [scriptblock]::Create("function Test-Typed { [OutputType([$name])] param([$name] `$Value) `$Value -is [$name] }; Get-Command Test-Typed")
    $command = & $function
    [pscustomobject]@{
        Name       = $name
        SameType   = [object]::ReferenceEquals($literal, $type)
        OutputType = [string]$command.OutputType[0].Type.FullName
        Parameter  = [string]$command.Parameters['Value'].ParameterType.FullName
    }
}
$hidden = try { $null = [Microsoft.IdentityModel.Tokens.JsonWebKey]; $false } catch { $true }
[pscustomobject]@{ Checked = @($checked); OutputTypeCount = $outputTypes.Count; DependencyHidden = $hidden } | ConvertTo-Json -Depth 3 -Compress
'@
        $result.OutputTypeCount | Should -BeGreaterOrEqual 10
        foreach ($type in $result.Checked) {
            $type.SameType | Should -BeTrue -Because "[$($type.Name)] is the engine's own type"
            $type.OutputType | Should -Be $type.Name
            $type.Parameter | Should -Be $type.Name
        }
        @($result.Checked | ForEach-Object Name) | Should -Contain 'Edi2.Model.Edi2Notification'
        @($result.Checked | ForEach-Object Name) | Should -Contain 'Edi2.Api.Edi2ApiException'
        if ($PSVersionTable.PSEdition -eq 'Core') {
            $result.DependencyHidden | Should -BeTrue -Because "Microsoft.IdentityModel stays in Edi2's private load context"
        }
    }

    It 'refuses a second copy of the module from another folder in the same process, with a clear message' {
        $copy = Join-Path ([System.IO.Path]::GetTempPath()) ('Edi2-copy-' + [guid]::NewGuid().ToString('N'))
        Copy-Item -LiteralPath $ModuleDir -Destination $copy -Recurse
        try {
            $result = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest; Copy = (Join-Path $copy 'Edi2.psd1') } -Script @'
Import-Module $Manifest
Remove-Module Edi2
$message = try { Import-Module $Copy; '' } catch { $_.Exception.Message }
[pscustomobject]@{ Message = $message } | ConvertTo-Json -Compress
'@
            $result.Message | Should -Match 'already loaded Edi2 from'
        } finally {
            Remove-Item -LiteralPath $copy -Recurse -Force
        }
    }
}
