using System.Net;
using System.Net.Sockets;
using TixTrigger.Endpoints;
using TixTrigger.Protocol;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// A socket on .NET's own calls, one datagram at a time, for systems without the Linux batch API.
/// A ping leaves from the bound address: right for a specific <c>HOST</c>; on a wildcard the
/// kernel picks the source, so <see cref="PreservesOrigin"/> is false there.
/// </summary>
internal sealed class PortableDatagramSocket : IDatagramSocket
{
    private readonly Socket _socket;
    private readonly SocketAddress _receivedFrom;
    private readonly SocketAddress _sendTo;
    private readonly PackedAddress _local;

    public PortableDatagramSocket(IPEndPoint bindTo)
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
        _sendTo = new SocketAddress(bindTo.AddressFamily);
        _local = PackedAddress.From(bindTo.Address);
        PreservesOrigin = !ListenAddress.IsWildcard(bindTo.Address);
    }

    public IPEndPoint LocalEndpoint { get; }

    public bool PreservesOrigin { get; }

    public long ReceiveOverflows => 0;

    public int GrantedReceiveBytes => SocketTuning.GrantedReceiveBytes(_socket);

    public int Receive(Span<ReceivedDatagram> into, TimeSpan timeout)
    {
        if (into.IsEmpty || !_socket.Poll(timeout, SelectMode.SelectRead)) return 0;
        Span<byte> buffer = stackalloc byte[Settings.UdpGatewayOptions.MaxHeartbeatBytes + 1];
        int count = 0;
        do
        {
            into[count++] = ReceiveOne(buffer);
        }
        while (count < into.Length && _socket.Available > 0);
        return count;
    }

    private ReceivedDatagram ReceiveOne(Span<byte> buffer)
    {
        int length;
        long arrivedMs;
        try
        {
            length = _socket.ReceiveFrom(buffer, SocketFlags.None, _receivedFrom);
            arrivedMs = Monotonic.NowMs(); // no kernel stamp on this path: the read is the best we know
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
        {
            // Longer than any heartbeat, or an ICMP echo of a ping we sent.
            return new ReceivedDatagram(default, _local, error.SocketErrorCode == SocketError.MessageSize ? int.MaxValue : -1, Monotonic.NowMs());
        }
        // Only a specific bind knows the destination's family here (an IPv6 wildcard cannot tell a forged mapped source).
        return SocketAddresses.TryRead(_receivedFrom, out var remote) && (_local.IsNone || MappedSources.Agree(remote, _local))
            ? new ReceivedDatagram(remote, _local, length, arrivedMs, Ping.Is(buffer[..Math.Min(length, buffer.Length)]))
            : new ReceivedDatagram(default, _local, -1, arrivedMs);
    }

    public int Send(ReadOnlySpan<PingTarget> targets, ReadOnlySpan<byte> payload)
    {
        int sent = 0;
        foreach (var target in targets)
        {
            SocketAddresses.Write(target.Client, _sendTo);
            try
            {
                if (_socket.SendTo(payload, SocketFlags.None, _sendTo) == payload.Length) sent++;
            }
            catch (SocketException)
            {
                // Counted as a failed ping by the caller.
            }
        }
        return sent;
    }

    public void Dispose() => _socket.Dispose();
}
