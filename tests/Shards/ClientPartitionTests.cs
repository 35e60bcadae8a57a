using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Shards;

/// <summary>The client partitions: who owns each client, and what a move tells the old owner.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClientPartitionTests(ClusterFixture fixture)
{
    // Its own client per test: the tests share one silo, and so the partitions.
    private readonly ClientEndpoint Client = ClientEndpoint.From(new IPEndPoint(IPAddress.Parse("10.0.0.9"), 20_000 + Random.Shared.Next(40_000)));

    [Fact]
    public async Task A_claim_through_another_gateway_moves_the_client_and_the_old_shard_tells_its_gateway()
    {
        string oldGateway = $"old-{Guid.NewGuid():N}"[..12], newGateway = $"new-{Guid.NewGuid():N}"[..12];
        var recorder = new TickRecorder();
        var reference = fixture.Grains.CreateObjectReference<IGatewayObserver>(recorder);
        var oldShard = fixture.Grains.GetGrain<IPingShardGrain>(ShardKey.Format(oldGateway, 2));
        await oldShard.Attach(reference, TestProcesses.New());
        var partition = fixture.Grains.GetGrain<IClientPartitionGrain>(ClientPartitions.Of(Client));
        await partition.Claim(oldGateway, [new ClientClaim(Client, 2, ClaimId: 41, TtlMs: 120_000, AgeMs: 0)]);
        await oldShard.Join([new ShardMember(Client, default, 120_000, 41)]);

        await partition.Claim(newGateway, [new ClientClaim(Client, 0, ClaimId: 5, TtlMs: 120_000, AgeMs: 0)]);

        var owner = await partition.GetOwner(Client);
        Assert.Equal((newGateway, 0, 5L), (owner?.GatewayId, owner?.ShardIndex, owner?.ClaimId));
        Assert.True(await Eventually.True(() => recorder.Ticks.Any(t => t.Removals.Length > 0), TimeSpan.FromSeconds(3)));
        Assert.Equal(new ShardRemoval(Client, 41, RemovalReason.Moved), recorder.Ticks.SelectMany(t => t.Removals).Single());
        Assert.Empty((await oldShard.GetSnapshot()).Members);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task A_release_forgets_the_owner_only_for_the_claim_that_expired()
    {
        string gateway = $"rel-{Guid.NewGuid():N}"[..12];
        var partition = fixture.Grains.GetGrain<IClientPartitionGrain>(ClientPartitions.Of(Client));
        await partition.Claim(gateway, [new ClientClaim(Client, 1, ClaimId: 10, TtlMs: 120_000, AgeMs: 0)]);
        await partition.Claim(gateway, [new ClientClaim(Client, 1, ClaimId: 11, TtlMs: 120_000, AgeMs: 0)]); // registered again

        await partition.Release(gateway, 1, [new ShardRemoval(Client, 10, RemovalReason.Expired)]);
        Assert.Equal(11, (await partition.GetOwner(Client))?.ClaimId);

        await partition.Release(gateway, 1, [new ShardRemoval(Client, 11, RemovalReason.Expired)]);
        Assert.Null(await partition.GetOwner(Client));
    }

    [Fact]
    public async Task A_delayed_claim_never_undoes_a_move_that_happened_since_its_gateway_is_told_to_let_go()
    {
        string delayed = $"late-{Guid.NewGuid():N}"[..12], current = $"now-{Guid.NewGuid():N}"[..12];
        var recorder = new TickRecorder();
        var reference = fixture.Grains.CreateObjectReference<IGatewayObserver>(recorder);
        await fixture.Grains.GetGrain<IPingShardGrain>(ShardKey.Format(delayed, 1)).Attach(reference, TestProcesses.New());
        var partition = fixture.Grains.GetGrain<IClientPartitionGrain>(ClientPartitions.Of(Client));
        await partition.Claim(current, [new ClientClaim(Client, 0, ClaimId: 3, TtlMs: 120_000, AgeMs: 1_000)]);

        // Its gateway could not reach the cluster for 6 s; the heartbeat behind it came before the other one.
        await partition.Claim(delayed, [new ClientClaim(Client, 1, ClaimId: 77, TtlMs: 120_000, AgeMs: 6_000)]);

        Assert.Equal(current, (await partition.GetOwner(Client))?.GatewayId);
        Assert.True(await Eventually.True(() => recorder.Ticks.Any(t => t.Removals.Length > 0), TimeSpan.FromSeconds(3)));
        var removal = recorder.Ticks.SelectMany(t => t.Removals).Single();
        Assert.Equal(new ShardRemoval(Client, 77, RemovalReason.Moved), removal with { TakenByHeartbeatAgeMs = 0 });
        // The heartbeat that keeps the client is the current owner's, 1 s old at its claim: the delayed gateway heard none since.
        Assert.InRange(removal.TakenByHeartbeatAgeMs, 1_000, 4_000);
        GC.KeepAlive(reference);
    }
}
