# Dependency isolation of the built module (out/Edi2), each scenario in a fresh PowerShell process.
#   PowerShell 7: the engine and Microsoft.IdentityModel load into the private AssemblyLoadContext "Edi2", so a
#   conflicting Microsoft.IdentityModel.Tokens that another module (Az.Accounts, Microsoft.Graph,
#   ExchangeOnlineManagement) loaded first, or loads later, stays in "Default" and both work.
#   Windows PowerShell 5.1: no isolation; the import works, the engine runs, and TLS 1.2 is enabled.
# The engine is reached the way the cmdlet assembly's reference to it is resolved: by name, from the default context.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Assert-ModuleBuilt
    $isCore = $PSVersionTable.PSEdition -eq 'Core'
    # The Microsoft.IdentityModel the module ships, whichever version that is.
    $identityModelVersion = [string][System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $DependenciesDir 'Microsoft.IdentityModel.Tokens.dll')).Version
    $hasWindowsPowerShell = [bool]$WindowsPowerShell

    # Loads a stand-in for another module's Microsoft.IdentityModel.Tokens, version 1.0, into the default context:
    # 'dynamic' as Microsoft Graph's own isolation test does, 'file' as a real dll on disk (which the runtime's binder
    # knows about, so it is the stricter test).
    $loadStub = @'
function Import-Stub([string] $Kind) {
    $stubName = 'Microsoft.IdentityModel.Tokens'
    if ($Kind -eq 'dynamic') {
        $name = [System.Reflection.AssemblyName]::new($stubName)
        $name.Version = [version]'1.0.0.0'
        $builder = [System.Reflection.Emit.AssemblyBuilder]::DefineDynamicAssembly($name, [System.Reflection.Emit.AssemblyBuilderAccess]::Run)
        $null = $builder.DefineDynamicModule($stubName).DefineType("$stubName.Stub", [System.Reflection.TypeAttributes]::Public).CreateType()
    } else {
        # Compiled with the Roslyn that PowerShell 7 ships (Add-Type -OutputAssembly gives the assembly a random name).
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $folder
        $dll = Join-Path $folder "$stubName.dll"
        $source = '[assembly: System.Reflection.AssemblyVersion("1.0.0.0")] namespace Microsoft.IdentityModel.Tokens { public class Stub { } }'
        $compilation = [Microsoft.CodeAnalysis.CSharp.CSharpCompilation]::Create($stubName,
            [Microsoft.CodeAnalysis.SyntaxTree[]] @([Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree]::ParseText($source)),
            [Microsoft.CodeAnalysis.MetadataReference[]] @([Microsoft.CodeAnalysis.MetadataReference]::CreateFromFile([object].Assembly.Location)),
            [Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions]::new([Microsoft.CodeAnalysis.OutputKind]::DynamicallyLinkedLibrary))
        $file = [System.IO.File]::Create($dll)
        try { $emitted = $compilation.Emit($file) } finally { $file.Dispose() }
        if (-not $emitted.Success) { throw "The stub did not compile: $($emitted.Diagnostics)" }
        Add-Type -Path $dll
    }
    if (-not ([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $stubName -and $_.GetName().Version -eq '1.0.0.0' })) {
        throw "The stub $stubName 1.0 did not load."
    }
}
'@

    # Makes the engine run (a new ES256 key goes through Microsoft.IdentityModel.Tokens and System.Text.Json), then
    # reports where the interesting assemblies were loaded from.
    $useEngineAndReport = @'
