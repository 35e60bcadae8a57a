using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// A full gateway makes room for a new client by dropping a stale sign-up: an entry not heard from
/// for half an expiry (an app would have heartbeated again by then), as every source of a forged
/// flood becomes, however many datagrams it sent. A client that heartbeats as apps do is never dropped.
/// </summary>
public sealed class StaleSignupTests
{
    private const int ExpirySeconds = 60;
    private const int HalfExpiryMs = ExpirySeconds * 500;
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    private static PingMirror NewMirror(int maxClients) => new(new UdpGatewayOptions
    {
        ShardsPerGateway = 1,
        ClientExpirationSeconds = ExpirySeconds,
        MaxClients = maxClients,
        NewClientsPerSecond = 1_000_000,
    });

    private static ClientEndpoint Client(int i) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse($"127.{i / 65_536 % 256}.{i / 256 % 256}.{i % 256}"), 20_000 + i % 1000));

    [Fact]
    public void A_full_gateway_refuses_newcomers_until_its_one_datagram_clients_are_half_an_expiry_old()
    {
        var mirror = NewMirror(maxClients: 100);
        for (int i = 0; i < 100; i++) Assert.Equal(Admission.Added, mirror.Admit(Client(i), Local, false, nowMs: 0));

        Assert.Equal(Admission.Refused(DropReason.OverCapacity), mirror.Admit(Client(1_000), Local, false, nowMs: HalfExpiryMs - 1));
        Assert.Equal(Admission.Replaced, mirror.Admit(Client(1_001), Local, false, nowMs: HalfExpiryMs));
        Assert.Equal(100, mirror.Count);
    }

    [Fact]
    public void Sources_sent_twice_are_stale_half_an_expiry_after_their_last_datagram()
    {
        var mirror = NewMirror(maxClients: 100);
        for (int i = 0; i < 100; i++) mirror.Admit(Client(i), Local, false, nowMs: 0);
        for (int i = 0; i < 100; i++) Assert.Equal(Admission.Refreshed, mirror.Admit(Client(i), Local, false, nowMs: 1_000));

        Assert.Equal(Admission.Refused(DropReason.OverCapacity), mirror.Admit(Client(1_000), Local, false, nowMs: 1_000 + HalfExpiryMs - 1));
        Assert.Equal(Admission.Replaced, mirror.Admit(Client(1_001), Local, false, nowMs: 1_000 + HalfExpiryMs));
    }

    [Fact]
    public void Clients_that_heartbeat_every_third_of_the_expiry_are_never_replaced()
    {
        var mirror = NewMirror(maxClients: 100);
        var refused = new List<Admission>();
        for (long now = 0; now <= 300_000; now += 1_000)
        {
            if (now % (ExpirySeconds * 1000 / 3) == 0)
            {
                for (int i = 0; i < 100; i++) Assert.Equal(now == 0 ? Admission.Added : Admission.Refreshed, mirror.Admit(Client(i), Local, false, now));
            }
            refused.Add(mirror.Admit(Client(1_000 + (int)(now / 1_000)), Local, false, now));
        }

        Assert.All(refused, verdict => Assert.Equal(Admission.Refused(DropReason.OverCapacity), verdict));
    }

    [Fact]
    public void After_a_flood_of_sources_sent_twice_newcomers_take_the_flood_s_places()
    {
        var mirror = NewMirror(maxClients: 1_000);
        var phones = Enumerable.Range(0, 100).Select(Client).ToList();
        foreach (long now in new long[] { 0, 20_000, 40_000 })
        {
            foreach (var phone in phones) mirror.Admit(phone, Local, false, now);
            if (now != 0) continue;
            for (int i = 100; i < 5_000; i++) mirror.Admit(Client(i), Local, false, nowMs: 10_000); // 4,900 forged sources...
            for (int i = 100; i < 5_000; i++) mirror.Admit(Client(i), Local, false, nowMs: 11_000); // ...each sent twice
        }

        // Half an expiry after their last datagram, most flood entries are stale: nearly every newcomer gets in at its first heartbeat.
        var newcomers = Enumerable.Range(10_000, 200).Select(i => mirror.Admit(Client(i), Local, false, nowMs: 11_000 + HalfExpiryMs)).ToList();

        Assert.True(newcomers.Count(verdict => verdict == Admission.Replaced) >= 190, string.Join(",", newcomers));
        Assert.Equal(1_000, mirror.Count);
        Assert.All(phones, phone => Assert.Equal(Admission.Refreshed, mirror.Admit(phone, Local, false, nowMs: 45_001)));
    }
}
