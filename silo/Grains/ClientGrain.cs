using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// One client endpoint: decides which gateway shard owns it. A heartbeat through another
/// gateway (or shard) moves the client: it joins the new shard first, so it is never unowned,
/// then leaves the old one, whose next tick tells the old gateway to stop.
/// </summary>
public sealed class ClientGrain(ILogger<ClientGrain> logger) : Grain, IClientGrain
{
    private string? _gatewayId;
    private int _shardIndex;
    private long _heldUntilUnixMs;
    private DateTimeOffset? _firstSeen;
    private DateTimeOffset? _lastHeartbeat;
    private long _heartbeats;

    public async Task<ShardMember> Heartbeat(Heartbeat heartbeat)
    {
        var shard = GrainFactory.GetGrain<IPingShardGrain>(ShardKey.Format(heartbeat.GatewayId, heartbeat.ShardIndex));
        var member = await shard.Join(new ShardMember(heartbeat.Client, heartbeat.Local, heartbeat.DeadlineUnixMs));

        if (_gatewayId is not null && (_gatewayId != heartbeat.GatewayId || _shardIndex != heartbeat.ShardIndex))
        {
            logger.LogInformation("Client {Client} moved from {OldGateway}/{OldShard} to {Gateway}/{Shard}",
                heartbeat.Client, _gatewayId, _shardIndex, heartbeat.GatewayId, heartbeat.ShardIndex);
            LeaveQuietly(ShardKey.Format(_gatewayId, _shardIndex), heartbeat.Client, _heldUntilUnixMs).Ignore();
        }

        _gatewayId = heartbeat.GatewayId;
        _shardIndex = heartbeat.ShardIndex;
        _heldUntilUnixMs = member.DeadlineUnixMs;
        _lastHeartbeat = DateTimeOffset.UtcNow;
        _firstSeen ??= _lastHeartbeat;
        _heartbeats++;
        return member;
    }

    public Task<ClientInfo> GetInfo() =>
        Task.FromResult(new ClientInfo(_gatewayId, _shardIndex, _firstSeen, _lastHeartbeat, _heartbeats));

    private async Task LeaveQuietly(string shardKey, ClientEndpoint client, long heldUntilUnixMs)
    {
        try
        {
            await GrainFactory.GetGrain<IPingShardGrain>(shardKey).Leave(client, heldUntilUnixMs);
        }
        catch (Exception error)
        {
            // The old shard's own expiry removes the client in the end; the move stands.
            logger.LogWarning(error, "Client {Client} could not leave its old shard {Shard}", client, shardKey);
        }
    }
}