function Use-Engine {
    $engine = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('Edi2.Client'))
    $signingKey = $engine.GetType('Edi2.HelseId.SigningKey', $true)
    $key = $signingKey::Generate('ES256')
    # A DPoP proof: Microsoft.IdentityModel.JsonWebTokens signs it.
    $proof = $engine.GetType('Edi2.HelseId.DPoPProof', $true)::Create($key, 'GET', [uri]'https://api.example.test/ping', [DateTimeOffset]::UtcNow, $null, $null)
    if ($proof.Split('.').Count -ne 3) { throw "Not a JWS: $proof" }
    $jwk = $key.ExportPublicJwk() | ConvertFrom-Json
    $key.Dispose()
    # A token request to a closed port: it fails, but only after Duende.IdentityModel has run (discovery).
    $settings = $engine.GetType('Edi2.HelseId.HelseIdClientSettings', $true)::new([uri]'http://127.0.0.1:9', 'isolation-probe', $null, 'nhn:msh/api')
    $ephemeral = $engine.GetType('Edi2.HelseId.DPoPKeyMode', $true)::Ephemeral
    $provider = $engine.GetType('Edi2.HelseId.HelseIdTokenProvider', $true)::new($settings, $signingKey::Generate('ES256'), $ephemeral, [System.Net.Http.HttpClient]::new(), $null, $null)
    $failure = $null
    try { $null = $provider.GetTokenAsync([System.Threading.CancellationToken]::None).GetAwaiter().GetResult() } catch { $failure = $_.Exception.InnerException.Reason }
    $provider.Dispose()
    $jwk | Add-Member TokenFailure $failure
    $jwk
}
function Get-LoadReport($Jwk) {
    $names = 'Edi2.PowerShell', 'Edi2.Loader', 'Edi2.Client', 'Microsoft.IdentityModel.Tokens', 'Microsoft.IdentityModel.JsonWebTokens', 'Duende.IdentityModel'
    $loaded = foreach ($assembly in [System.AppDomain]::CurrentDomain.GetAssemblies()) {
        $name = $assembly.GetName()
        if ($names -contains $name.Name) {
            [pscustomobject]@{
                Name     = $name.Name
                Version  = [string]$name.Version
                Context  = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name
                Location = if ($assembly.IsDynamic) { '' } else { $assembly.Location }
            }
        }
    }
    [pscustomobject]@{ Loaded = @($loaded); KeyType = $Jwk.kty; Curve = $Jwk.crv; TokenFailure = $Jwk.TokenFailure } | ConvertTo-Json -Depth 4 -Compress
}
'@

    function Get-Loaded($Report, [string] $Name) { @($Report.Loaded | Where-Object Name -EQ $Name) }
}

