using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// A full gateway makes room for a new client by dropping a stale sign-up: an entry that sent one
/// datagram, half an expiry ago or more (an app would have heartbeated again by then), as every
/// source of a forged flood does. A client that heartbeated twice is never dropped this way.
/// </summary>
public sealed class StaleSignupTests
{
    private const int ExpirySeconds = 60;
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
        for (int i = 0; i < 100; i++) Assert.Equal(Admission.Added, mirror.Admit(Client(i), Local, nowMs: 0));

        Assert.Equal(Admission.OverCapacity, mirror.Admit(Client(1_000), Local, nowMs: ExpirySeconds * 500 - 1));
        Assert.Equal(Admission.Replaced, mirror.Admit(Client(1_001), Local, nowMs: ExpirySeconds * 500));
        Assert.Equal(100, mirror.Count);
    }

    [Fact]
    public void Clients_that_heartbeated_twice_are_never_replaced()
    {
        var mirror = NewMirror(maxClients: 100);
        for (int i = 0; i < 100; i++) mirror.Admit(Client(i), Local, nowMs: 0);
        for (int i = 0; i < 100; i++) Assert.Equal(Admission.Refreshed, mirror.Admit(Client(i), Local, nowMs: 5_000));

        var newcomers = Enumerable.Range(1_000, 50).Select(i => mirror.Admit(Client(i), Local, nowMs: 50_000)).ToList();

        Assert.All(newcomers, verdict => Assert.Equal(Admission.OverCapacity, verdict));
        Assert.Equal(100, Enumerable.Range(0, 100).Count(i => mirror.Admit(Client(i), Local, nowMs: 50_001) == Admission.Refreshed));
    }

    [Fact]
    public void After_a_one_shot_flood_newcomers_take_the_flood_s_places()
    {
        var mirror = NewMirror(maxClients: 1_000);
        var phones = Enumerable.Range(0, 100).Select(Client).ToList();
        foreach (var phone in phones) mirror.Admit(phone, Local, nowMs: 0);
        foreach (var phone in phones) mirror.Admit(phone, Local, nowMs: 5_000);
        for (int i = 100; i < 5_000; i++) mirror.Admit(Client(i), Local, nowMs: 10_000); // one datagram each, from 4,900 sources

        // Half an expiry later, most flood entries are stale: nearly every newcomer gets in at its first heartbeat.
        var newcomers = Enumerable.Range(10_000, 200).Select(i => mirror.Admit(Client(i), Local, nowMs: 10_000 + ExpirySeconds * 500)).ToList();

        Assert.True(newcomers.Count(verdict => verdict == Admission.Replaced) >= 190, string.Join(",", newcomers));
        Assert.Equal(1_000, mirror.Count);
        Assert.All(phones, phone => Assert.Equal(Admission.Refreshed, mirror.Admit(phone, Local, nowMs: 40_001)));
    }
}
