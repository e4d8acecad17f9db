# The repository's own build helpers (build/), as the sandbox and the fresh-process tests use them.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Get-PowerShellHost' {
    It 'starts another process of this very PowerShell, however it was installed (here: <_>)' -ForEach @(
        $(if ([System.IO.Path]::GetFileNameWithoutExtension((Get-Process -Id $PID).Path) -eq 'dotnet') { 'the .NET tool, run by the dotnet muxer' } else { (Get-Process -Id $PID).Path })
    ) {
        $shell = Get-PowerShellHost
        $arguments = @($shell.Arguments) + @('-NoProfile', '-NonInteractive', '-Command', '"$PSHOME|$($PSVersionTable.PSVersion)"')
        $output = & $shell.FilePath @arguments
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be "$PSHOME|$($PSVersionTable.PSVersion)"
    }
}
