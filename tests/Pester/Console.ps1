# Helpers for Console.Tests.ps1: a real interactive PowerShell in a tmux pane of a fixed size, typed into with
# send-keys and read back with capture-pane, as a person at an 80- or 120-column terminal would see it.
# Dot-sourced in BeforeAll after FakeNhn.ps1. Every wait polls the screen up to a bounded timeout; nothing sleeps blind.
# The sessions run on a tmux server of their own (a socket named for this test run), so no other tmux is touched.

# The prompt every console session shows (capture-pane drops its trailing space).
$ConsolePrompt = 'PS> '
$ConsolePromptLine = '^PS>( |$)'

function Get-ConsoleSkipReason {
    # Why the console tests cannot run here, or $null when they can: tmux needs Linux or macOS, and tmux itself.
    if (-not ($IsLinux -or $IsMacOS)) { return 'tmux runs the console sessions, and tmux needs Linux or macOS' }
    if (-not (Get-Command tmux -CommandType Application -ErrorAction SilentlyContinue)) {
        return 'tmux is not installed (CI installs it: apt-get install -y tmux)'
    }
    $null
}

function Invoke-Tmux {
    # Runs tmux on the test run's own server (-L socket, no user config; -u: UTF-8, whatever the locale says) and
    # returns its output.
    param([Parameter(Mandatory)] [string] $Socket, [Parameter(Mandatory)] [string[]] $Arguments, [switch] $IgnoreExitCode)
    $output = & tmux -u -f /dev/null -L $Socket @Arguments 2>&1
    if ($LASTEXITCODE -ne 0 -and -not $IgnoreExitCode) {
        throw "tmux $($Arguments -join ' ') failed with exit code ${LASTEXITCODE}: $($output -join [Environment]::NewLine)"
    }
    $output | ForEach-Object { [string]$_ }
}

function ConvertTo-ShellWord([string] $Word) {
    # One word for /bin/sh, in single quotes.
    "'" + $Word.Replace("'", "'\''") + "'"
}

function New-ConsoleStartupScript {
    # Writes the script a console's pwsh dot-sources before its first prompt, and returns its path: $Before (variables,
    # functions), then a fixed prompt, no PSReadLine history (it would go to the user's history file) or inline
    # predictions, the module, then $After (a Connect-Edi2 line, say).
    param([Parameter(Mandatory)] [string] $Path, [string[]] $Before = @(), [string[]] $After = @())
    $lines = @($Before) + @(
        "function global:prompt { '$ConsolePrompt' }"
        'try { Set-PSReadLineOption -HistorySaveStyle SaveNothing -PredictionSource None -ErrorAction Stop } catch { }'
        "Import-Module '$($ModuleManifest.Replace("'", "''"))' -ErrorAction Stop"
    ) + @($After)
    [System.IO.File]::WriteAllText($Path, ($lines -join "`n") + "`n", [System.Text.UTF8Encoding]::new($false))
    $Path
}

