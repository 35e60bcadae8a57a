using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Status;
using TixTrigger.Status;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// The table of recently refused sources the lookup reads: fixed in size under a flood of forged
/// sources, no allocation per refused datagram, and a phone refused again and again outlives a flood
/// of one-datagram sources.
/// </summary>
public sealed class PhoneLookupRefusalsTests
{
    private static ClientEndpoint Source(int i) => new(PackedAddress.From(System.Net.IPAddress.Parse($"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")), (ushort)(1000 + i % 50_000));

    [Fact]
    public void A_phone_refused_again_and_again_outlives_a_flood_of_forged_sources()
    {
        var refusals = new RecentRefusals();
        var phone = new ClientEndpoint(PackedAddress.From(System.Net.IPAddress.Parse("192.0.2.7")), 40000);
        var flood = Enumerable.Range(0, 200_000).Select(Source).ToArray();
        long now = 1_000_000;
        refusals.Record(phone, DropReason.OverIpLimit, now);
        refusals.Record(phone, DropReason.OverIpLimit, now);
        for (int i = 0; i < flood.Length; i++)
        {
            refusals.Record(flood[i], DropReason.PrefixRateLimited, now + i / 100);
            if (i % 10_000 == 0) refusals.Record(phone, DropReason.OverIpLimit, now + i / 100);
        }

        var found = refusals.Find(new PhoneQuery(phone.Address, null), now + 2_000, PhoneQuery.MaxResults);
        var record = Assert.Single(found);
        Assert.Equal("OverIpLimit", record.Reason);
        Assert.Equal(22, record.Count);
        Assert.Equal(2_000, record.FirstAgeMs);
        // Bounded: of the flood's last 8,192 sources, at most the table's capacity (less the phone's record) is remembered.
        int remembered = flood[^(RecentRefusals.Capacity * 2)..]
            .Count(source => refusals.Find(new PhoneQuery(source.Address, source.Port), now, 1).Count > 0);
        Assert.InRange(remembered, RecentRefusals.Capacity / 2, RecentRefusals.Capacity - 1);
    }

    [Fact]
    public void Recording_a_refusal_allocates_nothing()
    {
        var refusals = new RecentRefusals();
        var sources = Enumerable.Range(0, 50_000).Select(Source).ToArray();
        foreach (var source in sources) refusals.Record(source, DropReason.OverCapacity, 1); // warm-up: JIT, the lock
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < sources.Length; i++) refusals.Record(sources[i], (DropReason)(i % 10), 2 + i);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
