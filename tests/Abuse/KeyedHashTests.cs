using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// What an attacker can compute offline does not decide where his sources land: the per-network rate
/// buckets and the dictionaries of clients and addresses hash them under a key of this process.
/// </summary>
public sealed class KeyedHashTests
{
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    private static ClientEndpoint At(string ip, int port = 40_000) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse(ip), port));

    /// <summary>The bucket the gateway used to give a network: an unkeyed hash anyone can compute.</summary>
    private static long UnkeyedBucket(PackedAddress address) => (long)(SourcePrefix.Of(address).StableHash() & (NewClientRates.PrefixBuckets - 1));

    /// <summary>A /24 of the attacker's choosing (one of 5.8 million) that the unkeyed hash puts in <paramref name="victim"/>'s bucket.</summary>
    private static string CollidingNetwork(string victim)
    {
        long target = UnkeyedBucket(At(victim).Address);
        for (int network = 11 << 16; network < 100 << 16; network++)
        {
            string candidate = $"{network >> 16}.{network >> 8 & 0xFF}.{network & 0xFF}.1";
            if (UnkeyedBucket(At(candidate).Address) == target) return candidate;
        }
        throw new InvalidOperationException("no colliding /24 in 11.0.0.0 to 99.255.255.255");
    }

    [Fact]
    public void A_network_that_shared_a_victims_bucket_under_the_unkeyed_hash_no_longer_empties_it()
    {
        var mirror = new PingMirror(new UdpGatewayOptions
        {
            ShardsPerGateway = 4,
            MaxPingsPerSecondPerPrefix = 1_000_000,
            NewClientsPerSecond = 1_000_000,
            NewClientsPerSecondPerPrefix = 1,   // five at once
            PrefixLimitsExempt = [],
        });
        string attacker = CollidingNetwork("198.51.100.7");

        // The attacker signs up as many clients as his network's bucket takes, from his own /24.
        var verdicts = Enumerable.Range(0, 6).Select(port => mirror.Admit(At(attacker, 1_000 + port), Local, false, nowMs: 0)).ToList();

        Assert.Equal(5, verdicts.Count(verdict => verdict == Admission.Added));
        Assert.Equal(Admission.Refused(DropReason.PrefixRateLimited), verdicts[^1]);
        // Another network's first phone gets in. (Under a random key the two share a bucket once in 65,536 runs.)
        Assert.Equal(Admission.Added, mirror.Admit(At("198.51.100.7"), Local, false, nowMs: 0));
    }

    /// <summary>
    /// 10,000 IPv6 addresses of one /64 whose interface id has equal halves: the hash a record struct
    /// is given (each ulong folded to 32 bits by xor) is the same for all of them.
    /// </summary>
    private static List<PackedAddress> AddressesChosenToCollide()
    {
        var network = PackedAddress.From(IPAddress.Parse("2001:db8::"));
        return [.. Enumerable.Range(1, 10_000).Select(i => new PackedAddress(network.High, (ulong)i << 32 | (uint)i))];
    }

    [Fact]
    public void Addresses_chosen_to_collide_in_a_dictionary_do_not()
    {
        var addresses = AddressesChosenToCollide();
        var endpoints = addresses.Select(address => new ClientEndpoint(address, 40_000)).ToList();

        // With 32-bit hashes, 10,000 random values share one now and then (about 0.01 pairs expected).
        Assert.True(addresses.Select(a => a.GetHashCode()).Distinct().Count() > 9_990);
        Assert.True(endpoints.Select(e => e.GetHashCode()).Distinct().Count() > 9_990);
    }

    [Fact]
    public void Placement_stays_the_same_in_every_process()
    {
        // Shards, partitions and slots must agree between gateway and silos: StableHash stays unkeyed, this value in any process.
        Assert.Equal(0x5B93D16CAD91D19BUL, At("198.51.100.7").StableHash());
    }
}
