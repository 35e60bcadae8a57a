using TixTrigger.Gateway.Mirror;
using TixTrigger.Messages;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// Where this gateway stands with one shard grain: the activation (epoch) and tick it is in step
/// with, and the ticks held back while a resynchronisation runs. Orleans-free, so a simulation
/// drives the same rules: ticks apply in sequence; a gap, another epoch or a first contact asks
/// for a resynchronisation; one runs at a time, and the pass that started it finishes it.
/// </summary>
internal sealed class ShardLink(MirrorShard shard)
{
    private readonly List<ShardTick> _buffered = [];
    private Guid _epoch;
    private long _sequence;
    private bool _synced;
    private bool _resyncing;

    public MirrorShard Shard { get; } = shard;

    /// <summary>In step since this process started (a first snapshot has been merged): its claims may leave.</summary>
    public bool Synced
    {
        get { lock (_buffered) return _synced; }
    }

    /// <summary>An attach's answer: true when this gateway is not in step with the shard.</summary>
    public bool NeedsResync(ShardStatus status)
    {
        lock (_buffered)
        {
            return !_resyncing && (!_synced || status.Epoch != _epoch
                // Ticks are being produced but none reach us: a stale observer on the shard's side.
                || status.Sequence > _sequence + 3);
        }
    }

    /// <summary>Applies a tick in sequence, or holds it back; true when a resynchronisation is needed.</summary>
    public bool OnTick(ShardTick tick, long nowMs)
    {
        lock (_buffered)
        {
            if (_resyncing)
            {
                _buffered.Add(tick);
                return false;
            }
            if (!_synced || tick.Epoch != _epoch || tick.Sequence > _sequence + 1)
            {
                _buffered.Add(tick);
                return true;
            }
            if (tick.Sequence == _sequence + 1)
            {
                Shard.ApplyRemovals(tick.Removals, nowMs);
                _sequence = tick.Sequence;
            }
            // else: a tick from before the last snapshot, already reflected in it.
            return false;
        }
    }

    /// <summary>Claims the resynchronisation; false when one is already running.</summary>
    public bool TryBegin()
    {
        lock (_buffered)
        {
            if (_resyncing) return false;
            _resyncing = true;
            return true;
        }
    }

    /// <summary>
    /// A snapshot of another activation than the one this gateway was in step with: the shard
    /// restarted empty (or nearly), and must be refilled from the mirror rather than empty it.
    /// </summary>
    public bool LostState(ShardSnapshot snapshot)
    {
        lock (_buffered) return _synced && snapshot.Epoch != _epoch;
    }

    /// <summary>
    /// Ends a pass at (<paramref name="epoch"/>, <paramref name="sequence"/>) and applies the ticks
    /// held back. False when they show another gap or restart: the caller runs another pass.
    /// </summary>
    public bool Complete(Guid epoch, long sequence, Func<long> nowMs)
    {
        lock (_buffered)
        {
            _epoch = epoch;
            _sequence = sequence;
            _synced = true;
            _buffered.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            foreach (var tick in _buffered)
            {
                if (tick.Epoch != _epoch || tick.Sequence > _sequence + 1)
                {
                    _buffered.Clear();
                    return false;
                }
                if (tick.Sequence <= _sequence) continue;
                Shard.ApplyRemovals(tick.Removals, nowMs());
                _sequence = tick.Sequence;
            }
            _buffered.Clear();
            // Still under the lock: a tick arriving now is applied directly, not held back and lost.
            _resyncing = false;
            return true;
        }
    }

    /// <summary>A pass failed: the next one starts afresh.</summary>
    public void Abort()
    {
        lock (_buffered) _resyncing = false;
    }
}
