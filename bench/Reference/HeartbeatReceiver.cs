using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Reference;

/// <summary>
/// Reads datagrams on one thread with blocking <c>recvfrom</c> into a reused buffer and address:
/// any datagram up to 64 bytes registers or refreshes its sender in the shard its endpoint hashes to.
/// </summary>
internal sealed class HeartbeatReceiver(Socket socket, IReadOnlyList<Shard> shards, long expiryTicks)
{
    private const int MaxHeartbeatBytes = 64;

    private Thread? _thread;

    public long Heartbeats { get; private set; }

    public long Dropped { get; private set; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "reference-heartbeats" };
        _thread.Start();
    }

    private void Run()
    {
        // Large enough for any datagram, so a long one is measured and dropped, not truncated into a heartbeat.
        var buffer = GC.AllocateUninitializedArray<byte>(65_536);
        var from = new SocketAddress(socket.AddressFamily);
        while (true)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error from an earlier ping surfacing here, or a datagram we could not read: not a heartbeat.
                Dropped++;
                continue;
            }
            if (length > MaxHeartbeatBytes)
            {
                Dropped++;
                continue;
            }
            Heartbeats++;
            shards[(int)((uint)from.GetHashCode() % (uint)shards.Count)].Admit(from, Stopwatch.GetTimestamp() + expiryTicks);
        }
    }
}
