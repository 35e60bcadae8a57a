using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// The second, cut into <see cref="SlotCount"/> slots of 10 ms: each client has a fixed slot (its
/// phase), so a second's pings are spread evenly and each client's interval stays at 1000 ms. A
/// client that heartbeats is put just ahead of the sender, so its first ping follows at once; one
/// learnt from the cluster (a restart) gets a slot by hash, so a whole shard never lands in one slot.
/// </summary>
internal sealed class SlotWheel
{
    public const int SlotCount = 100;

    public const int SlotMs = 1000 / SlotCount;

    private readonly SlotList[] _slots = CreateSlots();

    public static int SlotOf(ClientEndpoint client) => (int)(client.StableHash() % SlotCount);

    /// <summary>Adds an entry to a slot; returns its position there.</summary>
    public int Add(int slot, int entry) => _slots[slot].Add(entry);

    /// <summary>Removes the entry at a position; returns the entry moved into that position, or -1.</summary>
    public int RemoveAt(int slot, int position) => _slots[slot].RemoveAt(position);

    public SlotList this[int slot] => _slots[slot];

    private static SlotList[] CreateSlots()
    {
        var slots = new SlotList[SlotCount];
        for (int i = 0; i < slots.Length; i++) slots[i] = new SlotList();
        return slots;
    }
}
