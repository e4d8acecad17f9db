#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Reservations against the fake NHN: Import-Csv | Set-Edi2Reservation, the ledger, -WhatIf (proved on the server by a
# second client), refusals (403, 423, another client's reservation) and decommissioning in one line.
# The Its run in order and build on each other. Run by ./build.ps1 -Task Test.

Describe 'Reservations (Set-, Get-, Remove-Edi2Reservation)' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'FakeNhn.ps1')
        Import-Edi2TestModule

        $keys = Join-Path $TestDrive 'keys'
        $null = New-Item -ItemType Directory -Path $keys
        $clients = @(
            New-FakeNhnClient -ClientId 'c1' -OrgNumber '999999999' -Folder $keys
            New-FakeNhnClient -ClientId 'c2' -OrgNumber '999999999' -Folder $keys
        )
        $script:Fake = Start-FakeNhn -Folder $TestDrive -Clients $clients -Organizations @(
            @{ orgNumber = '999999999'; herIds = @(8142519, 8142520, 8142521) }
            @{ orgNumber = '888888888'; herIds = @(9000001) }
        )
        # c2 is another HelseID client of the same organisation; c1, connected last, is the default session.
        $script:C2 = Connect-Edi2 -ClientId 'c2' -KeyPath $clients[1].KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -PassThru
        $script:C1 = Connect-Edi2 -ClientId 'c1' -KeyPath $clients[0].KeyPath -Authority $Fake.Issuer -ApiBaseUri $Fake.ApiBaseUri -PassThru

        $script:Ledger = Join-Path $TestDrive 'c1/reservations.json'
        $script:Ledger2 = Join-Path $TestDrive 'c2/reservations.json'

        function script:Get-LedgerHash([string] $Path) {
            if (Test-Path $Path) { (Get-FileHash $Path -Algorithm SHA256).Hash } else { '' }
        }
    }

    AfterAll {
        if (Get-Command Disconnect-Edi2 -ErrorAction SilentlyContinue) {
            Disconnect-Edi2 -Session $script:C2 -ErrorAction SilentlyContinue
            Disconnect-Edi2 -ErrorAction SilentlyContinue
        }
        if ($script:Fake) { Stop-FakeNhn -Fake $script:Fake }
    }

    It 'reserves the HER-ids of a CSV file piped in, and records them in the ledger' {
        $csv = Join-Path $TestDrive 'herids.csv'
        Set-Content -Path $csv -Value 'HerId,Name', '8142519,Legekontor A', '8142520,Legekontor B'

        $reserved = Import-Csv $csv | Set-Edi2Reservation -LedgerPath $Ledger

        $reserved | Should -HaveCount 2
        $reserved | ForEach-Object { $_ | Should -BeOfType ([Edi2.Model.Edi2Reservation]) }
        $reserved.HerId | Should -Be @(8142519, 8142520)
        $reserved | ForEach-Object {
            $_.ClientId | Should -Be 'c1'
            $_.Environment | Should -Be 'Test'
            $_.Locked | Should -BeTrue
            $_.ApiBaseUri.AbsoluteUri | Should -Be $Fake.ApiBaseUri
        }
        (Get-Content -Raw $Ledger | ConvertFrom-Json).reservations.herId | Should -Be @(8142519, 8142520)
    }

    It 'reads and filters the ledger without a session' {
        @(Get-Edi2Reservation -LedgerPath $Ledger) | Should -HaveCount 2
        @(Get-Edi2Reservation -LedgerPath $Ledger -Environment Test) | Should -HaveCount 2
        @(Get-Edi2Reservation -LedgerPath $Ledger -Environment Production) | Should -HaveCount 0
        (Get-Edi2Reservation -LedgerPath $Ledger -HerId 8142520).HerId | Should -Be 8142520
        @(Get-Edi2Reservation -LedgerPath $Ledger -ClientId 'C*') | Should -HaveCount 2

        $none = Get-Edi2Reservation -LedgerPath $Ledger -HerId 1234 -ErrorVariable err -ErrorAction SilentlyContinue
        $none | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'Edi2.Reservation.NotFound,Edi2.PowerShell.Commands.GetEdi2ReservationCommand'
        $err[0].TargetObject | Should -Be 1234

        @(Get-Edi2Reservation -LedgerPath (Join-Path $TestDrive 'no/such/ledger.json')) | Should -HaveCount 0
    }

    It 'sends nothing under -WhatIf (another client can still reserve the HER-id)' {
        $before = Get-LedgerHash $Ledger

        Set-Edi2Reservation -HerId 8142521 -LedgerPath $Ledger -WhatIf | Should -BeNullOrEmpty

        Get-LedgerHash $Ledger | Should -Be $before
        # Had c1 locked it, c2 would now get 423.
        $theirs = Set-Edi2Reservation -Session $C2 -HerId 8142521 -LedgerPath $Ledger2 -ErrorAction Stop
        $theirs.ClientId | Should -Be 'c2'
    }

    It 'reports a HER-id locked by another client as Edi2.Api.Locked with the HER-id as target, and leaves the ledger' {
        $before = Get-LedgerHash $Ledger

        $out = Set-Edi2Reservation -HerId 8142521 -LedgerPath $Ledger -ErrorVariable err -ErrorAction SilentlyContinue

        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'Edi2.Api.Locked,Edi2.PowerShell.Commands.SetEdi2ReservationCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $err[0].TargetObject | Should -Be 8142521
        Get-LedgerHash $Ledger | Should -Be $before

        Remove-Edi2Reservation -HerId 8142521 -LedgerPath $Ledger -DeleteConfiguration -Confirm:$false -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -Be 'Edi2.Api.Locked,Edi2.PowerShell.Commands.RemoveEdi2ReservationCommand'
        $err2[0].TargetObject | Should -Be 8142521
    }

    It 'reports a HER-id of another organisation as Edi2.Api.Forbidden with the HER-id as target, and leaves the ledger' {
        $before = Get-LedgerHash $Ledger

        $out = Set-Edi2Reservation -HerId 9000001 -LedgerPath $Ledger -ErrorVariable err -ErrorAction SilentlyContinue

        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'Edi2.Api.Forbidden,Edi2.PowerShell.Commands.SetEdi2ReservationCommand'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].TargetObject | Should -Be 9000001
        Get-LedgerHash $Ledger | Should -Be $before
    }

    It "refuses to release another client's reservation from its ledger, without asking NHN" {
        $before = Get-LedgerHash $Ledger2

        # -LedgerPath binds from the reservation object, so the right ledger is used.
        Get-Edi2Reservation -LedgerPath $Ledger2 | Remove-Edi2Reservation -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'Edi2.Reservation.OtherClient,Edi2.PowerShell.Commands.RemoveEdi2ReservationCommand'
        $err[0].TargetObject | Should -Be 8142521
        $err[0].Exception.Message | Should -BeLike "*client 'c2'*"
        Get-LedgerHash $Ledger2 | Should -Be $before
    }

    It 'releases nothing under -WhatIf (the HER-ids stay locked for c2)' {
        $before = Get-LedgerHash $Ledger

        Get-Edi2Reservation -LedgerPath $Ledger | Remove-Edi2Reservation -WhatIf

        Get-LedgerHash $Ledger | Should -Be $before
        Set-Edi2Reservation -Session $C2 -HerId 8142519 -LedgerPath $Ledger2 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Edi2.Api.Locked,*'
    }

    It 'goes on past a HER-id that fails, and removes only the entries NHN released' {
        8142520, 9000001 | Remove-Edi2Reservation -LedgerPath $Ledger -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'Edi2.Api.Forbidden,Edi2.PowerShell.Commands.RemoveEdi2ReservationCommand'
        $err[0].TargetObject | Should -Be 9000001
        (Get-Edi2Reservation -LedgerPath $Ledger).HerId | Should -Be 8142519
    }

    It 'decommissions in one line: Get-Edi2Reservation -Environment Test | Remove-Edi2Reservation -Confirm:$false' {
        $PSDefaultParameterValues['*-Edi2Reservation:LedgerPath'] = $Ledger
        try {
            Get-Edi2Reservation -Environment Test | Remove-Edi2Reservation -Confirm:$false -ErrorAction Stop
            @(Get-Edi2Reservation) | Should -HaveCount 0
        } finally {
            $PSDefaultParameterValues.Remove('*-Edi2Reservation:LedgerPath')
        }
        # Released at NHN: c2 may reserve them now.
        (Set-Edi2Reservation -Session $C2 -HerId 8142519, 8142520 -LedgerPath $Ledger2 -ErrorAction Stop).HerId | Should -Be @(8142519, 8142520)
    }

    It 'deletes configurations with -DeleteConfiguration, for the client that holds them' {
        Get-Edi2Reservation -LedgerPath $Ledger2 | Remove-Edi2Reservation -Session $C2 -DeleteConfiguration -Confirm:$false -ErrorAction Stop

        @(Get-Edi2Reservation -LedgerPath $Ledger2) | Should -HaveCount 0
        # A deleted configuration is not locked by anyone: c1 may take it.
        (Set-Edi2Reservation -HerId 8142521 -LedgerPath $Ledger -ErrorAction Stop).HerId | Should -Be 8142521
    }
}
