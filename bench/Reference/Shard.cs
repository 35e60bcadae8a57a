using System.Net;

namespace TixTrigger.Reference;

/// <summary>
/// One shard of the clients: a dictionary by endpoint and the second cut into slots, each slot
/// listing the members pinged in it. One lock guards both; the receive thread holds it for one
/// lookup, the sender for copying out one slot's addresses, never while sending.
/// </summary>
internal sealed class Shard(int slotCount)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SocketAddress, Member> _members = [];
    private readonly List<Member>[] _slots = [.. Enumerable.Range(0, slotCount).Select(_ => new List<Member>())];
    private int _currentSlot;

    public int Count
    {
        get
        {
            lock (_gate) return _members.Count;
        }
    }

    /// <summary>Registers or refreshes the sender of a heartbeat. Allocates only for a client not seen before.</summary>
    public void Admit(SocketAddress from, long deadline)
    {
        lock (_gate)
        {
            if (_members.TryGetValue(from, out var member))
            {
                member.Deadline = deadline;
                return;
            }
            // The receive buffer's address is reused for the next datagram: keep a copy.
            var address = new SocketAddress(from.Family, from.Size);
            from.Buffer.Span[..from.Size].CopyTo(address.Buffer.Span);
            // The slot after the one being sent: the first ping follows within one slot (10 ms),
            // and the sender cannot pass it by, since it moves on only under this lock.
            member = new Member(address, deadline, (_currentSlot + 1) % _slots.Length);
            _members.Add(address, member);
            _slots[member.Slot].Add(member);
        }
    }

    /// <summary>Marks <paramref name="slot"/> as the one being sent, drops its expired members and copies out the rest.</summary>
    public void TakeSlot(int slot, long now, List<SocketAddress> due)
    {
        lock (_gate)
        {
            _currentSlot = slot;
            var members = _slots[slot];
            for (int i = members.Count - 1; i >= 0; i--)
            {
                var member = members[i];
                if (member.Deadline < now)
                {
                    // Order within a slot does not matter: swap the last one in.
                    members[i] = members[^1];
                    members.RemoveAt(members.Count - 1);
                    _members.Remove(member.Address);
                    continue;
                }
                due.Add(member.Address);
            }
        }
    }
}
