#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# No raw .NET exception leaves a cmdlet: what nobody expected becomes an Edi2.Unexpected ErrorRecord with a category and a
# target (Edi2Cmdlet's catch-all), while PowerShell's own errors (-ErrorAction Stop, ThrowTerminatingError, a stopped
# pipeline) pass through untouched. Against a "HelseID" on 127.0.0.1 that answers garbage: an access token that is no JWT.

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $script:Key = New-Edi2ClientKey -Path (Join-Path $TestDrive 'garbage.json') -Algorithm ES256

    # A free loopback port, then an HttpListener answering on a background runspace: OpenID discovery, a 200 token
    # response whose access_token is "{}" . "not json" . "sig" (no JWT, but nothing the token client checks), 404 elsewhere,
    # and no answer at all on the notification stream (so that a -Wait call hangs until it is stopped).
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $script:Issuer = "http://127.0.0.1:$port"
    $script:Listener = [System.Net.HttpListener]::new()
    $script:Listener.Prefixes.Add("$script:Issuer/")
    $script:Listener.Start()
    $script:Server = [powershell]::Create()
    $null = $script:Server.AddScript({
        param($listener, $issuer)
        while ($listener.IsListening) {
            try { $context = $listener.GetContext() } catch { break }
            $path = $context.Request.Url.AbsolutePath
            if ($path -like '*/notifications/stream') { continue } # never answered
            $status = 200
            $body = switch -Wildcard ($path) {
                '/.well-known/openid-configuration' { '{"issuer":"' + $issuer + '","token_endpoint":"' + $issuer + '/connect/token"}' }
                '/connect/token' { '{"access_token":"e30.bm90IGpzb24.c2ln","token_type":"DPoP","expires_in":300,"scope":"nhn:msh/api"}' }
                default { $status = 404; '' }
            }
            $bytes = [System.Text.Encoding]::UTF8.GetBytes($body)
            $context.Response.StatusCode = $status
            $context.Response.ContentType = 'application/json'
            $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
            $context.Response.Close()
        }
    }).AddArgument($script:Listener).AddArgument($script:Issuer)
    $script:ServerRun = $script:Server.BeginInvoke()

    $script:Endpoints = @{ Authority = $script:Issuer; ApiBaseUri = "$script:Issuer/api/" }
    $script:Session = Connect-Edi2 -ClientId 'garbage-client' -KeyPath $script:Key.Path @script:Endpoints -PassThru
}

AfterAll {
    if ($script:Session) { Disconnect-Edi2 -Session $script:Session }
    if ($script:Listener) { $script:Listener.Stop(); $script:Listener.Close() }
    if ($script:Server) { $null = $script:ServerRun.AsyncWaitHandle.WaitOne(5000); $script:Server.Dispose() }
}

Describe 'Unexpected exceptions' {
    It 'turns a raw exception (a JsonException from a token that is no JWT) into Edi2.Unexpected with a category and the target' {
        $err = $null
        try { Get-Edi2AccessToken -Session $script:Session -Decode } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'Edi2.Unexpected,Edi2.PowerShell.Commands.GetEdi2AccessTokenCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be 'garbage-client'
        $err.Exception.GetType().FullName | Should -Match 'Json'
        $err.Exception.GetType().FullName | Should -Not -Match 'CmdletInvocationException'
        $err.ErrorDetails.Message | Should -Match 'report it'
        $err.ErrorDetails.Message | Should -Match 'Json'
        ($err | Out-String) | Should -Not -Match 'e30\.bm90'
    }

    It 'is a terminating error: the statement stops there' {
        $after = $false
        try {
            Get-Edi2AccessToken -Session $script:Session -Decode -ErrorAction Continue
            $after = $true
        } catch { }
        $after | Should -BeFalse
    }

    It 'lets -ErrorAction Stop on an Edi2 error pass through as that error, not as Edi2.Unexpected' {
        $err = $null
        Invoke-Edi2Request -Session $script:Session -Path 'no-such-thing' -ErrorVariable err -ErrorAction SilentlyContinue
        $expected = Get-FakeNhnErrorId $err[0]
        $expected | Should -Match '^Edi2\.Api\.'
        $stopped = $null
        try { Invoke-Edi2Request -Session $script:Session -Path 'no-such-thing' -ErrorAction Stop } catch { $stopped = $_ }
        Get-FakeNhnErrorId $stopped | Should -Be $expected
    }

    It "passes the base's own terminating errors (ThrowTerminatingError) through as they are" {
        $closed = Connect-Edi2 -ClientId 'garbage-client' -KeyPath $script:Key.Path @script:Endpoints -PassThru
        Disconnect-Edi2 -Session $closed
        $err = $null
        try { Test-Edi2Connection -Session $closed } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'Edi2.Session.Disconnected,Edi2.PowerShell.Commands.TestEdi2ConnectionCommand'
    }

    It 'stops at once when the pipeline is stopped, with no error record' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                param($manifest, $session)
                Import-Module $manifest
                Get-Edi2Notification -Session $session -HerId 8142519 -Wait
            }).AddArgument($ModuleManifest).AddArgument($script:Session)
            $run = $shell.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ($shell.InvocationStateInfo.State -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Seconds 2 # inside the request that is never answered
            $run.IsCompleted | Should -BeFalse
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $shell.InvocationStateInfo.Reason | Should -BeOfType [System.Management.Automation.PipelineStoppedException]
            @($shell.Streams.Error | Where-Object { $_.FullyQualifiedErrorId -like 'Edi2.*' }) | Should -BeNullOrEmpty
        } finally {
            $shell.Dispose()
        }
    }
}
