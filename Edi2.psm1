# Edi2 root module. PowerShell runs it before any Edi2 assembly is loaded, so the loader is set up first:
#   PowerShell 7.4+   the engine (Edi2.Client) and its dependencies load into a private AssemblyLoadContext named
#                     "Edi2", so Edi2 works next to Az.Accounts, Microsoft.Graph or ExchangeOnlineManagement, which
#                     load other versions of Microsoft.IdentityModel, in either import order.
#   Windows PS 5.1    no isolation is possible: the dependencies load normally from dependencies/, and TLS 1.2 is enabled.
# Then the cmdlets are imported. The manifest has no NestedModules or RequiredAssemblies on purpose: PowerShell would
# load those before this script runs, before the loader.

$isCore = $PSVersionTable.PSEdition -eq 'Core'
if ($isCore -and $PSVersionTable.PSVersion -lt [version]'7.4') {
    throw "Edi2 needs PowerShell 7.4 or later, or Windows PowerShell 5.1; this is PowerShell $($PSVersionTable.PSVersion)."
}

# Assemblies stay loaded for the life of the process: a second import (after Remove-Module, or in another runspace)
# finds the loader and the cmdlet assembly already there.
$isReload = $false
foreach ($assembly in [System.AppDomain]::CurrentDomain.GetAssemblies()) { if ($assembly.GetName().Name -eq 'Edi2.PowerShell') { $isReload = $true; break } }
if (-not ('Edi2.Loader.ModuleLoader' -as [type])) {
    $loaderFramework = if ($isCore) { 'net8.0' } else { 'netstandard2.0' }
    # Assembly.LoadFrom, not Add-Type: the same load, without the first-use cost of Add-Type (about 20 ms of each import).
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'loader', $loaderFramework, 'Edi2.Loader.dll'))
}
[Edi2.Loader.ModuleLoader]::Initialize($PSScriptRoot)

$cmdletModule = Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'Edi2.PowerShell.dll')) -PassThru -ErrorAction Stop
if ($isReload) {
    # PowerShell/PowerShell#20710: importing an assembly that is already loaded does not hand its cmdlets to the
    # module that imports it, so a re-import would export nothing. Add them to this module by hand.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $cmdletModule.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}

# PowerShell 7 resolves type names ([Edi2.Model.Edi2Notification] in a param() block, -is, [OutputType()]) only among
# the default context's assemblies, and the engine's types live in the private one. A type accelerator per public engine
# type gives scripts those names with the identity the engine uses (a copy in the default context would be another
# type, and would bring the dependencies with it). Windows PowerShell 5.1 finds them by itself.
$typeAccelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
$engineTypes = if ($isCore) {
    $engine = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('Edi2.Client'))
    @(foreach ($type in $engine.GetExportedTypes()) { if (-not $type.IsNested) { $type } })
} else { @() }
foreach ($type in $engineTypes) { $typeAccelerators::Add($type.FullName, $type) }

# Unhooks the resolver when the last importer removes the module (the assemblies themselves cannot be unloaded), and
# takes the type names away with it.
$ExecutionContext.SessionState.Module.OnRemove = {
    [Edi2.Loader.ModuleLoader]::Shutdown()
    if (-not [Edi2.Loader.ModuleLoader]::IsHooked) {
        foreach ($type in $engineTypes) { $null = $typeAccelerators::Remove($type.FullName) }
    }
}.GetNewClosure()
