# The default views in Edi2.Format.ps1xml as a person sees them in consoles of 80 and 120 columns: every table view of every output
# type shows each of its column headers whole on one line, the columns a user needs whole (ids, HER-ids, Type, status)
# are there at 80 columns and never cut, and what does not fit is left to Format-List. Values are the widest real ones.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $formatFile = Join-Path $RepoRoot 'src/Edi2.PowerShell/Edi2.Format.ps1xml'
    $tableViews = @(([xml](Get-Content -Raw -LiteralPath $formatFile)).Configuration.ViewDefinitions.View |
        Where-Object { $_.SelectSingleNode('TableControl') } |
        ForEach-Object { @{ Name = $_.Name; TypeName = $_.ViewSelectedBy.TypeName; Labels = @($_.TableControl.TableHeaders.TableColumnHeader | ForEach-Object Label) } })
    # A console of 80 columns gives a table 79 (the host keeps the last column free so that lines do not wrap).
    $widths = 79, 80, 119, 120
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
    Import-Edi2TestModule

    $guid = { [guid]::NewGuid() }
    $now = [DateTimeOffset]::Now
    # Per type: objects with the widest values NHN documents, the columns that must show whole at 80 columns, and the
    # columns a value may be cut in (free text and paths; Format-List shows them whole).
    $script:Samples = @{
        'Edi2.Model.Edi2Notification'   = @{
            Objects  = @(
                [Edi2.Model.Edi2Notification]@{ Id = & $guid; Offset = 12345678; Type = 'MessageApprecInfoUpdated'; RelatedMessageId = & $guid; ReceiverHerId = 81425190; TriggeredByHerId = 112374; Description = 'Receiver does not support the message type: ''EPIKRISE''.'; CreatedAt = $now }
                [Edi2.Model.Edi2Notification]@{ Id = & $guid; Offset = 101; Type = 'MessageSentStateUpdated'; RelatedMessageId = & $guid; ReceiverHerId = 8142520; CreatedAt = $now })
            Whole    = 'Offset', 'Type', 'Receiver', 'RelatedMessageId'
            MayBeCut = 'Description'
        }
        'Edi2.Model.Edi2MessageStatus'  = @{
            Objects  = @([Edi2.Model.Edi2MessageStatus]@{ MessageId = & $guid; ReceiverHerId = 81425190; TransportDeliveryState = 'Acknowledged'; Sent = $true; AppRecStatus = 'OkErrorInMessagePart'; AppRecErrors = @([Edi2.Model.Edi2AppRecError]@{ ErrorCode = 'E10'; Details = 'Ugyldig fødselsnummer i pasientopplysninger' }) })
            Whole    = 'ReceiverHerId', 'TransportDeliveryState', 'Sent', 'AppRecStatus'
            MayBeCut = 'AppRecErrors'
        }
        'Edi2.Model.Edi2SavedMessage'   = @{
            Objects  = @([Edi2.Model.Edi2SavedMessage]@{ MessageId = & $guid; Path = '/var/lib/edi2/inbox/8142519/7ec1aa9f-4309-4e2c-8864-ba72d6a11971.xml'; Length = 36700160; Sha256 = 'ab' * 32; ReceiverHerId = 81425190; MarkedDownloaded = $true })
            Whole    = 'MessageId', 'ReceiverHerId', 'Length', 'Marked', 'Kept'
            MayBeCut = 'Path'
        }
        'Edi2.Model.Edi2Reservation'    = @{
            Objects  = @([Edi2.Model.Edi2Reservation]@{ HerId = 81425190; ClientId = '7f3c2a10-5b8e-4d0f-9a61-2c4e8b9d1f07'; Environment = 'Production'; ReservedAt = $now; RejectMessageFunctions = 'DIALOG_HELSEFAGLIG', 'HENVISNING', 'EPIKRISE' })
            Whole    = 'HerId', 'Locked', 'ReservedAt'
            MayBeCut = 'RejectMessageFunctions'
        }
        'Edi2.Model.Edi2Message'        = @{
            Objects  = @([Edi2.Model.Edi2Message]@{ Id = & $guid; SenderHerId = 81425190; ReceiverHerIds = 8142519; MessageType = 'DIALOG_HELSEFAGLIG'; BusinessDocumentId = (& $guid).ToString(); BusinessDocumentGenDate = $now; ContentType = 'application/xml' })
            Whole    = 'Id', 'SenderHerId', 'MessageType', 'Receivers'
            MayBeCut = 'ContentType'
        }
        'Edi2.Model.Edi2SentMessage'    = @{
            Objects  = @([Edi2.Model.Edi2SentMessage]@{ Id = & $guid; SenderHerId = 81425190; ReceiverHerIds = 112374, 8142520 })
            Whole    = 'Id', 'SenderHerId', 'ReceiverHerIds'
            MayBeCut = @()
        }
        'Edi2.Model.Edi2Receipt'        = @{
            Objects  = @([Edi2.Model.Edi2Receipt]@{ Id = & $guid; MessageId = & $guid; Status = 'Rejected'; SenderHerId = 81425190 })
            Whole    = 'MessageId', 'Status', 'SenderHerId'
            MayBeCut = @()
        }
        'Edi2.Model.Edi2ConnectionTest' = @{
            Objects  = @([Edi2.Model.Edi2ConnectionTest]@{ Success = $true; ClientId = '7f3c2a10-5b8e-4d0f-9a61-2c4e8b9d1f07'; TokenOk = $true; TokenExpiresAt = $now; Latency = [timespan]::FromMilliseconds(1234); Ping = 'Pong' })
            Whole    = 'Success', 'LatencyMs', 'TokenExpiresAt', 'ClientId'
            MayBeCut = @()
        }
    }

    # The columns of a rendered table: the header line is the one right above the dashes, each column under its run.
    function Get-RenderedTable([string] $Text) {
        $lines = $Text -split "`r?`n"
        $dashes = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^[\s-]*-[\s-]*$' })
        if ($dashes -lt 1) { throw "No table in:`n$Text" }
        $columns = foreach ($run in [regex]::Matches($lines[$dashes], '-+')) {
            $cell = { param($line) if ($line.Length -le $run.Index) { '' } else { $line.Substring($run.Index, [Math]::Min($run.Length, $line.Length - $run.Index)).Trim() } }
            [pscustomobject]@{
                Header = & $cell $lines[$dashes - 1]
                Above  = & $cell $lines[$dashes - 2]
                Cells  = @($lines[($dashes + 1)..($lines.Count - 1)] | Where-Object { $_.Trim() } | ForEach-Object { & $cell $_ })
            }
        }
        @($columns)
    }
}

