using TixTrigger.Endpoints;
using TixTrigger.Messages;

namespace TixTrigger.Silo.Grains;

/// <summary>What a claim did to a client's owner.</summary>
internal enum ClaimOutcome
{
    /// <summary>A new client, or the owner claiming it again.</summary>
    Recorded,

    /// <summary>The client moved here from another gateway shard, which must let it go.</summary>
    Moved,

    /// <summary>Older than the heartbeat that made the current owner: the client has moved on, and the claimer must let it go.</summary>
    Stale,
}

/// <summary>
/// One partition's record of which gateway shard owns each client, compact enough for millions:
/// a dictionary entry per client, gateway ids shared. It changes only on claims (new clients,
/// moves) and releases (expiries). Times are this silo's monotonic milliseconds.
/// </summary>
internal sealed class ClientOwners
{
    /// <summary>What one gateway shard must let go of after a batch of claims.</summary>
    internal sealed record Departures(string GatewayId, int ShardIndex, List<ShardRemoval> Removals);

    internal readonly record struct Owner(string GatewayId, int ShardIndex, long ClaimId, long HeardAtMs);

    private readonly Dictionary<ClientEndpoint, Owner> _owners = [];
    private readonly Dictionary<string, string> _gatewayIds = [];

    public int Count => _owners.Count;

    /// <summary>
    /// Records a batch of claims from one gateway; returns, per gateway shard in the order first
    /// met, the clients it must let go of: the previous owners of clients that moved, and the
    /// claimer itself for a claim older than the current owner's heartbeat.
    /// </summary>
    public List<Departures> ClaimAll(string gatewayId, ClientClaim[] claims, long nowMs)
    {
        var departures = new List<Departures>();
        void Depart(string gateway, int shard, ClientEndpoint client, long claimId, long takenByAgeMs)
        {
            var batch = departures.Find(d => d.ShardIndex == shard && d.GatewayId == gateway);
            if (batch is null) departures.Add(batch = new Departures(gateway, shard, []));
            batch.Removals.Add(new ShardRemoval(client, claimId, RemovalReason.Moved, takenByAgeMs));
        }

        foreach (var claim in claims)
        {
            switch (Claim(gatewayId, claim, nowMs, out var previous))
            {
                case ClaimOutcome.Moved:
                    Depart(previous.GatewayId, previous.ShardIndex, claim.Client, previous.ClaimId, claim.AgeMs);
                    break;
                case ClaimOutcome.Stale:
                    // Delayed on its way here (or a re-claim of an older heartbeat): the client has heartbeated elsewhere since.
                    Depart(gatewayId, claim.ShardIndex, claim.Client, claim.ClaimId, nowMs - previous.HeardAtMs);
                    break;
            }
        }
        return departures;
    }

    /// <summary>Records a claim unless a later heartbeat through another gateway shard already made the owner.</summary>
    public ClaimOutcome Claim(string gatewayId, ClientClaim claim, long nowMs, out Owner previous)
    {
        var owner = new Owner(Intern(gatewayId), claim.ShardIndex, claim.ClaimId, nowMs - claim.AgeMs);
        if (!_owners.TryGetValue(claim.Client, out previous))
        {
            _owners[claim.Client] = owner;
            return ClaimOutcome.Recorded;
        }
        if (previous.GatewayId == owner.GatewayId && previous.ShardIndex == owner.ShardIndex)
        {
            // The same shard registering the client anew (its shard grain had lost it): no move.
            if (claim.ClaimId >= previous.ClaimId) _owners[claim.Client] = owner;
            return ClaimOutcome.Recorded;
        }
        if (owner.HeardAtMs < previous.HeardAtMs) return ClaimOutcome.Stale;
        _owners[claim.Client] = owner;
        return ClaimOutcome.Moved;
    }

    /// <summary>Forgets an owner whose shard expired the client, unless a later claim replaced it.</summary>
    public void Release(string gatewayId, int shardIndex, ShardRemoval expired)
    {
        if (_owners.TryGetValue(expired.Client, out var owner)
            && owner.GatewayId == gatewayId && owner.ShardIndex == shardIndex && owner.ClaimId <= expired.ClaimId)
        {
            _owners.Remove(expired.Client);
        }
    }

    public ClientOwner? Find(ClientEndpoint client, long nowMs) =>
        _owners.TryGetValue(client, out var owner) ? ToMessage(owner, nowMs) : null;

    public List<(ClientEndpoint Client, ClientOwner Owner)> All(long nowMs) =>
        [.. _owners.Select(pair => (pair.Key, ToMessage(pair.Value, nowMs)))];

    public void Restore(ClientEndpoint client, ClientOwner owner, long nowMs) =>
        _owners[client] = new Owner(Intern(owner.GatewayId), owner.ShardIndex, owner.ClaimId, nowMs - owner.AgeMs);

    private static ClientOwner ToMessage(Owner owner, long nowMs) => new(owner.GatewayId, owner.ShardIndex, owner.ClaimId, nowMs - owner.HeardAtMs);

    private string Intern(string gatewayId)
    {
        if (_gatewayIds.TryGetValue(gatewayId, out var known)) return known;
        _gatewayIds[gatewayId] = gatewayId;
        return gatewayId;
    }
}
