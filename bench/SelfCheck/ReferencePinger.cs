using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Worker;

namespace TixTrigger.Bench.SelfCheck;

/// <summary>
/// A minimal stand-in for the service, for <c>--self-check</c>: registers heartbeat senders and
/// pings each once a second in a fixed 10 ms slot, from a dedicated thread. Whatever jitter the
/// bench reports against it is the bench's own (plus this pinger's lateness, which it reports).
/// </summary>
internal sealed class ReferencePinger : IDisposable
{
    private const int SlotsPerSecond = 100;
    private static readonly long SlotTicks = Stopwatch.Frequency / SlotsPerSecond;
    private static ReadOnlySpan<byte> Ping => [0x75, 0x61];

    private readonly Socket _socket;
    private readonly long _expiry;
    private readonly Lock _gate = new();
    private readonly Dictionary<SocketAddress, Member> _members = [];
    private readonly List<Member>[] _slots = Enumerable.Range(0, SlotsPerSecond).Select(_ => new List<Member>()).ToArray();
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly Thread _sender;
    private readonly Task _receiving;
    private volatile bool _stopping;
    private long _slot;

    private ReferencePinger(AddressFamily family, double expirySeconds)
    {
        _expiry = StopwatchTime.FromSeconds(expirySeconds);
        _socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        Endpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _sender = new Thread(SendPings) { IsBackground = true, Name = "reference-pings", Priority = ThreadPriority.AboveNormal };
        _sender.Start();
        _receiving = ReceiveHeartbeatsAsync();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>How late the pinger began its worst slot: the part of the measured jitter that is not the bench's.</summary>
    public double MaxLatenessMs { get; private set; }

    public static ReferencePinger Start(AddressFamily family, double expirySeconds) => new(family, expirySeconds);

    private async Task ReceiveHeartbeatsAsync()
    {
        var buffer = new byte[128];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            try
            {
                await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from);
            }
            catch (Exception error) when (error is ObjectDisposedException or SocketException)
            {
                if (_stopping) return;
                continue;
            }
            Register(from, Stopwatch.GetTimestamp());
        }
    }

    private void Register(SocketAddress from, long now)
    {
        lock (_gate)
        {
            if (_members.TryGetValue(from, out var member))
            {
                member.Deadline = now + _expiry;
                return;
            }
            var address = new SocketAddress(from.Family, from.Size);
            from.Buffer.Span[..from.Size].CopyTo(address.Buffer.Span);
            member = new Member(address, now + _expiry);
            _members.Add(address, member);
            // The slot after the current one: the first ping follows within about 10 ms.
            _slots[(int)((Volatile.Read(ref _slot) + 1) % SlotsPerSecond)].Add(member);
        }
    }

    private void SendPings()
    {
        var due = new List<Member>();
        for (long slot = 0; !_stopping; slot++)
        {
            long start = _origin + slot * SlotTicks;
            HeartbeatSender.WaitUntil(start);
            long now = Stopwatch.GetTimestamp();
            MaxLatenessMs = Math.Max(MaxLatenessMs, StopwatchTime.ToMs(now - start));
            Volatile.Write(ref _slot, slot);
            CollectDue(_slots[slot % SlotsPerSecond], now, due);
            foreach (var member in due)
            {
                try
                {
                    _socket.SendTo(Ping, SocketFlags.None, member.Address);
                }
                catch (Exception error) when (error is SocketException or ObjectDisposedException)
                {
                    // A closed client port or our own shutdown; the next second tries again.
                }
            }
        }
    }

    private void CollectDue(List<Member> slot, long now, List<Member> due)
    {
        due.Clear();
        lock (_gate)
        {
            slot.RemoveAll(member =>
            {
                if (member.Deadline >= now) return false;
                _members.Remove(member.Address);
                return true;
            });
            due.AddRange(slot);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _sender.Join();
        _socket.Dispose();
        _receiving.Wait(TimeSpan.FromSeconds(1));
    }

    private sealed class Member(SocketAddress address, long deadline)
    {
        public SocketAddress Address { get; } = address;

        public long Deadline { get; set; } = deadline;
    }
}
