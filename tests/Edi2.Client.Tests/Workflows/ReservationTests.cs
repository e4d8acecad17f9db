using Edi2.Api;
using Edi2.Client.Tests.Api;
using Edi2.Model;
using Edi2.Workflows;
using static Edi2.Client.Tests.Api.ApiTestContext;

namespace Edi2.Client.Tests.Workflows;

/// <summary>Reservations over the fake NHN: the ledger changes only after the server said yes, and never loses entries.</summary>
public sealed class ReservationTests
{
    private static byte[]? Bytes(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;

    [Fact]
    public async Task Reserving_puts_locked_Api_configurations_in_one_request_then_records_them()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var ledger = new ReservationLedger(folder.Combine("ledger", "reservations.json"));
        int puts = context.ApiRequests("/mshconfigurations").Count;

        var reserved = await Reservations.ReserveAsync(context.Session, [Ours, OursToo, Ours], ["SVAR_RTG"], ledger);

        Assert.Equal([Ours, OursToo], reserved.Select(r => r.HerId));
        Assert.Equal(puts + 1, context.ApiRequests("/mshconfigurations").Count);
        foreach (int herId in new[] { Ours, OursToo })
        {
            var configuration = context.Nhn.Edi.GetConfiguration(herId)!;
            Assert.True(configuration.ClientLocked);
            Assert.Equal(("c1", "Api"), (configuration.ClientId, configuration.ReceiveNotificationChannel));
            Assert.Equal(["SVAR_RTG"], configuration.RejectedMessageFunctions);
        }
        var entries = new ReservationLedger(ledger.Path).Read();
        Assert.Equal([Ours, OursToo], entries.Select(e => e.HerId));
        var entry = entries[0];
        Assert.Equal(("c1", Edi2Environment.Test, context.Nhn.BaseUri, true), (entry.ClientId, entry.Environment, entry.ApiBaseUri, entry.Locked));
        Assert.Equal(["SVAR_RTG"], entry.RejectMessageFunctions);
        Assert.Equal(ledger.Path, entry.LedgerPath);
        Assert.True(DateTimeOffset.UtcNow - entry.ReservedAt < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_foreign_HER_id_is_refused_with_403_and_the_ledger_is_unchanged()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var ledger = new ReservationLedger(folder.Combine("reservations.json"));
        await Reservations.ReserveAsync(context.Session, [Ours], null, ledger);
        byte[]? before = Bytes(ledger.Path);

        var error = await Assert.ThrowsAsync<Edi2ApiException>(() => Reservations.ReserveAsync(context.Session, [Foreign], null, ledger));
        Assert.Equal(ApiErrorReason.Forbidden, error.ApiReason);
        Assert.Equal(Foreign, error.Target);
        // All or none: a batch with one foreign HER-id records nothing either.
        await Assert.ThrowsAsync<Edi2ApiException>(() => Reservations.ReserveAsync(context.Session, [OursToo, Foreign], null, ledger));

        Assert.Equal(before, Bytes(ledger.Path));
        Assert.False(context.Nhn.Edi.GetConfiguration(OursToo)!.ClientLocked);
    }

    [Fact]
    public async Task A_HER_id_locked_by_another_client_is_refused_with_423_both_ways_and_the_ledger_is_unchanged()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var ledger = new ReservationLedger(folder.Combine("reservations.json"));
        await Reservations.ReserveAsync(context.Session, [Ours], null, ledger);
        var c2 = await context.ConnectAsync("c2", "999999999");
        await Reservations.ReserveAsync(c2, [OursToo], null, new ReservationLedger(folder.Combine("c2.json")));
        byte[]? before = Bytes(ledger.Path);

        var reserve = await Assert.ThrowsAsync<Edi2ApiException>(() => Reservations.ReserveAsync(context.Session, [OursToo], null, ledger));
        Assert.Equal(ApiErrorReason.Locked, reserve.ApiReason);
        Assert.Equal(OursToo, reserve.Target);

        // c2 cannot release c1's reservation; c1's ledger entry stays, and so does c2's own ledger.
        var c2Ledger = new ReservationLedger(folder.Combine("c2.json"));
        byte[]? c2Before = Bytes(c2Ledger.Path);
        var release = await Assert.ThrowsAsync<Edi2ApiException>(() => Reservations.ReleaseAsync(c2, Ours, deleteConfiguration: true, c2Ledger));
        Assert.Equal(ApiErrorReason.Locked, release.ApiReason);

        Assert.Equal(before, Bytes(ledger.Path));
        Assert.Equal(c2Before, Bytes(c2Ledger.Path));
        Assert.Equal(("c1", true), (context.Nhn.Edi.GetConfiguration(Ours)!.ClientId, context.Nhn.Edi.GetConfiguration(Ours)!.ClientLocked));
    }

    [Fact]
    public async Task Releasing_unlocks_or_deletes_and_only_then_removes_the_entry()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        var ledger = new ReservationLedger(folder.Combine("reservations.json"));
        await Reservations.ReserveAsync(context.Session, [Ours, OursToo, SubUnit], ["SVAR_RTG"], ledger);

        var unlocked = await Reservations.ReleaseAsync(context.Session, Ours, deleteConfiguration: false, ledger);
        Assert.True(unlocked.LedgerEntryRemoved);
        var kept = context.Nhn.Edi.GetConfiguration(Ours)!;
        Assert.False(kept.ClientLocked);
        Assert.Equal(["SVAR_RTG"], kept.RejectedMessageFunctions); // still receiving, with the same filters

