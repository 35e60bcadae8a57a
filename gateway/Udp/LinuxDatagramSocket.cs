using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TixTrigger.Endpoints;
using TixTrigger.Protocol;
using static TixTrigger.Gateway.Udp.LinuxSocketInterop;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// The gateway's socket on Linux: datagrams in and pings out in batches of one system call each
/// (<c>recvmmsg</c>, <c>sendmmsg</c>). On a wildcard bind (HOST=0.0.0.0 or ::) every receive reads
/// the address the client sent to from <c>IP_PKTINFO</c>, and every ping names it as its source,
/// so each client is answered from the address it used, on a host with any number of addresses.
/// Every datagram carries the kernel's receive time (<c>SO_TIMESTAMPNS</c>), read onto the monotonic clock.
/// Native buffers are allocated once per direction (the send side grows with the largest slot).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LinuxDatagramSocket : IDatagramSocket
{
    public const int ReceiveBatch = 64;

    private const int NameBytes = 32;                   // a sockaddr_in6, aligned
    private const int DataBytes = 72;                   // over the longest heartbeat, so longer ones show as such
    // IPV6_PKTINFO (Space 20 = 40) + SO_RXQ_OVFL (Space 4 = 24) + SCM_TIMESTAMPNS (Space 16 = 32) = 96, with room to spare.
    internal const int ControlBytes = 128;
    private const int SendChunk = 1024;                 // UIO_MAXIOV

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly bool _ipv6;
    private readonly bool _wildcard;
    private readonly PackedAddress _boundAddress;

    // Receive side: the receiving thread's alone.
    private readonly MMsgHdr* _rxHeaders;
    private readonly IoVec* _rxIov;
    private readonly byte* _rxNames;
    private readonly byte* _rxData;
    private readonly byte* _rxControl;
    private long _overflows;
    private long _lastArrivedMs;

    // Send side: the sending thread's alone.
    private readonly IoVec* _txIov;
    private readonly byte* _txPayload;
    private MMsgHdr* _txHeaders;
    private byte* _txNames;
    private byte* _txControl;
    private int _txCapacity;
    private readonly int _txControlBytes;
    private int _disposed;

    public LinuxDatagramSocket(IPEndPoint bindTo)
        : this(Bind(bindTo), bindTo)
    {
    }

    private LinuxDatagramSocket(Socket socket, IPEndPoint bindTo)
    {
        _ipv6 = bindTo.AddressFamily == AddressFamily.InterNetworkV6;
        _wildcard = ListenAddress.IsWildcard(bindTo.Address);
        _socket = socket;
        LocalEndpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _fd = (int)_socket.Handle;
        _boundAddress = PackedAddress.From(bindTo.Address);
        GrantedReceiveBytes = SocketTuning.GrantedReceiveBytes(_socket);

        _rxHeaders = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(ReceiveBatch * sizeof(MMsgHdr)));
        _rxIov = (IoVec*)NativeMemory.AllocZeroed((nuint)(ReceiveBatch * sizeof(IoVec)));
        _rxNames = (byte*)NativeMemory.AllocZeroed(ReceiveBatch * NameBytes);
        _rxData = (byte*)NativeMemory.AllocZeroed(ReceiveBatch * DataBytes);
        _rxControl = (byte*)NativeMemory.AllocZeroed(ReceiveBatch * ControlBytes);
        for (int i = 0; i < ReceiveBatch; i++)
        {
            _rxIov[i] = new IoVec { Base = _rxData + i * DataBytes, Length = DataBytes };
            _rxHeaders[i].Header.Iov = &_rxIov[i];
            _rxHeaders[i].Header.IovLength = 1;
            _rxHeaders[i].Header.Name = _rxNames + i * NameBytes;
            _rxHeaders[i].Header.Control = _rxControl + i * ControlBytes;
        }

        // Every ping of a batch points at this one copy of the ping's bytes, sized from them (shared/Protocol/Ping.cs).
        _txPayload = (byte*)NativeMemory.AllocZeroed((nuint)Ping.Bytes.Length);
        _txIov = (IoVec*)NativeMemory.AllocZeroed((nuint)sizeof(IoVec));
        _txIov->Base = _txPayload;
        _txControlBytes = _wildcard ? Space(_ipv6 ? sizeof(In6PktInfo) : sizeof(InPktInfo)) : 0;
        GrowSendBuffers(256);
    }

    /// <summary>A new socket with the gateway's options, bound to <paramref name="bindTo"/>.</summary>
    private static Socket Bind(IPEndPoint bindTo)
    {
        var socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            SocketTuning.Apply(socket);
            SetReceiveOptions(socket, ListenAddress.IsWildcard(bindTo.Address));
            socket.Bind(bindTo);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The socket a running gateway handed over (its queued datagrams with it), checked to be a UDP socket bound
    /// where this process's settings say, with the options <see cref="Bind"/> gives (set again: they cost nothing twice).
    /// </summary>
    /// <exception cref="InvalidDataException">It is not a UDP socket bound at <paramref name="boundAt"/>; the handle is closed.</exception>
    public static LinuxDatagramSocket Adopt(SafeSocketHandle handle, IPEndPoint boundAt)
    {
        Socket? socket = null;
        try
        {
            int type = 0;
            uint length = sizeof(int);
            if (GetSockOpt((int)handle.DangerousGetHandle(), SolSocket, SoType, &type, &length) != 0 || type != SockDgram)
            {
                throw new InvalidDataException($"the handed-over socket is not a datagram socket (SO_TYPE {type})");
            }
            socket = new Socket(handle);
            if (socket.ProtocolType != ProtocolType.Udp || socket.AddressFamily != boundAt.AddressFamily || socket.LocalEndPoint is not IPEndPoint local || !local.Equals(boundAt))
            {
                throw new InvalidDataException($"the handed-over socket is {socket.ProtocolType} bound at {socket.LocalEndPoint}, not UDP at {boundAt}");
            }
            if (boundAt.AddressFamily == AddressFamily.InterNetworkV6 && !socket.DualMode)
            {
                throw new InvalidDataException($"the handed-over socket at {boundAt} is IPv6 only, where HOST={boundAt.Address} serves IPv4 too");
            }
            SocketTuning.ApplyBuffers(socket);
            SetReceiveOptions(socket, ListenAddress.IsWildcard(boundAt.Address));
            return new LinuxDatagramSocket(socket, boundAt);
        }
        catch
        {
            if (socket is null) handle.Dispose();
            else socket.Dispose();
            throw;
        }
    }

    private static void SetReceiveOptions(Socket socket, bool wildcard)
    {
        if (wildcard)
        {
            socket.SetSocketOption(socket.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        }
        int on = 1;
        SetSockOpt((int)socket.Handle, SolSocket, SoRxqOvfl, &on, sizeof(int));
        // A datagram's arrival, not its read: a busy gateway reads late, by amounts that follow its load (unstamped: read time).
        SetSockOpt((int)socket.Handle, SolSocket, SoTimestampNs, &on, sizeof(int));
    }

    /// <summary>The open socket, for handing it to a successor process (which gets its own descriptor of it).</summary>
    public SafeSocketHandle Handle => _socket.SafeHandle;

    public IPEndPoint LocalEndpoint { get; }

    public bool PreservesOrigin => true;

    public long ReceiveOverflows => Volatile.Read(ref _overflows);

    public int GrantedReceiveBytes { get; }

    public int Receive(Span<ReceivedDatagram> into, TimeSpan timeout)
    {
        int wanted = Math.Min(into.Length, ReceiveBatch);
        if (wanted == 0) return 0;
        var poll = new PollFd { Fd = _fd, Events = PollIn };
        if (Poll(&poll, 1, (int)timeout.TotalMilliseconds) <= 0) return 0;

        for (int i = 0; i < wanted; i++)
        {
            ref var header = ref _rxHeaders[i].Header;
            header.NameLength = NameBytes;
            header.ControlLength = ControlBytes;
            header.Flags = 0;
        }
        // MSG_TRUNC: a datagram longer than the buffer reports its real length, so it is measured, not misread.
        int received = RecvMMsg(_fd, _rxHeaders, (uint)wanted, MsgDontWait | MsgTrunc, null);
        if (received < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is EAgain or EIntr) return 0;
            throw new SocketException(errno);
        }
        var clock = ArrivalClock.Now();
        for (int i = 0; i < received; i++) into[i] = Read(ref _rxHeaders[i], clock);
        return received;
    }

    private ReceivedDatagram Read(ref MMsgHdr message, in ArrivalClock clock)
    {
        ref var header = ref message.Header;
        var name = new ReadOnlySpan<byte>(header.Name, (int)Math.Min(header.NameLength, NameBytes));
        var control = new ReadOnlySpan<byte>(header.Control, (int)Math.Min(header.ControlLength, ControlBytes));
        bool readable = SocketAddresses.TryReadNative(name, out var remote);
        var local = _boundAddress;
        long stampNs = ArrivalClock.NoStamp;
        bool knowsLocal = ControlMessages.KnowsDestination(control, header.Flags, _wildcard, ref local, ref _overflows, ref stampNs);
        // The queue is in arrival order: never earlier than the one before (the clocks are read to a few ms per batch).
        long arrivedMs = _lastArrivedMs = Math.Max(clock.ArrivedMs(stampNs), _lastArrivedMs);
        // A mapped source that did not arrive over IPv4 was forged: malformed, never an IPv4 client.
        bool genuine = knowsLocal && MappedSources.Agree(remote, local);
        int length = readable && genuine ? (int)message.Length : -1;
        bool isPing = length >= 0 && Ping.Is(new ReadOnlySpan<byte>(header.Iov->Base, Math.Min(length, DataBytes)));
        return new ReceivedDatagram(remote, local, length, arrivedMs, isPing);
    }

    public int Send(ReadOnlySpan<PingTarget> targets, ReadOnlySpan<byte> payload)
    {
        if (targets.IsEmpty) return 0;
        if (targets.Length > _txCapacity) GrowSendBuffers(targets.Length);
        payload.CopyTo(new Span<byte>(_txPayload, Ping.Bytes.Length));
        _txIov->Length = (nuint)payload.Length;

        for (int i = 0; i < targets.Length; i++) Prepare(ref _txHeaders[i], i, targets[i]);

        int sent = 0;
        int offset = 0;
        int stalls = 0;
        while (offset < targets.Length)
        {
            int count = Math.Min(SendChunk, targets.Length - offset);
            int result = SendMMsg(_fd, _txHeaders + offset, (uint)count, MsgDontWait);
            if (result > 0)
            {
                sent += result;
                offset += result;
                continue;
            }
            int errno = result < 0 ? Marshal.GetLastPInvokeError() : EAgain;
            if (errno == EIntr) continue;
            if (errno == EAgain)
            {
                // The send buffer is full: give the kernel a moment to drain it; if it stays full, the rest of the slot fails.
                if (++stalls > 3) break;
                Thread.Sleep(1);
                continue;
            }
            // This datagram cannot be sent (an unreachable or invalid address): skip it.
            offset++;
        }
        return sent;
    }

    private void Prepare(ref MMsgHdr message, int i, in PingTarget target)
    {
        byte* name = _txNames + i * NameBytes;
        ref var header = ref message.Header;
        header.Name = name;
        header.NameLength = (uint)SocketAddresses.WriteNative(target.Client, _ipv6, new Span<byte>(name, NameBytes));
        header.Iov = _txIov;
        header.IovLength = 1;
        header.Flags = 0;
        if (_txControlBytes == 0 || target.Local.IsNone)
        {
            // A specific bind sends from its address; an unknown local address lets the kernel choose.
            header.Control = null;
            header.ControlLength = 0;
            return;
        }
        byte* control = _txControl + i * _txControlBytes;
        byte* data = control + CmsgHeaderSize;
        if (_ipv6)
        {
            var info = (In6PktInfo*)data;
            target.Local.WriteIPv6(new Span<byte>(info->Address, 16));
            info->InterfaceIndex = 0;
        }
        else
        {
            var info = (InPktInfo*)data;
            info->InterfaceIndex = 0;
            target.Local.WriteIPv4(new Span<byte>(&info->SpecificDestination, 4));
            info->Address = 0;
        }
        header.Control = control;
        header.ControlLength = (nuint)_txControlBytes;
    }

    private void GrowSendBuffers(int capacity)
    {
        capacity = Math.Max(capacity, _txCapacity * 2);
        if (_txHeaders is not null)
        {
            NativeMemory.Free(_txHeaders);
            NativeMemory.Free(_txNames);
            NativeMemory.Free(_txControl);
        }
        _txHeaders = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        _txNames = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * NameBytes));
        _txControl = (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(1, capacity * _txControlBytes));
        for (int i = 0; i < capacity && _txControlBytes > 0; i++)
        {
            var header = (CmsgHdr*)(_txControl + i * _txControlBytes);
            header->Length = (nuint)(CmsgHeaderSize + (_ipv6 ? sizeof(In6PktInfo) : sizeof(InPktInfo)));
            header->Level = _ipv6 ? IpProtoIpv6 : IpProtoIp;
            header->Type = _ipv6 ? Ipv6PktInfo : IpPktInfo;
        }
        _txCapacity = capacity;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _socket.Dispose();
        NativeMemory.Free(_rxHeaders);
        NativeMemory.Free(_rxIov);
        NativeMemory.Free(_rxNames);
        NativeMemory.Free(_rxData);
        NativeMemory.Free(_rxControl);
        NativeMemory.Free(_txIov);
        NativeMemory.Free(_txPayload);
        NativeMemory.Free(_txHeaders);
        NativeMemory.Free(_txNames);
        NativeMemory.Free(_txControl);
    }
}
