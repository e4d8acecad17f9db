# The help every build lays out (out/Edi2/en-US, made by the publish from docs/en-US), as Get-Help shows it in a fresh
# process. A module without help fails here: there is no platyPS-less build any more that would excuse it.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # The cmdlets and topics to expect come from the sources, not from the help under test.
    $cmdlets = @((Import-PowerShellDataFile (Join-Path $RepoRoot 'Edi2.psd1')).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
    $topics = @(Get-ChildItem -Path (Join-Path (Join-Path $RepoRoot 'docs') 'en-US') -Filter 'about_*.md' | ForEach-Object { @{ Name = $_.BaseName } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Assert-ModuleBuilt
    # One fresh process reads everything; the tests below look at what it saw.
    $script:seen = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest } -Script @'
Import-Module $Manifest
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$cmdlets = foreach ($name in @((Get-Module Edi2).ExportedCmdlets.Keys)) {
    $command = Get-Command $name
    $help = Get-Help $name -Full
    $described = @{}
    foreach ($p in @($help.parameters.parameter | Where-Object { $_ })) { $described[$p.name] = (@($p.description | ForEach-Object Text) -join "`n").Trim() }
    [pscustomobject]@{
        Name          = $name
        Synopsis      = "$($help.Synopsis)".Trim()
        Syntax        = (($command | Get-Command -Syntax) | Out-String).Trim()
        Description   = (@($help.description | ForEach-Object Text) -join "`n").Trim()
        Examples      = @(@($help.examples.example) | ForEach-Object {
            [pscustomobject]@{ Title = "$($_.title)".Trim('-', ' '); Code = "$($_.code)"; Remarks = (@($_.remarks | ForEach-Object Text) -join "`n").Trim() }
        })
        Parameters    = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | ForEach-Object {
            [pscustomobject]@{ Name = $_; Description = $described[$_] }
        })
        ParameterSets = @($command.ParameterSets).Count
        SyntaxBlocks  = @($help.syntax.syntaxItem).Count
        HelpUri       = $command.HelpUri
        FirstLink     = "$(@($help.relatedLinks.navigationLink)[0].uri)"
    }
}
$topics = foreach ($topic in @(Get-Help about_Edi2*)) {
    [pscustomobject]@{ Name = $topic.Name; Text = (Get-Help $topic.Name | Out-String) }
}
[pscustomobject]@{ Cmdlets = @($cmdlets); Topics = @($topics) } | ConvertTo-Json -Depth 5 -Compress
'@
}

Describe 'Get-Help <Name> -Full' -ForEach $cmdlets {
    BeforeAll {
        $help = $script:seen.Cmdlets | Where-Object Name -eq $Name
    }

    It 'is exported and has help' {
        $help | Should -Not -BeNullOrEmpty
    }

    It 'has a synopsis of its own, not the syntax PowerShell shows without help' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"
        $help.Synopsis | Should -Not -Be $help.Syntax
    }

    It 'has a description' {
        $help.Description | Should -Not -BeNullOrEmpty
    }

    It 'has two or more examples, each with code and remarks' {
        @($help.Examples).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.Examples) {
            $example.Code | Should -Not -BeNullOrEmpty -Because $example.Title
            $example.Remarks | Should -Not -BeNullOrEmpty -Because "'$($example.Title)' should say what it does"
        }
    }

    It 'describes every parameter' {
        foreach ($parameter in $help.Parameters) {
            $parameter.Description | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) of $Name"
        }
    }

    It 'has one syntax block per parameter set' {
        $help.SyntaxBlocks | Should -Be $help.ParameterSets
    }

    It 'has a HelpUri, and Get-Help -Online opens it (the first related link)' {
        # -Online itself would start a browser; the URI it opens is the first related link, else the HelpUri.
        $help.HelpUri | Should -Match '^https://'
        [uri]::IsWellFormedUriString($help.HelpUri, 'Absolute') | Should -BeTrue
        $help.FirstLink | Should -Be $help.HelpUri
        $help.HelpUri | Should -BeLike "*/docs/en-US/$Name.md"
    }
}

Describe 'Get-Help about_Edi2*' {
    It 'finds <Name>' -ForEach $topics {
        $topic = $script:seen.Topics | Where-Object Name -eq $Name
        $topic | Should -Not -BeNullOrEmpty -Because "Get-Help about_Edi2* should list $Name"
        $topic.Text | Should -Match 'SHORT DESCRIPTION'
        $topic.Text | Should -Match 'LONG DESCRIPTION'
    }
}
