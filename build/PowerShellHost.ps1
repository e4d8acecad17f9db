# How to start another process of the PowerShell that runs this script, however it was installed: MSI/pkg/deb or zip
# (pwsh, pwsh.exe), Windows PowerShell (powershell.exe), or the .NET tool, local or global. A .NET tool pwsh can run
# as the dotnet muxer ("dotnet pwsh", "dotnet tool run pwsh"), so the process path alone would start "dotnet -NoExit".
# Dot-sourced by build.ps1 and the Pester tests; works on Windows PowerShell 5.1 and PowerShell 7.

function Get-PowerShellHost {
    # FilePath and the arguments that come before PowerShell's own (-NoProfile, -Command, ...).
    $process = (Get-Process -Id $PID).Path
    $name = [System.IO.Path]::GetFileNameWithoutExtension($process)
    if ($name -in 'pwsh', 'powershell', 'powershell_ise') {
        if ($name -eq 'powershell_ise') { $process = Join-Path $PSHOME 'powershell.exe' }
        return [pscustomobject]@{ FilePath = $process; Arguments = @() }
    }
    # Hosted: the muxer (dotnet) or another host runs pwsh.dll from $PSHOME; start that with the same runtime.
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ($name -eq 'dotnet' -and (Test-Path -LiteralPath $dll)) {
        return [pscustomobject]@{ FilePath = $process; Arguments = @($dll) }
    }
    foreach ($candidate in 'pwsh', 'pwsh.exe', 'powershell.exe') {
        $path = Join-Path $PSHOME $candidate
        if (Test-Path -LiteralPath $path -PathType Leaf) { return [pscustomobject]@{ FilePath = $path; Arguments = @() } }
    }
    throw "Cannot tell how to start PowerShell from this host ($process, PSHOME $PSHOME)."
}
