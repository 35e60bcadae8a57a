using System.Net;
using System.Net.Sockets;
using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// A socket bound to one specific address: every datagram arrives at, and every ping leaves
/// from, that address, so the plain <see cref="SocketAddress"/> overloads keep the origin right.
/// </summary>
internal sealed class BoundDatagramSocket : IDatagramSocket
{
    private readonly Socket _socket;
    private readonly SocketAddress _receivedFrom;
    private readonly PackedAddress _local;

    public BoundDatagramSocket(IPEndPoint bindTo)
    {
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            SocketTuning.Apply(_socket);
            _socket.Bind(bindTo);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _receivedFrom = new SocketAddress(bindTo.AddressFamily);
        _local = PackedAddress.From(bindTo.Address);
        PreservesOrigin = !bindTo.Address.Equals(IPAddress.Any) && !bindTo.Address.Equals(IPAddress.IPv6Any);
    }

    public AddressFamily Family => _socket.AddressFamily;

    public IPEndPoint LocalEndpoint { get; }

    public bool PreservesOrigin { get; }

    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram)
    {
        datagram = default;
        if (!_socket.Poll(timeout, SelectMode.SelectRead)) return false;
        int length;
        try
        {
            length = _socket.ReceiveFrom(buffer, SocketFlags.None, _receivedFrom);
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
        {
            // Too long for the buffer (longer than any heartbeat), or an ICMP echo of a ping we sent.
            datagram = new ReceivedDatagram(default, _local, error.SocketErrorCode == SocketError.MessageSize ? int.MaxValue : -1);
            return true;
        }
        if (!ClientEndpoint.TryRead(_receivedFrom, out var remote))
        {
            datagram = new ReceivedDatagram(default, _local, -1);
            return true;
        }
        datagram = new ReceivedDatagram(remote, _local, length);
        return true;
    }

    public bool TrySend(ReadOnlySpan<byte> payload, SocketAddress remote, PackedAddress local)
    {
        try
        {
            return _socket.SendTo(payload, SocketFlags.None, remote) == payload.Length;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