        var deleted = await Reservations.ReleaseAsync(context.Session, OursToo, deleteConfiguration: true, ledger);
        Assert.True(deleted.LedgerEntryRemoved && !deleted.ConfigurationWasMissing);
        Assert.Null(context.Nhn.Edi.GetConfiguration(OursToo));
        Assert.Equal([SubUnit], ledger.Read().Select(r => r.HerId));

        // A configuration that is already gone: nothing is held, so the entry goes too.
        context.Nhn.Edi.RemoveConfiguration(SubUnit);
        var missing = await Reservations.ReleaseAsync(context.Session, SubUnit, deleteConfiguration: true, ledger);
        Assert.True(missing.ConfigurationWasMissing && missing.LedgerEntryRemoved);
        Assert.Empty(ledger.Read());

        // A server failure on release keeps the entry.
        await Reservations.ReserveAsync(context.Session, [Ours], null, ledger);
        context.Nhn.Faults.FailNext("PUT", "/mshconfigurations", 10, WorkflowAssert.Problem(500));
        await Assert.ThrowsAsync<Edi2ApiException>(() => Reservations.ReleaseAsync(context.Session, Ours, deleteConfiguration: false, ledger));
        context.Nhn.Faults.Clear();
        Assert.Equal([Ours], ledger.Read().Select(r => r.HerId));
    }

    [Fact]
    public void Concurrent_changes_from_many_threads_lose_no_entry()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("reservations.json");
        const int threads = 8, each = 15;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var ledger = new ReservationLedger(path); // one instance per thread, as parallel runspaces would have
            for (int i = 0; i < each; i++)
            {
                ledger.Upsert([new Edi2Reservation { HerId = 1000 + t * 100 + i, ClientId = "c1", Environment = Edi2Environment.Test, ReservedAt = DateTimeOffset.UtcNow }]);
            }
            for (int i = 0; i < each; i += 3)
            {
                Assert.True(ledger.Remove(1000 + t * 100 + i, "c1", Edi2Environment.Test, null));
            }
        });

        var entries = new ReservationLedger(path).Read();
        Assert.Equal(threads * (each - each / 3), entries.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.HerId).Distinct().Count());
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public async Task A_corrupt_ledger_is_reported_and_never_overwritten_and_nothing_is_sent()
    {
        await using var context = await StartAsync();
        using var folder = new TempFolder();
        string path = folder.Combine("reservations.json");
        const string corrupt = "{ \"reservations\": [ { \"herId\": 8142519, ";
        File.WriteAllText(path, corrupt);
        var ledger = new ReservationLedger(path);
        int puts = context.ApiRequests("/mshconfigurations").Count;

        var read = Assert.Throws<Edi2WorkflowException>(() => ledger.Read());
        Assert.Equal(WorkflowErrorReason.LedgerCorrupt, read.WorkflowReason);
        Assert.Equal("Reservation.LedgerCorrupt", read.Reason);
        Assert.Contains(path, read.Message);
        Assert.Equal(path, read.Target);

        await Assert.ThrowsAsync<Edi2WorkflowException>(() => Reservations.ReserveAsync(context.Session, [Ours], null, ledger));
        await Assert.ThrowsAsync<Edi2WorkflowException>(() => Reservations.ReleaseAsync(context.Session, Ours, false, ledger));
        Assert.Throws<Edi2WorkflowException>(() => ledger.Upsert([new Edi2Reservation { HerId = Ours, ClientId = "c1" }]));

        Assert.Equal(corrupt, File.ReadAllText(path));
        Assert.Equal(puts, context.ApiRequests("/mshconfigurations").Count);
        Assert.False(context.Nhn.Edi.GetConfiguration(Ours)!.ClientLocked);
    }

    [Fact]
    public void A_missing_ledger_is_empty_and_entries_are_keyed_by_client_environment_and_API()
    {
        using var folder = new TempFolder();
        var ledger = new ReservationLedger(folder.Combine("none", "reservations.json"));
        Assert.Empty(ledger.Read());

        var api = new Uri("https://api.tjener.test.melding.nhn.no/");
        ledger.Upsert([
            new Edi2Reservation { HerId = 1, ClientId = "c1", Environment = Edi2Environment.Test, ApiBaseUri = api },
            new Edi2Reservation { HerId = 1, ClientId = "c2", Environment = Edi2Environment.Test, ApiBaseUri = api },
            new Edi2Reservation { HerId = 1, ClientId = "c1", Environment = Edi2Environment.Production, ApiBaseUri = api },
            new Edi2Reservation { HerId = 1, ClientId = "c1", Environment = Edi2Environment.Test, ApiBaseUri = new Uri("http://127.0.0.1:5080/") },
        ]);
        ledger.Upsert([new Edi2Reservation { HerId = 1, ClientId = "c1", Environment = Edi2Environment.Test, ApiBaseUri = new Uri("https://api.tjener.test.melding.nhn.no") }]);
        Assert.Equal(4, ledger.Read().Count);

        Assert.True(ledger.Remove(1, "c1", Edi2Environment.Production, api));
        Assert.False(ledger.Remove(1, "c1", Edi2Environment.Production, api));
        Assert.Equal(["c1", "c1", "c2"], ledger.Read().Select(r => r.ClientId).Order());
        Assert.Contains("\"environment\": \"Test\"", File.ReadAllText(ledger.Path));
    }
}
