using TixTrigger.Endpoints;
using TixTrigger.Messages;
using TixTrigger.Protocol;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// A shard's members with their deadlines (this silo's monotonic clock) and claims, and the ones
/// that moved away lately. Expiry is a safety net for a gateway that is gone: a member expires
/// <see cref="GraceMs"/> after its deadline, long enough for the gateway's batched refreshes (which
/// lag its heartbeats by a bounded amount) to arrive first.
/// </summary>
internal sealed class ShardMembers
{
    private readonly record struct Member(PackedAddress Local, long DeadlineMs, long ClaimId);

    /// <summary>A move: the claim it displaced, when, and how old the heartbeat that took the client was then (0: not known).</summary>
    private readonly record struct Departure(long ClaimId, long AtMs, long TakenByAgeMs)
    {
        public ShardRemoval Removal(ClientEndpoint client, long nowMs) =>
            new(client, ClaimId, RemovalReason.Moved, TakenByAgeMs == 0 ? 0 : TakenByAgeMs + Math.Max(0, nowMs - AtMs));
    }

    private readonly Dictionary<ClientEndpoint, Member> _members = [];
    private readonly Dictionary<ClientEndpoint, Departure> _departed = [];

    // One entry per member and claim: a refresh moves the deadline without re-queuing, and an entry
    // that comes due early is re-queued at the member's current due time. Expiry costs O(expiries).
    private readonly PriorityQueue<(ClientEndpoint Client, long ClaimId), long> _expiries = new();

    public int Count => _members.Count;

    /// <summary>The highest claim id this shard has held: a new process of its gateway claims above it.</summary>
    public long HighestClaimId { get; private set; }

    public long GraceMs { get; set; } = ClusterTiming.MaxRefreshLagMs + ClusterTiming.ShardExpiryMarginMs;

    /// <summary>Adds or renews members; a member that left under the same or a later claim stays gone.</summary>
    public int Add(ShardMember[] members, long nowMs)
    {
        int added = 0;
        foreach (var member in members)
        {
            if (member.TtlMs <= 0) continue;
            if (_departed.TryGetValue(member.Client, out var departure))
            {
                if (departure.ClaimId >= member.ClaimId) continue;
                _departed.Remove(member.Client);
            }
            long deadline = nowMs + member.TtlMs;
            if (_members.TryGetValue(member.Client, out var existing))
            {
                if (existing.ClaimId > member.ClaimId) continue;
                if (existing.ClaimId == member.ClaimId) deadline = Math.Max(deadline, existing.DeadlineMs);
            }
            else
            {
                added++;
            }
            Put(member.Client, new Member(member.Local, deadline, member.ClaimId), existing.ClaimId != member.ClaimId);
        }
        return added;
    }

    /// <summary>Moves the deadlines of members it holds; adds nobody.</summary>
    public void Refresh(ShardMember[] members, long nowMs)
    {
        foreach (var member in members)
        {
            if (!_members.TryGetValue(member.Client, out var existing) || existing.ClaimId > member.ClaimId) continue;
            long deadline = Math.Max(existing.DeadlineMs, nowMs + member.TtlMs);
            Put(member.Client, new Member(member.Local, deadline, member.ClaimId), existing.ClaimId != member.ClaimId);
        }
    }

    /// <summary>Removes members that moved away; returns the removals their gateway must hear of. A departure names the claim it displaces.</summary>
    public List<ShardRemoval> Depart(ShardRemoval[] departures, long nowMs)
    {
        var removals = new List<ShardRemoval>(departures.Length);
        foreach (var departure in departures)
        {
            if (_members.TryGetValue(departure.Client, out var member))
            {
                if (member.ClaimId > departure.ClaimId) continue; // it came back under a later claim
                _members.Remove(departure.Client);
            }
            var departed = _departed[departure.Client] = new Departure(departure.ClaimId, nowMs, departure.TakenByHeartbeatAgeMs);
            removals.Add(departed.Removal(departure.Client, nowMs));
        }
        return removals;
    }

    /// <summary>Removes the members whose deadline, plus the grace, has passed.</summary>
    public List<ShardRemoval> Expire(long nowMs)
    {
        var expired = new List<ShardRemoval>();
        while (_expiries.TryPeek(out var queued, out long due) && due <= nowMs)
        {
            _expiries.Dequeue();
            if (!_members.TryGetValue(queued.Client, out var member) || member.ClaimId != queued.ClaimId) continue;
            long memberDue = member.DeadlineMs + GraceMs;
            if (memberDue > nowMs)
            {
                _expiries.Enqueue(queued, memberDue);
                continue;
            }
            _members.Remove(queued.Client);
            expired.Add(new ShardRemoval(queued.Client, member.ClaimId, RemovalReason.Expired));
        }
        return expired;
    }

    public void ForgetOldDepartures(long nowMs)
    {
        foreach (var (client, departure) in _departed)
        {
            if (nowMs - departure.AtMs > ClusterTiming.DepartedKeepMs) _departed.Remove(client);
        }
    }

    public ShardMember[] Members(long nowMs) =>
        [.. _members.Select(pair => new ShardMember(pair.Key, pair.Value.Local, Time.Monotonic.TtlMs(pair.Value.DeadlineMs, nowMs), pair.Value.ClaimId))];

    public ShardMember? Find(ClientEndpoint client, long nowMs) =>
        _members.TryGetValue(client, out var member) ? new ShardMember(client, member.Local, Time.Monotonic.TtlMs(member.DeadlineMs, nowMs), member.ClaimId) : null;

    public ShardRemoval[] Departed(long nowMs) =>
        [.. _departed.Select(pair => pair.Value.Removal(pair.Key, nowMs))];

    /// <summary>Restores state carried over from another silo: members by TTL, departures as of now.</summary>
    public void Restore(ShardMember[] members, ShardRemoval[] departed, long nowMs)
    {
        foreach (var removal in departed) _departed[removal.Client] = new Departure(removal.ClaimId, nowMs, removal.TakenByHeartbeatAgeMs);
        foreach (var member in members)
        {
            Put(member.Client, new Member(member.Local, nowMs + member.TtlMs, member.ClaimId), requeue: true);
        }
    }

    private void Put(ClientEndpoint client, Member member, bool requeue)
    {
        _members[client] = member;
        HighestClaimId = Math.Max(HighestClaimId, member.ClaimId);
        if (requeue) _expiries.Enqueue((client, member.ClaimId), member.DeadlineMs + GraceMs);
    }
}
