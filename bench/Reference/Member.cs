using System.Net;

namespace TixTrigger.Reference;

/// <summary>
/// A registered client: where to ping it, until when (a Stopwatch timestamp), and its phase: which of
/// the second's slots pings it, for as long as it lives.
/// </summary>
internal sealed class Member(SocketAddress address, long deadline, int slot)
{
    public SocketAddress Address { get; } = address;

    public long Deadline { get; set; } = deadline;

    public int Slot { get; } = slot;
}
