using System.Diagnostics;
using System.Runtime.InteropServices;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Native;

namespace TixTrigger.Bench.Worker;

/// <summary>
/// Reads every client socket of a worker from one thread: epoll says which sockets hold a
/// datagram, one recvmsg each takes it with its kernel receive timestamp. Since the timestamp is
/// the kernel's, the thread may read in batches (every <c>readInterval</c>) without moving any
/// arrival time, which keeps the bench's CPU, and so its share of the two cores, small.
/// Allocates nothing per datagram.
/// </summary>
internal sealed unsafe class EpollReceiver : IDisposable
{
    private const int MaxEvents = 1024;
    private const int WaitTimeoutMs = 50;

    /// <summary>A ping is 2 bytes; anything longer is wrong however long it is, and recvmsg flags it as truncated.</summary>
    private const int DataBytes = 128;

    private const int AddressBytes = 128;
    private const int ControlBytes = 128;

    private readonly IReadOnlyList<SimulatedClient> _clients;
    private readonly int _readIntervalMs;
    private readonly int _epoll;
    private readonly byte* _events;
    private readonly MessageHeader* _message;
    private readonly IoVector* _vector;
    private readonly byte* _data;
    private readonly byte* _address;
    private readonly byte* _control;
    private readonly KernelClock _clock = new();
    private readonly Histogram _readDelay = new();
    private Thread? _thread;
    private volatile bool _stopping;

    public EpollReceiver(IReadOnlyList<SimulatedClient> clients, int readIntervalMs)
    {
        _clients = clients;
        _readIntervalMs = readIntervalMs;
        _epoll = Libc.epoll_create1(Libc.EpollCloexec);
        if (_epoll < 0) throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        _events = (byte*)NativeMemory.AllocZeroed((nuint)(MaxEvents * Libc.EpollEventSize));
        _message = (MessageHeader*)NativeMemory.AllocZeroed((nuint)sizeof(MessageHeader));
        _vector = (IoVector*)NativeMemory.AllocZeroed((nuint)sizeof(IoVector));
        _data = (byte*)NativeMemory.AllocZeroed(DataBytes + AddressBytes + ControlBytes);
        _address = _data + DataBytes;
        _control = _address + AddressBytes;
        _vector->Base = _data;
        _vector->Length = DataBytes;
        _message->Vectors = _vector;
        _message->VectorCount = 1;
        _message->Name = _address;
        _message->Control = _control;
        Register();
    }

    public long Unstamped { get; private set; }

    public Histogram ReadDelay => _readDelay;

    public double ClockDriftMs => _clock.MaxDriftNs / 1e6;

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-receiver", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Reads what is still queued, then stops. Call before closing the sockets.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    private void Register()
    {
        // 16: the larger of the two epoll_event layouts (see Libc.EpollEventSize).
        byte* @event = stackalloc byte[16];
        for (int i = 0; i < _clients.Count; i++)
        {
            *(uint*)@event = Libc.EpollIn;
            *(ulong*)(@event + Libc.EpollDataOffset) = (ulong)i;
            if (Libc.epoll_ctl(_epoll, Libc.EpollCtlAdd, _clients[i].Handle, @event) != 0)
            {
                throw new InvalidOperationException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    private void Run()
    {
        while (true)
        {
            bool last = _stopping;
            int ready = Libc.epoll_wait(_epoll, _events, MaxEvents, last ? 0 : WaitTimeoutMs);
            if (ready < 0 && Marshal.GetLastPInvokeError() != Libc.Eintr) throw new InvalidOperationException($"epoll_wait failed: errno {Marshal.GetLastPInvokeError()}");
            long now = Stopwatch.GetTimestamp();
            _clock.RecalibrateIfDue(now);
            for (int i = 0; i < ready; i++)
            {
                int client = (int)*(ulong*)(_events + i * Libc.EpollEventSize + Libc.EpollDataOffset);
                Read(_clients[client], now);
            }
            // One pass after the stop request reads whatever had arrived by then.
            if (last) return;
            // A full batch means more are waiting; otherwise let them gather, their stamps are the kernel's.
            if (_readIntervalMs > 0 && ready < MaxEvents) Thread.Sleep(_readIntervalMs);
        }
    }

    private void Read(SimulatedClient client, long now)
    {
        _message->NameLength = AddressBytes;
        _message->ControlLength = ControlBytes;
        _message->Flags = 0;
        nint length = Libc.recvmsg(client.Handle, _message, Libc.MsgDontWait);
        // EAGAIN (already read) or an ICMP error queued on the socket by an earlier heartbeat: no datagram.
        if (length < 0) return;
        var (stamp, dropped) = ReadControl();
        long arrival = stamp is { } stamped ? _clock.ToStopwatch(stamped) : StampedOnReading(now);
        if (dropped is { } count) client.Dropped = count;
        _readDelay.Add(StopwatchTime.ToMs(now - arrival));
        client.Record(
            arrival,
            new ReadOnlySpan<byte>(_address, (int)Math.Min(_message->NameLength, AddressBytes)),
            new ReadOnlySpan<byte>(_data, (int)Math.Min(length, DataBytes)),
            (_message->Flags & Libc.MsgTrunc) != 0);
    }

    private long StampedOnReading(long now)
    {
        Unstamped++;
        return now;
    }

    /// <summary>
    /// The control messages: SCM_TIMESTAMPNS's time (CLOCK_REALTIME, ns) and SO_RXQ_OVFL's count of
    /// drops at the socket so far, each if present.
    /// </summary>
    private (long? Stamp, long? Dropped) ReadControl()
    {
        long? stamp = null;
        long? dropped = null;
        nuint offset = 0;
        nuint total = _message->ControlLength;
        while (offset + ControlHeader.DataOffset <= total)
        {
            var header = (ControlHeader*)(_control + offset);
            if (header->Length < ControlHeader.DataOffset) break;
            byte* data = _control + offset + ControlHeader.DataOffset;
            if (header->Level == Libc.SolSocket && header->Type == Libc.SoTimestampNs) stamp = ((TimeSpec*)data)->TotalNanoseconds;
            else if (header->Level == Libc.SolSocket && header->Type == Libc.SoRxqOvfl) dropped = *(uint*)data;
            offset += (header->Length + 7) & ~(nuint)7;
        }
        return (stamp, dropped);
    }

    public void Dispose()
    {
        Libc.close(_epoll);
        NativeMemory.Free(_events);
        NativeMemory.Free(_message);
        NativeMemory.Free(_vector);
        NativeMemory.Free(_data);
    }
}
