using TixTrigger.Grains;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// For each client partition, the epoch under which this gateway has claimed every live client it
/// holds there. A partition seen under another epoch may have lost its owners (a crash, a
/// collection): this gateway claims its clients there again. Orleans-free, so a simulation drives it too.
/// </summary>
internal sealed class PartitionEpochs
{
    private readonly Guid[] _claimed = new Guid[ClientPartitions.Count];

    /// <summary>Whether this gateway's clients in <paramref name="partition"/> must be claimed again.</summary>
    public bool NeedsClaims(int partition, Guid epoch)
    {
        lock (_claimed) return _claimed[partition] != epoch;
    }

    /// <summary>This gateway's clients in <paramref name="partition"/> must be claimed again, whatever its epoch.</summary>
    public void Forget(int partition)
    {
        lock (_claimed) _claimed[partition] = Guid.Empty;
    }

    /// <summary>Every live client here was claimed under <paramref name="epoch"/>.</summary>
    public void Claimed(int partition, Guid epoch)
    {
        lock (_claimed) _claimed[partition] = epoch;
    }
}
