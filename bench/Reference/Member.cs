using System.Net;

namespace TixTrigger.Reference;

/// <summary>A registered client: where to ping it, until when, and its place in its shard's slot.</summary>
internal sealed class Member(SocketAddress address, long deadline, int slot)
{
    public SocketAddress Address { get; } = address;

    /// <summary>Stopwatch timestamp after which the client is no longer pinged.</summary>
    public long Deadline { get; set; } = deadline;

    /// <summary>The client's phase: which of the second's slots pings it, for as long as it lives.</summary>
    public int Slot { get; } = slot;
}
