using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TixTrigger.Protocol;

namespace TixTrigger.Reference;

/// <summary>
/// One sender thread: walks the second slot by slot on absolute times of the monotonic clock and
/// pings each slot's members of its shards. A late wake-up delays one slot, not the ones after it,
/// so each client's interval stays at 1000 ms.
/// </summary>
internal sealed class SlotSender(Socket socket, IReadOnlyList<Shard> shards, int slotCount, string name)
{
    private readonly long _slotTicks = Stopwatch.Frequency / slotCount;
    private readonly List<SocketAddress> _due = new(1024);
    private Thread? _thread;
    private volatile bool _stopping;

    public long Sent { get; private set; }

    public long Failed { get; private set; }

    public long SkippedSeconds { get; private set; }

    /// <summary>How late, at worst, a slot began: the pinger's own contribution to the jitter a client sees.</summary>
    public long MaxLatenessTicks { get; private set; }

    public void Start(long origin)
    {
        _thread = new Thread(() => Run(origin)) { IsBackground = true, Name = name, Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    private void Run(long origin)
    {
        long slot = 0;
        while (!_stopping)
        {
            long due = origin + slot * _slotTicks;
            long now = Stopwatch.GetTimestamp();
            if (now < due)
            {
                Thread.Sleep(Math.Max(1, (int)((due - now) * 1000 / Stopwatch.Frequency)));
                continue;
            }
            if (now - due > Stopwatch.Frequency)
            {
                // Stalled for over a second: sending every missed slot now would ping clients twice in a moment.
                slot = (now - origin) / _slotTicks;
                SkippedSeconds++;
                continue;
            }
            MaxLatenessTicks = Math.Max(MaxLatenessTicks, now - due);
            SendSlot((int)(slot % slotCount), now);
            slot++;
        }
    }

    private void SendSlot(int slot, long now)
    {
        foreach (var shard in shards)
        {
            _due.Clear();
            shard.TakeSlot(slot, now, _due);
            foreach (var address in _due)
            {
                try
                {
                    if (socket.SendTo(Ping.Bytes, SocketFlags.None, address) == Ping.Bytes.Length) Sent++;
                    else Failed++;
                }
                catch (SocketException)
                {
                    // A full send buffer or an unreachable client; the next second tries again.
                    Failed++;
                }
            }
        }
    }
}