Describe 'Isolation on PowerShell 7' {
    BeforeEach {
        if (-not $isCore) { Set-ItResult -Skipped -Because 'AssemblyLoadContext isolation exists only on PowerShell 7 (this is Windows PowerShell)' }
    }

    It 'keeps Edi2''s Microsoft.IdentityModel in the "Edi2" context when another one (<_>) was loaded first' -ForEach 'dynamic', 'file' {
        $report = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest; Kind = $_ } -Script (
            $loadStub + "`n" + $useEngineAndReport + @'

Import-Stub $Kind
Import-Module $Manifest
Get-LoadReport (Use-Engine)
'@)
        $tokens = Get-Loaded $report 'Microsoft.IdentityModel.Tokens'
        $tokens.Count | Should -Be 2
        ($tokens | Where-Object Context -EQ 'Default').Version | Should -Be '1.0.0.0'
        $ours = $tokens | Where-Object Context -EQ 'Edi2'
        $ours.Version | Should -Be $identityModelVersion
        $ours.Location | Should -Be (Join-Path $DependenciesDir 'Microsoft.IdentityModel.Tokens.dll')
        (Get-Loaded $report 'Microsoft.IdentityModel.JsonWebTokens').Context | Should -Be 'Edi2'
        (Get-Loaded $report 'Duende.IdentityModel').Context | Should -Be 'Edi2'
        (Get-Loaded $report 'Duende.IdentityModel').Location | Should -Be (Join-Path $DependenciesDir 'Duende.IdentityModel.dll')
        $report.TokenFailure | Should -Be 'Authentication.ConnectionFailed'
        (Get-Loaded $report 'Edi2.Client').Context | Should -Be 'Edi2'
        (Get-Loaded $report 'Edi2.Client').Location | Should -Be (Join-Path $DependenciesDir 'Edi2.Client.dll')
        (Get-Loaded $report 'Edi2.PowerShell').Context | Should -Be 'Default'
        (Get-Loaded $report 'Edi2.Loader').Context | Should -Be 'Default'
        $report.KeyType | Should -Be 'EC'
        $report.Curve | Should -Be 'P-256'
    }

    It 'lets another module load its Microsoft.IdentityModel after Edi2 has loaded its own' {
        $report = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest } -Script (
            $loadStub + "`n" + $useEngineAndReport + @'

Import-Module $Manifest
$jwk = Use-Engine
Import-Stub 'file'
Get-LoadReport $jwk
'@)
        $tokens = Get-Loaded $report 'Microsoft.IdentityModel.Tokens'
        ($tokens | Where-Object Context -EQ 'Default').Version | Should -Be '1.0.0.0'
        ($tokens | Where-Object Context -EQ 'Edi2').Version | Should -Be $identityModelVersion
        $report.KeyType | Should -Be 'EC'
    }

    It 'works next to <_> in either import order, where it is installed' -ForEach 'Az.Accounts', 'Microsoft.Graph.Authentication', 'ExchangeOnlineManagement' {
        if (-not (Get-Module -ListAvailable -Name $_)) {
            Set-ItResult -Skipped -Because "$_ is not installed (it comes from the PowerShell Gallery, which this machine cannot reach)"
            return
        }
        foreach ($order in 'OtherFirst', 'Edi2First') {
            $report = Invoke-InFreshPowerShell -Values @{ Manifest = $ModuleManifest; Other = $_; Order = $order } -Script (
                $useEngineAndReport + @'

if ($Order -eq 'OtherFirst') { Import-Module $Other; Import-Module $Manifest } else { Import-Module $Manifest; Import-Module $Other }
Get-LoadReport (Use-Engine)
'@)
            (Get-Loaded $report 'Edi2.Client').Context | Should -Be 'Edi2' -Because "import order $order"
            ($report.Loaded | Where-Object { $_.Name -eq 'Microsoft.IdentityModel.Tokens' -and $_.Context -eq 'Edi2' }).Version |
                Should -Be $identityModelVersion -Because "import order $order"
            $report.KeyType | Should -Be 'EC'
        }
    }
}

Describe 'Windows PowerShell 5.1' {
    BeforeEach {
        if (-not $hasWindowsPowerShell) { Set-ItResult -Skipped -Because 'Windows PowerShell 5.1 exists only on Windows' }
    }

    It 'imports, runs the engine from dependencies, and enables TLS 1.2 when only <_> was offered' -ForEach 'Tls', 'Tls, Tls11' {
        $report = Invoke-InFreshPowerShell -PowerShell $WindowsPowerShell -Values @{ Manifest = $ModuleManifest; Before = $_ } -Script @'
[System.Net.ServicePointManager]::SecurityProtocol = [System.Net.SecurityProtocolType]$Before
Import-Module $Manifest
$engine = [System.Reflection.Assembly]::Load('Edi2.Client')
$signingKey = $engine.GetType('Edi2.HelseId.SigningKey', $true)
$key = $signingKey::Generate('ES256')
$jwk = $key.ExportPublicJwk() | ConvertFrom-Json
[pscustomobject]@{
    Edition        = $PSVersionTable.PSEdition
    Protocols      = [string][System.Net.ServicePointManager]::SecurityProtocol
    EngineLocation = $engine.Location
    KeyType        = $jwk.kty
} | ConvertTo-Json -Compress
'@
        $report.Edition | Should -Be 'Desktop'
        $report.Protocols -split ', ' | Should -Contain 'Tls12'
        $report.Protocols -split ', ' | Should -Contain 'Tls'
        $report.EngineLocation | Should -Be (Join-Path $DependenciesDir 'Edi2.Client.dll')
        $report.KeyType | Should -Be 'EC'
    }

    It 'leaves SystemDefault to the operating system, which then chooses TLS 1.2 or 1.3 itself' {
        $report = Invoke-InFreshPowerShell -PowerShell $WindowsPowerShell -Values @{ Manifest = $ModuleManifest } -Script @'
[System.Net.ServicePointManager]::SecurityProtocol = [System.Net.SecurityProtocolType]::SystemDefault
Import-Module $Manifest
[pscustomobject]@{ Protocols = [string][System.Net.ServicePointManager]::SecurityProtocol } | ConvertTo-Json -Compress
'@
        $report.Protocols | Should -Be 'SystemDefault'
    }
}
