using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Messages;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// The limits a new client meets, as DNS Response Rate Limiting (NSD, BIND) sets them: so many
/// clients per source address and per /24 or /56, so many new ones a second per prefix and per
/// gateway; each refusal says why. On the mirror itself, with its own clock, so each limit is exact.
/// </summary>
public sealed class RegistrationLimitTests
{
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    private static PingMirror NewMirror(Action<UdpGatewayOptions> configure)
    {
        var options = new UdpGatewayOptions
        {
            ShardsPerGateway = 4,
            MaxPingsPerSecondPerPrefix = 1_000_000,
            NewClientsPerSecond = 1_000_000,
            NewClientsPerSecondPerPrefix = 1_000_000,
            PrefixLimitsExempt = [],
        };
        configure(options);
        return new PingMirror(options);
    }

    private static ClientEndpoint At(string ip, int port = 40_000) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse(ip), port));

    private static List<Admission> AdmitAll(PingMirror mirror, IEnumerable<ClientEndpoint> clients, long nowMs) =>
        [.. clients.Select(client => mirror.Admit(client, Local, false, nowMs))];

    [Fact]
    public void IPv4_sources_are_counted_per_24()
    {
        var mirror = NewMirror(options => options.MaxPingsPerSecondPerPrefix = 5);

        var sameNetwork = AdmitAll(mirror, Enumerable.Range(1, 8).Select(host => At($"203.0.113.{host}")), nowMs: 0);

        Assert.Equal(5, sameNetwork.Count(verdict => verdict == Admission.Added));
        Assert.Equal(3, sameNetwork.Count(verdict => verdict == Admission.Refused(DropReason.OverPrefixBudget)));
        Assert.Equal(Admission.Added, mirror.Admit(At("203.0.114.1"), Local, false, nowMs: 0));
    }

    [Fact]
    public void A_client_past_its_deadline_leaves_its_networks_budget_and_comes_back_only_within_it()
    {
        var mirror = NewMirror(options => (options.MaxPingsPerSecondPerPrefix, options.ClientExpirationSeconds) = (2, 10));
        var (first, second, third) = (At("203.0.113.1"), At("203.0.113.2"), At("203.0.113.3"));
        AdmitAll(mirror, [first, second], nowMs: 0);
        mirror.Admit(second, Local, false, nowMs: 5_000);

        // The first one's deadline passes: it lingers, unpinged, and no longer spends the budget.
        var batch = new PingBatch();
        for (int slot = 0; slot < SlotWheel.SlotCount; slot++) mirror.CollectSlot(slot, 10_500, batch);
        Assert.Equal(Admission.Added, mirror.Admit(third, Local, false, nowMs: 10_600));

        // Heard again, it is a client of a full network: refused, as a new one would be.
        Assert.Equal(Admission.Refused(DropReason.OverPrefixBudget), mirror.Admit(first, Local, false, nowMs: 10_700));
    }

        [Fact]
    public void IPv6_sources_are_counted_per_56()
    {
        var mirror = NewMirror(options => options.MaxPingsPerSecondPerPrefix = 3);

        // One /56 is 2001:db8:0:100:: to 2001:db8:0:1ff:ffff:...: a home's or a phone's whole allocation.
        var sameNetwork = AdmitAll(mirror, new[] { "2001:db8:0:100::1", "2001:db8:0:1a0::2", "2001:db8:0:1ff::3", "2001:db8:0:1ff::4" }.Select(ip => At(ip)), nowMs: 0);

        Assert.Equal([Admission.Added, Admission.Added, Admission.Added, Admission.Refused(DropReason.OverPrefixBudget)], sameNetwork);
        Assert.Equal(Admission.Added, mirror.Admit(At("2001:db8:0:200::1"), Local, false, nowMs: 0));
    }

    [Fact]
    public void A_client_over_both_caps_is_counted_against_its_address_the_narrower()
    {
        var mirror = NewMirror(options => (options.MaxClientsPerIp, options.MaxPingsPerSecondPerPrefix) = (2, 2));

        var verdicts = AdmitAll(mirror, Enumerable.Range(0, 3).Select(port => At("198.51.100.7", 1000 + port)), nowMs: 0);

        Assert.Equal([Admission.Added, Admission.Added, Admission.Refused(DropReason.OverIpLimit)], verdicts);
    }

    [Fact]
    public void A_prefix_gets_five_seconds_of_its_rate_at_once_then_its_rate()
    {
        var mirror = NewMirror(options => options.NewClientsPerSecondPerPrefix = 10);
        int host = 0;
        IEnumerable<ClientEndpoint> Next(int count) => Enumerable.Range(0, count).Select(_ => At($"198.51.100.{++host % 250 + 1}", 1000 + host));

        var burst = AdmitAll(mirror, Next(60), nowMs: 0);
        var secondLater = AdmitAll(mirror, Next(11), nowMs: 1_000);

        Assert.Equal(50, burst.Count(verdict => verdict == Admission.Added));
        Assert.Equal(10, burst.Count(verdict => verdict == Admission.Refused(DropReason.PrefixRateLimited)));
        Assert.Equal(10, secondLater.Count(verdict => verdict == Admission.Added));
        Assert.Equal(Admission.Refused(DropReason.PrefixRateLimited), secondLater[^1]);
        Assert.Equal(Admission.Added, mirror.Admit(At("198.51.101.1"), Local, false, nowMs: 1_000)); // another network has its own bucket
    }

    [Fact]
    public void The_gateway_gets_one_second_of_its_rate_at_once_then_its_rate()
    {
        var mirror = NewMirror(options => options.NewClientsPerSecond = 20);
        // Every client from its own /24: only the gateway's bucket applies.
        var clients = Enumerable.Range(0, 60).Select(i => At($"10.0.{i}.1")).ToList();

        var burst = AdmitAll(mirror, clients.Take(21), nowMs: 0);
        var later = AdmitAll(mirror, clients.Skip(21).Take(25), nowMs: 1_000);

        Assert.Equal(20, burst.Count(verdict => verdict == Admission.Added));
        Assert.Equal(Admission.Refused(DropReason.GatewayRateLimited), burst[^1]);
        Assert.Equal(20, later.Count(verdict => verdict == Admission.Added));
        Assert.All(later.Skip(20), verdict => Assert.Equal(Admission.Refused(DropReason.GatewayRateLimited), verdict));
    }

    [Fact]
    public void Known_clients_refresh_however_many_new_ones_are_refused()
    {
        var mirror = NewMirror(options => options.NewClientsPerSecondPerPrefix = 1);
        var known = Enumerable.Range(1, 5).Select(host => At($"192.0.2.{host}")).ToList();
        AdmitAll(mirror, known, nowMs: 0);

        Assert.Equal(Admission.Refused(DropReason.PrefixRateLimited), mirror.Admit(At("192.0.2.99"), Local, false, nowMs: 0));
        Assert.All(AdmitAll(mirror, known, nowMs: 100), verdict => Assert.Equal(Admission.Refreshed, verdict));
    }

    [Fact]
    public void Loopback_sources_skip_the_prefix_limits_by_default_but_not_the_others()
    {
        var mirror = new PingMirror(new UdpGatewayOptions { ShardsPerGateway = 4, MaxPingsPerSecondPerPrefix = 2, NewClientsPerSecondPerPrefix = 1, NewClientsPerSecond = 1_000, MaxClientsPerIp = 300 });

        // What the benchmark does: many clients from a few loopback addresses of one /24, all at once.
        var loopback = AdmitAll(mirror, Enumerable.Range(0, 1_000).Select(i => At($"127.0.1.{i % 4 + 1}", 10_000 + i)), nowMs: 0);
        var oneAddress = AdmitAll(mirror, Enumerable.Range(0, 100).Select(i => At("127.0.1.1", 20_000 + i)), nowMs: 2_000);

        Assert.All(loopback, verdict => Assert.Equal(Admission.Added, verdict));
        Assert.Equal(50, oneAddress.Count(verdict => verdict == Admission.Added));       // up to MAX_CLIENTS_PER_IP
        Assert.Equal(50, oneAddress.Count(verdict => verdict == Admission.Refused(DropReason.OverIpLimit)));
        // Any other network meets them all.
        var elsewhere = AdmitAll(mirror, new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3" }.Select(ip => At(ip)), nowMs: 2_000);
        Assert.Equal([Admission.Added, Admission.Added, Admission.Refused(DropReason.OverPrefixBudget)], elsewhere);
    }

    [Fact]
    public void A_snapshot_passes_the_caps_but_not_the_rates()
    {
        var mirror = NewMirror(options => (options.NewClientsPerSecond, options.MaxPingsPerSecondPerPrefix, options.ShardsPerGateway) = (1, 100, 1));
        var members = Enumerable.Range(1, 120).Select(i => new ShardMember(At($"198.51.100.{i}"), Local, TtlMs: 60_000, ClaimId: i)).ToArray();
        var rejected = new List<Admission>();

        // A restarted gateway resumes its registered clients all at once: no rate applies, the caps do.
        mirror.Shards[0].Merge(new ShardSnapshot(Guid.NewGuid(), 1, members, []), nowMs: 0, rejected.Add);

        Assert.Equal(100, mirror.Count);
        Assert.Equal(20, rejected.Count);
        Assert.All(rejected, verdict => Assert.Equal(Admission.Refused(DropReason.OverPrefixBudget), verdict));
    }
}