function Start-ConsoleSession {
    # A detached tmux session of Width x Height running an interactive pwsh (-NoProfile -NoLogo -NoExit) that first
    # dot-sources $StartupScript. Returns once the prompt shows on an otherwise empty screen.
    param(
        [Parameter(Mandatory)] [string] $Socket,
        [Parameter(Mandatory)] [int] $Width,
        [int] $Height = 40,
        [Parameter(Mandatory)] [string] $StartupScript,
        [TimeSpan] $Timeout = [TimeSpan]::FromSeconds(120)
    )
    $name = 'edi2-console-{0}-{1}' -f $Width, [guid]::NewGuid().ToString('N').Substring(0, 8)
    $words = @($CurrentPowerShell.FilePath) + @($CurrentPowerShell.Arguments) +
        @('-NoProfile', '-NoLogo', '-NoExit', '-Command', ". '$($StartupScript.Replace("'", "''"))'")
    $command = 'cd ' + (ConvertTo-ShellWord $RepoRoot) + ' && exec ' + (($words | ForEach-Object { ConvertTo-ShellWord $_ }) -join ' ')
    # What a person's terminal has: a UTF-8 locale (for the ellipsis PowerShell cuts columns with).
    $utf8 = "$env:LC_ALL$env:LC_CTYPE$env:LANG" -match '(?i)utf-?8'
    if ($IsLinux -and -not $utf8) { $command = 'export LANG=C.UTF-8; ' + $command }

    # The scenarios' output is longer than the pane: keep all of it in the scrollback (set before the pane is made).
    $null = Invoke-Tmux $Socket @('start-server', ';', 'set-option', '-g', 'history-limit', '50000', ';',
        'new-session', '-d', '-s', $name, '-x', "$Width", '-y', "$Height", $command)
    $session = [pscustomobject]@{ Socket = $Socket; Name = $name; Width = $Width; Height = $Height }
    $null = Wait-ConsoleScreen -Session $session -Timeout $Timeout -Because 'pwsh to start and show its prompt' -Condition {
        param($lines) @($lines).Count -ge 1 -and $lines[-1] -eq $ConsolePrompt.TrimEnd()
    }
    $screen = @(Get-ConsoleScreen -Session $session -History)
    if ($screen.Count -ne 1) {
        Stop-ConsoleSession -Session $session
        throw "The console session did not start cleanly; its screen:`n$($screen -join "`n")"
    }
    $session
}

function Stop-ConsoleSession {
    param($Session)
    if ($Session) { $null = Invoke-Tmux $Session.Socket @('kill-session', '-t', $Session.Name) -IgnoreExitCode }
}

function Stop-ConsoleServer {
    # Ends the test run's own tmux server (the one on its socket), and with it any session a failed test left; then
    # removes the socket file, which tmux leaves in $TMUX_TMPDIR/tmux-<uid>/.
    param([string] $Socket)
    if (-not $Socket -or -not (Get-Command tmux -CommandType Application -ErrorAction SilentlyContinue)) { return }
    $null = Invoke-Tmux $Socket @('kill-server') -IgnoreExitCode
    $tmp = if ($env:TMUX_TMPDIR) { $env:TMUX_TMPDIR } else { '/tmp' }
    $path = Join-Path (Join-Path $tmp "tmux-$(& id -u)") $Socket
    if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue }
}

function Get-ConsoleScreen {
    # The pane as plain text (capture-pane -p, no escape codes), one string per screen row (written to the pipeline,
    # so wrap the call in @()), trailing blank rows left out. -History: from the start of the scrollback (what scrolled off the top too). -Join: rows the terminal wrapped
    # joined back into one line, as PowerShell wrote them.
    param([Parameter(Mandatory)] $Session, [switch] $History, [switch] $Join)
    $arguments = @('capture-pane', '-p', '-t', $Session.Name)
    if ($History) { $arguments += @('-S', '-') }
    if ($Join) { $arguments += '-J' }
    $lines = @(Invoke-Tmux $Session.Socket $arguments | ForEach-Object { $_.TrimEnd() })
    $last = $lines.Count - 1
    while ($last -ge 0 -and $lines[$last] -eq '') { $last-- }
    if ($last -ge 0) { $lines[0..$last] }
}

function Wait-ConsoleScreen {
    # Polls the screen until it is ready, and returns it: until $Condition (given the lines) is true, or with
    # -PromptAfter until the prompt is back (more prompt rows than that, an empty prompt last). Throws with what the
    # screen showed when $Timeout passes first. The lines include the scrollback unless -Visible. $OnEachScreen sees
    # every capture (to catch what shows only for a while, such as a progress bar).
    param(
        [Parameter(Mandatory)] $Session,
        [scriptblock] $Condition,
        [int] $PromptAfter = -1,
        [Parameter(Mandatory)] [string] $Because,
        [TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60),
        [scriptblock] $OnEachScreen,
        [switch] $Visible,
        [int] $PollMilliseconds = 40
    )
    $deadline = [DateTime]::UtcNow + $Timeout
    while ($true) {
        $lines = @(Get-ConsoleScreen -Session $Session -History:(-not $Visible))
        if ($OnEachScreen) { $null = & $OnEachScreen $lines }
        $ready = if ($PromptAfter -ge 0) { Test-ConsolePromptBack -Lines $lines -After $PromptAfter } else { [bool](& $Condition $lines) }
        if ($ready) { return $lines }
        if ([DateTime]::UtcNow -gt $deadline) {
            throw "Waited $Timeout for $Because. The screen ($($Session.Width) columns) showed:`n$($lines -join "`n")"
        }
        Start-Sleep -Milliseconds $PollMilliseconds
    }
}

function Get-ConsolePromptCount([string[]] $Lines) {
    @($Lines | Where-Object { $_ -match $ConsolePromptLine }).Count
}

function Test-ConsolePromptBack([string[]] $Lines, [int] $After) {
    # True once more prompt rows are on the screen than $After and the last row is an empty prompt.
    @($Lines).Count -gt 0 -and $Lines[-1] -eq $ConsolePrompt.TrimEnd() -and (Get-ConsolePromptCount $Lines) -gt $After
}

