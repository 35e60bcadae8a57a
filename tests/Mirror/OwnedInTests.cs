using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Mirror;

/// <summary>What a gateway claims again from a client partition that may have forgotten its owners.</summary>
public sealed class OwnedInTests
{
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    [Fact]
    public void A_partitions_live_confirmed_members_under_their_current_claims_and_nothing_changes()
    {
        var mirror = new PingMirror(new UdpGatewayOptions { ShardsPerGateway = 3, ClientExpirationSeconds = 120, MaxClients = 10_000, MaxClientsPerIp = 10_000, PrefixLimitsExempt = [] });
        // Sources the per-network budget counts: each is provisional until settled.
        var clients = Enumerable.Range(0, 2_000).Select(i => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse($"10.{i / 250}.{i % 250}.1"), 5_000))).ToArray();
        int partition = ClientPartitions.Of(clients[0]);
        var ours = clients.Where(client => ClientPartitions.Of(client) == partition).ToArray();
        Assert.True(ours.Length >= 4, $"{ours.Length} clients in partition {partition}");
        var provisional = ours[1];
        var gone = ours[2];
        foreach (var client in clients) mirror.Admit(client, Local, false, client == gone ? 0 : 60_000);

        var claims = mirror.DrainClaims(60_000, _ => true);
        foreach (var group in claims.GroupBy(claim => claim.Shard))
        {
            mirror.Shards[group.Key].SettleBudget(group.Where(claim => claim.Member.Client != provisional).Select(claim => (claim, false)));
            mirror.Shards[group.Key].CompleteClaims(group.Select(claim => (claim, true)));
        }

        long now = 125_000; // past the deadline of the one heard at 0, before the others'
        var owned = mirror.OwnedIn(partition, now);

        Assert.Equal(ours.Except([provisional, gone]).OrderBy(c => c.Address.Low), owned.Select(o => o.Member.Client).OrderBy(c => c.Address.Low));
        var byClient = claims.ToDictionary(claim => claim.Member.Client);
        Assert.All(owned, o =>
        {
            Assert.Equal(byClient[o.Member.Client].Member.ClaimId, o.Member.ClaimId);
            Assert.Equal(byClient[o.Member.Client].Shard, o.Shard);
            Assert.Equal(65_000, o.HeartbeatAgeMs);
            Assert.Equal(55_000, o.Member.TtlMs);
            Assert.False(o.Provisional);
        });
        // Nothing was queued or unregistered by it.
        Assert.Empty(mirror.DrainClaims(now, _ => true));
        Assert.All(owned, o => Assert.True(mirror.Shards[o.Shard].IsRegistered(o.Member.Client)));
    }
}