Describe 'Table view <Name>' -ForEach $tableViews {
    BeforeAll { $view = $_ }

    It 'at <_> columns shows every header whole and the columns a user needs whole' -ForEach $widths {
        $width = $_
        $sample = $script:Samples[$view.TypeName]
        $sample | Should -Not -BeNullOrEmpty -Because "every table view needs a sample here ($($view.TypeName))"
        $text = $sample.Objects | Format-Table -View $view.Name | Out-String -Width $width
        $columns = Get-RenderedTable $text
        foreach ($column in $columns) {
            $view.Labels | Should -Contain $column.Header -Because "a header is shown whole, on one line, at $width columns:`n$text"
            $column.Above | Should -BeNullOrEmpty -Because "a header is not stacked over two lines at $width columns:`n$text"
        }
        $shown = @($columns | ForEach-Object Header)
        foreach ($label in $sample.Whole) {
            $shown | Should -Contain $label -Because "$label is shown at $width columns:`n$text"
        }
        foreach ($column in $columns | Where-Object Header -NotIn $sample.MayBeCut) {
            foreach ($cell in $column.Cells) {
                $cell | Should -Not -Match '…|\.\.\.$' -Because "$($column.Header) is never cut at $width columns:`n$text"
            }
        }
        foreach ($line in $text -split "`r?`n") { $line.TrimEnd().Length | Should -BeLessOrEqual $width }
    }
}