function Send-ConsoleKeys {
    # Types $Text literally (send-keys -l), then Enter unless -NoEnter.
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Text, [switch] $NoEnter)
    # tmux takes an argument ending in ';' as the end of its command.
    if ($Text.EndsWith(';')) { throw "Type '$Text' without the ';' at the end (tmux would take it as a command separator)." }
    $null = Invoke-Tmux $Session.Socket @('send-keys', '-t', $Session.Name, '-l', '--', $Text)
    if (-not $NoEnter) { $null = Invoke-Tmux $Session.Socket @('send-keys', '-t', $Session.Name, 'Enter') }
}

function Invoke-ConsoleCommand {
    # Types a command line and waits for the next prompt; returns the screen with its scrollback. -UntilScreen waits
    # for that condition instead (for a command that asks something).
    param(
        [Parameter(Mandatory)] $Session,
        [Parameter(Mandatory)] [string] $Command,
        [scriptblock] $UntilScreen,
        [string] $Because = "'$Command' to finish",
        [TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60),
        [scriptblock] $OnEachScreen
    )
    $before = Get-ConsolePromptCount @(Get-ConsoleScreen -Session $Session -History)
    Send-ConsoleKeys -Session $Session -Text $Command
    $wait = @{ Session = $Session; Because = $Because; Timeout = $Timeout; OnEachScreen = $OnEachScreen }
    if ($UntilScreen) { $wait.Condition = $UntilScreen } else { $wait.PromptAfter = $before }
    Wait-ConsoleScreen @wait
}

function Clear-ConsoleScreen {
    # An empty screen and scrollback with just the prompt, so that what follows is one scenario's (-ClearErrors: and an
    # empty $Error). A command still running or asking (a test that failed half-way) is stopped with Ctrl+C first.
    param([Parameter(Mandatory)] $Session, [switch] $ClearErrors)
    $lines = @(Get-ConsoleScreen -Session $Session)
    if (@($lines).Count -eq 0 -or $lines[-1] -ne $ConsolePrompt.TrimEnd()) {
        $null = Invoke-Tmux $Session.Socket @('send-keys', '-t', $Session.Name, 'C-c')
        $null = Wait-ConsoleScreen -Session $Session -Visible -Because 'the prompt after Ctrl+C' -Condition {
            param($l) @($l).Count -gt 0 -and $l[-1] -eq $ConsolePrompt.TrimEnd()
        }
    }
    Send-ConsoleKeys -Session $Session -Text $(if ($ClearErrors) { '$Error.Clear(); Clear-Host' } else { 'Clear-Host' })
    $null = Wait-ConsoleScreen -Session $Session -Visible -Because 'Clear-Host to empty the screen' -Condition {
        param($l) @($l).Count -eq 1 -and $l[0] -eq $ConsolePrompt.TrimEnd()
    }
    $null = Invoke-Tmux $Session.Socket @('clear-history', '-t', $Session.Name)
}

function ConvertTo-ConsoleFlat([string[]] $Lines) {
    # The text without any whitespace: matches a phrase however PowerShell or the terminal wrapped it.
    ($Lines -join '') -replace '\s', ''
}

function Test-ConsoleText {
    # Whether $Phrase shows on the screen, wherever its lines were wrapped.
    param([string[]] $Lines, [Parameter(Mandatory)] [string] $Phrase)
    (ConvertTo-ConsoleFlat $Lines).Contains((ConvertTo-ConsoleFlat @($Phrase)))
}

function Save-ConsoleCapture {
    # Keeps what the screen showed in $env:EDI2_CONSOLE_CAPTURES (a folder outside the repository), when it is set.
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] $Session, [string[]] $Lines)
    $folder = $env:EDI2_CONSOLE_CAPTURES
    if (-not $folder) { return }
    $null = New-Item -ItemType Directory -Path $folder -Force
    if ($null -eq $Lines) { $Lines = @(Get-ConsoleScreen -Session $Session -History) }
    $path = Join-Path $folder ('{0}-{1}cols.txt' -f $Name, $Session.Width)
    $ruler = ('-' * $Session.Width)
    $text = @("# $Name, $($Session.Width) x $($Session.Height), pwsh in tmux (capture-pane -p)", $ruler) + @($Lines) + @($ruler)
    [System.IO.File]::WriteAllText($path, ($text -join "`n") + "`n", [System.Text.UTF8Encoding]::new($false))
}
