using TixTrigger.Endpoints;
using TixTrigger.Status;

namespace TixTrigger.Gateway.Status;

/// <summary>
/// The sources this gateway refused lately, per source and reason, for the status page's lookup: a
/// refused source never becomes a client, so the mirror cannot say why it is not pinged. A fixed
/// table (<see cref="Capacity"/> records in sets of <see cref="Ways"/>, placed by the keyed hash a
/// forger cannot aim), allocated once: a flood of forged sources costs no memory and no allocation.
/// A full set gives up first a record seen once or not for a minute, so a phone refused again and
/// again outlives a flood of one-datagram sources; otherwise its least recently seen record.
/// </summary>
internal sealed class RecentRefusals
{
    public const int Capacity = 4096;
    public const int Ways = 4;
    private const int Sets = Capacity / Ways;

    /// <summary>A record not seen for this long gives way first.</summary>
    private const long StaleMs = 60_000;

    private struct Refusal
    {
        public ClientEndpoint Client;
        public long FirstMs;
        public long LastMs;
        public long Count;
        public DropReason Reason;
    }

    private readonly Lock _gate = new();
    private readonly Refusal[] _records = new Refusal[Capacity];

    /// <summary>Called on the receiving thread for every refused datagram: a hash, a lock and four comparisons.</summary>
    public void Record(ClientEndpoint client, DropReason reason, long nowMs)
    {
        int set = (int)(unchecked((uint)client.GetHashCode() + (uint)reason * 0x9E3779B9u) % Sets) * Ways;
        lock (_gate)
        {
            int victim = set;
            int victimRank = int.MaxValue;
            for (int i = set; i < set + Ways; i++)
            {
                ref var record = ref _records[i];
                if (record.Count > 0 && record.Reason == reason && record.Client == client)
                {
                    record.Count++;
                    record.LastMs = nowMs;
                    return;
                }
                // Lower gives way first: empty, then seen once or stale, then the rest; older first within each.
                int rank = record.Count == 0 ? 0 : record.Count == 1 || nowMs - record.LastMs > StaleMs ? 1 : 2;
                if (rank < victimRank || (rank == victimRank && record.LastMs < _records[victim].LastMs))
                {
                    (victim, victimRank) = (i, rank);
                }
            }
            _records[victim] = new Refusal { Client = client, FirstMs = nowMs, LastMs = nowMs, Count = 1, Reason = reason };
        }
    }

    /// <summary>The records matching <paramref name="query"/>, newest first, at most <paramref name="limit"/>.</summary>
    public List<RefusedSource> Find(PhoneQuery query, long nowMs, int limit)
    {
        var found = new List<(Refusal Record, long LastMs)>();
        lock (_gate)
        {
            foreach (var record in _records)
            {
                if (record.Count > 0 && query.Matches(record.Client)) found.Add((record, record.LastMs));
            }
        }
        return [.. found
            .OrderByDescending(match => match.LastMs)
            .Take(limit)
            .Select(match => new RefusedSource(match.Record.Client, match.Record.Reason.ToString(), match.Record.Count, nowMs - match.Record.FirstMs, nowMs - match.Record.LastMs))];
    }
}
