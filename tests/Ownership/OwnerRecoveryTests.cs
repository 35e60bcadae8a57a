using System.Diagnostics;
using System.Net;
using Orleans.Core.Internal;
using TixTrigger.Grains;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Ownership;

/// <summary>
/// Owner records that come back empty are whole again, whatever time has passed: a client that
/// moves long after is let go by its old gateway. Half the partitions are lost with a killed silo,
/// the other half deactivated by force. Clients heartbeat every 5 s, as the Android app does, and
/// new ones sign up all along, so the lost partitions come back at once, as they do in the field.
/// </summary>
public sealed class OwnerRecoveryTests : IAsyncLifetime
{
    /// <summary>The 5 s heartbeat is a third of it, as the echo rule expects of an app.</summary>
    private const int ExpirySeconds = 15;

    /// <summary>Past the longest TTL plus a minute: the recovery window the previous design leaned on.</summary>
    private static readonly TimeSpan LongAfter = TimeSpan.FromSeconds(ExpirySeconds + 70);

    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 2, gateways: ["a", "b"], expirySeconds: ExpirySeconds);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Clients_that_move_long_after_their_partitions_were_lost_by_a_crash_or_deactivated_are_let_go_by_their_old_gateway_within_3_s()
    {
        var a = _cluster.Gateways["a"].Endpoint;
        var b = _cluster.Gateways["b"].Endpoint;
        using var fleet = new PingFleet(100);
        var targets = new Dictionary<PingFleet, IPEndPoint> { [fleet] = a };
        using var stop = new CancellationTokenSource();
        var heartbeats = HeartbeatEvery5sAsync(targets, stop.Token);
        var signups = SignUpsAsync(a, stop.Token);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") >= 100, TimeSpan.FromSeconds(20)), _cluster.Describe());

        // About half the partitions die with this silo; the survivors' are deactivated by force. All come back empty.
        await _cluster.RestartKilledSiloAsync(0);
        for (int partition = 0; partition < ClientPartitions.Count; partition++)
        {
            await client.GetGrain<IClientPartitionGrain>(partition).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        }
        await Task.Delay(LongAfter);
        await MoveAndCheckAsync(fleet, targets, a, b);

        stop.Cancel();
        await Task.WhenAll(heartbeats, signups);
    }

    private async Task MoveAndCheckAsync(PingFleet fleet, Dictionary<PingFleet, IPEndPoint> targets, IPEndPoint a, IPEndPoint b)
    {
        long moved = Stopwatch.GetTimestamp();
        lock (targets) targets[fleet] = b;
        fleet.Heartbeat(b);
        await Task.Delay(TimeSpan.FromSeconds(8));

        long settled = moved + 3 * Stopwatch.Frequency;
        var stillFromA = fleet.Clients.Count(c => c.Pings.Any(p => p.Timestamp > settled && p.From.Equals(a)));
        Assert.True(stillFromA == 0, $"{stillFromA} of 100 clients still pinged by their old gateway more than 3 s after moving\n{_cluster.Describe()}");
        var notFromB = fleet.Clients.Count(c => c.Pings.Count(p => p.Timestamp > moved && p.From.Equals(b)) < 5);
        Assert.True(notFromB == 0, $"{notFromB} of 100 clients not pinged by their new gateway\n{_cluster.Describe()}");
    }

    private static async Task HeartbeatEvery5sAsync(Dictionary<PingFleet, IPEndPoint> targets, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            lock (targets)
            {
                foreach (var (fleet, target) in targets) fleet.Heartbeat(target);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Five new phones a second, each heartbeating once (they expire after 30 s and their sockets close).</summary>
    private static async Task SignUpsAsync(IPEndPoint gateway, CancellationToken stop)
    {
        var recent = new Queue<PingFleet>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var fleet = new PingFleet(5);
                fleet.Heartbeat(gateway);
                recent.Enqueue(fleet);
                if (recent.Count > ExpirySeconds + 5) recent.Dequeue().Dispose();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            while (recent.Count > 0) recent.Dequeue().Dispose();
        }
    }
}
