using System.Net;
using System.Net.Sockets;
using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Udp;

/// <summary>What a receive yields: who sent it, to which of our addresses, and how long it really was.</summary>
internal readonly record struct ReceivedDatagram(ClientEndpoint Remote, PackedAddress Local, int Length);

/// <summary>
/// The gateway's UDP socket: one receiving thread and one sending thread use it at once.
/// Neither direction allocates per packet.
/// </summary>
internal interface IDatagramSocket : IDisposable
{
    AddressFamily Family { get; }

    IPEndPoint LocalEndpoint { get; }

    /// <summary>True when a send can choose its source address per client (a wildcard bind).</summary>
    bool PreservesOrigin { get; }

    /// <summary>Waits up to <paramref name="timeout"/> for a datagram; false if none came.</summary>
    bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram);

    /// <summary>Sends <paramref name="payload"/> to <paramref name="remote"/> from local address <paramref name="local"/>.</summary>
    bool TrySend(ReadOnlySpan<byte> payload, SocketAddress remote, PackedAddress local);
}
