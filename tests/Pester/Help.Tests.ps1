# The help build.ps1 makes from docs/en-US with platyPS 0.14 (out/Edi2/en-US), as Get-Help shows it in a fresh process.
# Skipped where the module was laid out without platyPS (the xunit DocsDriftTests check the markdown itself everywhere).

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $helpFile = Join-Path (Join-Path $ModuleDir 'en-US') 'Edi2.PowerShell.dll-Help.xml'
    $noHelp = -not (Test-Path -LiteralPath $helpFile)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Assert-ModuleBuilt
    $docs = Join-Path (Join-Path $RepoRoot 'docs') 'en-US'
}

Describe 'Edi2 help' -Skip:$noHelp {
    It 'Get-Help shows each cmdlet''s page (its examples) and each about topic' {
        $result = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest } -Script @'
Import-Module $Manifest
$cmdlets = foreach ($name in @((Get-Module Edi2).ExportedCmdlets.Keys)) {
    $help = Get-Help $name -Full
    [pscustomobject]@{ Name = $name; Examples = @($help.examples.example).Count; Parameters = @($help.parameters.parameter).Count }
}
$topics = foreach ($topic in @(Get-ChildItem -Path (Join-Path (Split-Path $Manifest) 'en-US') -Filter 'about_*.help.txt')) {
    $name = $topic.Name -replace '\.help\.txt$', ''
    [pscustomobject]@{ Name = $name; Text = (Get-Help $name | Out-String) }
}
[pscustomobject]@{ Cmdlets = @($cmdlets); Topics = @($topics) } | ConvertTo-Json -Depth 4 -Compress
'@
        # Help generated from metadata alone has no examples: two or more means the page was found.
        foreach ($cmdlet in $result.Cmdlets) {
            $cmdlet.Examples | Should -BeGreaterOrEqual 2 -Because "$($cmdlet.Name) should show docs/en-US/$($cmdlet.Name).md"
        }
        $expectedTopics = @(Get-ChildItem -Path $docs -Filter 'about_*.md' | ForEach-Object BaseName | Sort-Object)
        @($result.Topics | ForEach-Object Name | Sort-Object) | Should -Be $expectedTopics
        foreach ($topic in $result.Topics) {
            $topic.Text | Should -Match 'SHORT DESCRIPTION' -Because "Get-Help $($topic.Name) should show the topic"
        }
    }
}