Describe 'The default view of each output type' {
    It '<Type> at 80 columns' -ForEach @(
        @{ Type = 'Edi2.Model.Edi2Notification'; Properties = 'RelatedMessageId', 'ReceiverHerId', 'Type' }
        @{ Type = 'Edi2.Model.Edi2MessageStatus'; Properties = 'MessageId', 'ReceiverHerId', 'AppRecStatus' }
        @{ Type = 'Edi2.Model.Edi2SavedMessage'; Properties = 'MessageId', 'ReceiverHerId' }
        @{ Type = 'Edi2.Model.Edi2Reservation'; Properties = 'HerId', 'ClientId', 'Environment' }
        @{ Type = 'Edi2.Model.Edi2Message'; Properties = 'Id', 'SenderHerId', 'MessageType' }
        @{ Type = 'Edi2.Model.Edi2SentMessage'; Properties = 'Id', 'SenderHerId' }
        @{ Type = 'Edi2.Model.Edi2Receipt'; Properties = 'MessageId', 'Status' }
        @{ Type = 'Edi2.Model.Edi2ConnectionTest'; Properties = 'Success', 'ClientId' }
    ) {
        $sample = $script:Samples[$Type]
        $text = $sample.Objects | Out-String -Width 79
        foreach ($object in $sample.Objects) {
            foreach ($property in $Properties) {
                $text | Should -Match ([regex]::Escape([string]$object.$property)) -Because "$Type shows its $property whole by default:`n$text"
            }
        }
    }
}

Describe 'List view Edi2ClientKeyRotation' {
    It 'at <_> columns shows every field on its own line and the thumbprint and kid whole' -ForEach 79, 80, 119, 120 {
        $width = $_
        $rotation = [Edi2.Model.Edi2ClientKeyRotation]@{
            Thumbprint = 'Nq7cY0Jm3l2v0w9r8Qp1sKkZx4bT6uH2gE5fD7aC9oI'; KeyId = '3b1f0c9e6a2d4e7f8b5c1a0d9e8f7a6b'; Algorithm = 'PS256'
            Expiration = [DateTimeOffset]::new(2027, 12, 4, 18, 30, 0, [TimeSpan]::Zero)
            Path = '/var/lib/edi2/keys/7f3c2a10-5b8e-4d0f-9a61-2c4e8b9d1f07/client.json'
            BackupPath = '/var/lib/edi2/keys/7f3c2a10-5b8e-4d0f-9a61-2c4e8b9d1f07/client.json.20261204-183000.bak'
            PreviousThumbprint = 'x' * 43
        }
        $text = $rotation | Out-String -Width $width
        foreach ($name in 'Thumbprint', 'KeyId', 'Algorithm', 'Expiration', 'Path', 'BackupPath') {
            $text | Should -Match "(?m)^$name\s+: \S" -Because "$name has its line at $width columns:`n$text"
        }
        $text | Should -Match "(?m)^Thumbprint\s+: $([regex]::Escape($rotation.Thumbprint))$"
        $text | Should -Match "(?m)^KeyId\s+: $($rotation.KeyId)$"
        $text | Should -Match '(?m)^Expiration\s+: 2027-12-04 18:30:00Z$'
        foreach ($line in $text -split "`r?`n") { $line.TrimEnd().Length | Should -BeLessOrEqual $width }
    }

    It 'says why there is no expiration after an interrupted rotation was finished' {
        $text = [Edi2.Model.Edi2ClientKeyRotation]@{ Thumbprint = 't'; KeyId = 'k'; Path = 'p'; BackupPath = 'b' } | Out-String -Width 80
        $text | Should -Match '(?m)^Expiration\s+: \(not told: an interrupted rotation was finished\)$'
    }
}
