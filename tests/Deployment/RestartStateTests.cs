using System.Diagnostics;
using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.State;
using TixTrigger.Settings;
using TixTrigger.Time;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Deployment;

/// <summary>
/// The snapshot a gateway keeps in STATE_DIR, in process: what is saved comes back in the same slot;
/// a torn or foreign file is refused, never half-read; a restore passes the caps and the per-network
/// budget but not the new-client rates; an expired client stays gone; a restored claim carries the
/// real age of the client's heartbeat. And what it costs at a million clients.
/// </summary>
public sealed class RestartStateTests(ITestOutputHelper output) : IDisposable
{
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    private readonly string _directory = Directory.CreateTempSubdirectory("tixtrigger-state-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static UdpGatewayOptions Options(int maxClients = 2_000_000) => new()
    {
        ShardsPerGateway = 4,
        ClientExpirationSeconds = 120,
        MaxClients = maxClients,
        MaxClientsPerIp = 10_000_000,
    };

    private static ClientEndpoint Loopback(int i) => new(new PackedAddress(0, 0x0000_FFFF_7F00_0000UL + (uint)(i / 50_000) * 256 + 1), (ushort)(1 + i % 50_000));

    private static ClientEndpoint InNetwork(string network, int i) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse($"{network}.{1 + i % 250}"), 10_000 + i));

    private static long Wall() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static GatewayImage Image(IEnumerable<SavedClient> clients)
    {
        var array = clients.ToArray();
        return new GatewayImage { Clients = array, Count = array.Length, TakenAtUnixMs = Wall(), PingOriginTimestamp = 42 };
    }

    private static List<SavedClient> Export(PingMirror mirror)
    {
        var saved = new List<SavedClient>();
        mirror.Export(Monotonic.NowMs(), Wall(), new SavedClient[MirrorShard.EntriesPerHold], (chunk, count) => saved.AddRange(chunk.AsSpan(0, count)));
        return saved;
    }

    [Fact]
    public void Saved_clients_come_back_in_their_slots_with_their_deadlines()
    {
        var mirror = new PingMirror(Options());
        long now = Monotonic.NowMs();
        for (int i = 0; i < 1000; i++) mirror.Admit(Loopback(i), Local, isPing: false, now);
        var file = new StateFile(_directory, "gw-1");
        Assert.True(file.TryLock());
        file.Save(Wall(), 42, writer => StateSaver.WriteClients(mirror, writer, new SavedClient[MirrorShard.EntriesPerHold]));
        var before = Export(mirror).ToDictionary(c => c.Client);

        var image = file.Load()!;
        Assert.Equal(42, image.PingOriginTimestamp);
        var restored = new PingMirror(Options());
        Assert.Equal(1000, restored.Restore(image.Span, Monotonic.NowMs(), Wall(), _ => Assert.Fail("refused")));
        var after = Export(restored);
        Assert.Equal(1000, after.Count);
        Assert.All(after, client =>
        {
            Assert.Equal(before[client.Client].Slot, client.Slot);
            Assert.Equal(before[client.Client].Local, client.Local);
            Assert.InRange(client.DeadlineUnixMs - before[client.Client].DeadlineUnixMs, -50, 50);
            Assert.InRange(client.SinceUnixMs - before[client.Client].SinceUnixMs, -2_000, 2_000);
        });
    }

    [Fact]
    public void A_torn_or_damaged_file_is_refused_whole()
    {
        var clients = Enumerable.Range(0, 5000).Select(i => new SavedClient(Loopback(i), Local, Wall() + 60_000, (byte)(i % 100)));
        var bytes = new MemoryStream();
        GatewayStateFormat.Write(bytes, Image(clients));
        byte[] whole = bytes.ToArray();
        Assert.Equal(5000, GatewayStateFormat.Read(new MemoryStream(whole)).Count);

        foreach (int cut in new[] { 0, 10, GatewayStateFormat.HeaderBytes + 100, whole.Length / 2, whole.Length - 1 })
        {
            Assert.Throws<InvalidDataException>(() => GatewayStateFormat.Read(new MemoryStream(whole[..cut])));
        }
        foreach (int at in new[] { 5, GatewayStateFormat.HeaderBytes + 4 + 17, whole.Length / 2, whole.Length - 6 })
        {
            byte[] damaged = (byte[])whole.Clone();
            damaged[at] ^= 0x40;
            Assert.Throws<InvalidDataException>(() => GatewayStateFormat.Read(new MemoryStream(damaged)));
        }
    }

    [Fact]
    public void A_second_process_cannot_take_the_file_while_the_first_holds_it()
    {
        using var holder = new StateFile(_directory, "gw-1");
        using var duplicate = new StateFile(_directory, "gw-1");
        Assert.True(holder.TryLock());
        Assert.False(duplicate.TryLock());
        holder.Dispose();
        Assert.True(duplicate.TryLock());
    }

    [Fact]
    public void A_restore_passes_the_caps_and_the_network_budget_but_not_the_new_client_rates()
    {
        long deadline = Wall() + 60_000;
        // 5,000 loopback clients, against 10 new clients a second: the rates are for sign-ups, not for clients that signed up before.
        var slow = Options();
        slow.NewClientsPerSecond = 10;
        var rated = new PingMirror(slow);
        Assert.Equal(5000, rated.Restore([.. Enumerable.Range(0, 5000).Select(i => new SavedClient(Loopback(i), Local, deadline, 0))], Monotonic.NowMs(), Wall(), _ => { }));

        // MAX_CLIENTS holds.
        var refused = new List<Admission>();
        var capped = new PingMirror(Options(maxClients: 300));
        Assert.Equal(300, capped.Restore([.. Enumerable.Range(0, 1000).Select(i => new SavedClient(Loopback(i), Local, deadline, 0))], Monotonic.NowMs(), Wall(), refused.Add));
        Assert.Equal(700, refused.Count(v => v == Admission.Refused(DropReason.OverCapacity)));

        // So does one network's ping budget (a /24 outside the exempt loopback).
        var budgeted = Options();
        budgeted.MaxPingsPerSecondPerPrefix = 50;
        refused.Clear();
        var network = new PingMirror(budgeted);
        Assert.Equal(50, network.Restore([.. Enumerable.Range(0, 200).Select(i => new SavedClient(InNetwork("198.51.100", i), Local, deadline, 0))], Monotonic.NowMs(), Wall(), refused.Add));
        Assert.All(refused, v => Assert.Equal(Admission.Refused(DropReason.OverPrefixBudget), v));
    }

    [Fact]
    public void An_expired_client_stays_gone_and_a_restored_claim_carries_its_heartbeats_real_age()
    {
        var mirror = new PingMirror(Options());
        long wall = Wall();
        var fresh = new SavedClient(Loopback(1), Local, wall + 120_000 - 30_000, 7); // heartbeated 30 s ago
        var expired = new SavedClient(Loopback(2), Local, wall - 1, 8);
        Assert.Equal(1, mirror.Restore([fresh, expired], Monotonic.NowMs(), wall, _ => { }));

        var claims = mirror.DrainClaims(Monotonic.NowMs(), _ => true);
        var claim = Assert.Single(claims);
        Assert.Equal(fresh.Client, claim.Member.Client);
        Assert.InRange(claim.HeartbeatAgeMs, 29_900, 30_500);
        Assert.Equal(7, Assert.Single(Export(mirror)).Slot);
    }

    [Fact]
    public void A_million_clients_cost_a_file_of_44_MB_and_a_fraction_of_a_second_to_save_and_to_restore()
    {
        const int count = 1_000_000;
        var mirror = new PingMirror(Options());
        long deadline = Wall() + 100_000;
        mirror.Restore([.. Enumerable.Range(0, count).Select(i => new SavedClient(Loopback(i), Local, deadline, (byte)(i % 100)))], Monotonic.NowMs(), Wall(), _ => { });
        Assert.Equal(count, mirror.Count);
        var file = new StateFile(_directory, "million");
        Assert.True(file.TryLock());

        var saves = new List<(double Ms, double CpuMs)>();
        long bytes = 0;
        for (int save = 0; save < 5; save++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long started = Stopwatch.GetTimestamp();
            bytes = file.Save(Wall(), 0, writer => StateSaver.WriteClients(mirror, writer, new SavedClient[MirrorShard.EntriesPerHold]));
            saves.Add((Stopwatch.GetElapsedTime(started).TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds));
        }
        long loadStarted = Stopwatch.GetTimestamp();
        var image = file.Load()!;
        double loadMs = Stopwatch.GetElapsedTime(loadStarted).TotalMilliseconds;
        var restored = new PingMirror(Options());
        long restoreStarted = Stopwatch.GetTimestamp();
        Assert.Equal(count, restored.Restore(image.Span, Monotonic.NowMs(), Wall(), _ => { }));
        double restoreMs = Stopwatch.GetElapsedTime(restoreStarted).TotalMilliseconds;

        var best = saves.MinBy(s => s.Ms);
        output.WriteLine($"1,000,000 clients: file {bytes:N0} bytes; save (fsync included) best {best.Ms:F0} ms wall / {best.CpuMs:F0} ms CPU, median {saves.OrderBy(s => s.Ms).ElementAt(2).Ms:F0} ms; read {loadMs:F0} ms; restore into the mirror {restoreMs:F0} ms");
        Assert.Equal(GatewayStateFormat.HeaderBytes + count * GatewayStateFormat.RecordBytes + (count + GatewayStateFormat.MaxBlockRecords - 1) / GatewayStateFormat.MaxBlockRecords * 4 + 4 + GatewayStateFormat.TrailerBytes, bytes);
        Assert.True(best.Ms < 5_000, $"a save of a million clients took {best.Ms:F0} ms");
    }
}
