using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using TixTrigger.Endpoints;
using static TixTrigger.Gateway.Udp.LinuxSocketInterop;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// A wildcard-bound socket (HOST=0.0.0.0 or ::) on Linux that answers every client from the
/// local address the client sent to, even on a host with several addresses: each receive reads
/// the datagram's destination from <c>IP_PKTINFO</c>, and each ping names it as its source in
/// the same control message. One socket serves every address, including ones added later and
/// every address of 127.0.0.0/8. Buffers are native and allocated once per direction.
/// </summary>
internal sealed unsafe class PacketInfoDatagramSocket : IDatagramSocket
{
    private const int SockaddrBytes = 128;
    private const int ControlBytes = 256;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly bool _ipv6;

    // Receive side: used only by the receiving thread.
    private readonly byte* _receiveName;
    private readonly byte* _receiveControl;

    // Send side: used only by the sending thread; the control message is built once and only
    // its address bytes change per ping.
    private readonly byte* _sendControl;
    private readonly int _sendControlLength;
    private int _disposed;

    public PacketInfoDatagramSocket(IPEndPoint bindTo)
    {
        _ipv6 = bindTo.AddressFamily == AddressFamily.InterNetworkV6;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            SocketTuning.Apply(_socket);
            if (_ipv6)
            {
                _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            }
            else
            {
                _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            }
            _socket.Bind(bindTo);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _fd = (int)_socket.Handle;

        _receiveName = (byte*)NativeMemory.AllocZeroed(SockaddrBytes);
        _receiveControl = (byte*)NativeMemory.AllocZeroed(ControlBytes);
        _sendControl = (byte*)NativeMemory.AllocZeroed(ControlBytes);

        var header = (CmsgHdr*)_sendControl;
        int dataLength = _ipv6 ? sizeof(In6PktInfo) : sizeof(InPktInfo);
        header->Length = (nuint)(CmsgHeaderSize + dataLength);
        header->Level = _ipv6 ? IpProtoIpv6 : IpProtoIp;
        header->Type = _ipv6 ? Ipv6PktInfo : IpPktInfo;
        _sendControlLength = Space(dataLength);
    }

    public AddressFamily Family => _socket.AddressFamily;

    public IPEndPoint LocalEndpoint { get; }

    public bool PreservesOrigin => true;

    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram)
    {
        datagram = default;
        if (!_socket.Poll(timeout, SelectMode.SelectRead)) return false;

        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var message = new MsgHdr
            {
                Name = _receiveName,
                NameLength = SockaddrBytes,
                Iov = &iov,
                IovLength = 1,
                Control = _receiveControl,
                ControlLength = ControlBytes,
            };
            // MSG_TRUNC makes a too-long datagram report its real length, so it is counted as oversize.
            nint received = RecvMsg(_fd, &message, MsgDontWait | MsgTrunc);
            if (received < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EAgain or EIntr) return false;
                datagram = new ReceivedDatagram(default, default, -1);
                return true;
            }
            var name = new ReadOnlySpan<byte>(_receiveName, (int)Math.Min(message.NameLength, SockaddrBytes));
            if (!ClientEndpoint.TryReadSockaddr(name, out var remote) || !TryReadDestination(ref message, out var local))
            {
                datagram = new ReceivedDatagram(default, default, -1);
                return true;
            }
            datagram = new ReceivedDatagram(remote, local, (int)received);
            return true;
        }
    }

    private static bool TryReadDestination(ref MsgHdr message, out PackedAddress local)
    {
        local = default;
        var control = (byte*)message.Control;
        int length = (int)message.ControlLength;
        int offset = 0;
        while (offset + CmsgHeaderSize <= length)
        {
            var header = (CmsgHdr*)(control + offset);
            if (header->Length < (nuint)CmsgHeaderSize) break;
            byte* data = control + offset + CmsgHeaderSize;
            if (header->Level == IpProtoIp && header->Type == IpPktInfo)
            {
                // The local address the datagram was delivered to (for a broadcast, our own address, not the broadcast one).
                var info = (InPktInfo*)data;
                local = PackedAddress.FromIPv4(new ReadOnlySpan<byte>(&info->SpecificDestination, 4));
                return true;
            }
            if (header->Level == IpProtoIpv6 && header->Type == Ipv6PktInfo)
            {
                var info = (In6PktInfo*)data;
                local = PackedAddress.FromIPv6(new ReadOnlySpan<byte>(info->Address, 16));
                return true;
            }
            offset += Align((int)header->Length);
        }
        return false;
    }

    public bool TrySend(ReadOnlySpan<byte> payload, SocketAddress remote, PackedAddress local)
    {
        byte* data = _sendControl + CmsgHeaderSize;
        if (_ipv6)
        {
            var info = (In6PktInfo*)data;
            local.WriteIPv6(new Span<byte>(info->Address, 16));
            info->InterfaceIndex = 0;
        }
        else
        {
            var info = (InPktInfo*)data;
            info->InterfaceIndex = 0;
            local.WriteIPv4(new Span<byte>(&info->SpecificDestination, 4));
            info->Address = 0;
        }

        var name = remote.Buffer.Span;
        fixed (byte* payloadBytes = payload)
        fixed (byte* nameBytes = name)
        {
            var iov = new IoVec { Base = payloadBytes, Length = (nuint)payload.Length };
            var message = new MsgHdr
            {
                Name = nameBytes,
                NameLength = (uint)remote.Size,
                Iov = &iov,
                IovLength = 1,
                // With no known local address (never heard from), let the kernel choose.
                Control = local.IsNone ? null : _sendControl,
                ControlLength = local.IsNone ? 0 : (nuint)_sendControlLength,
            };
            return SendMsg(_fd, &message, MsgDontWait) == payload.Length;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _socket.Dispose();
        NativeMemory.Free(_receiveName);
        NativeMemory.Free(_receiveControl);
        NativeMemory.Free(_sendControl);
    }
}
