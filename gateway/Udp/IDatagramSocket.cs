using System.Net;
using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Udp;

/// <summary>A datagram as received: who sent it, to which of our addresses, and how long it really was (-1: unreadable).</summary>
/// <remarks>
/// <paramref name="ArrivedMs"/>: when it reached the host, on <see cref="TixTrigger.Time.Monotonic"/> (the kernel's stamp where
/// there is one): a busy gateway reads datagrams long after, and late by varying amounts. <paramref name="IsPing"/>: it holds
/// exactly our ping's bytes, as another trigger service's pings do.
/// </remarks>
internal readonly record struct ReceivedDatagram(ClientEndpoint Remote, PackedAddress Local, int Length, long ArrivedMs, bool IsPing = false);

/// <summary>One ping to send: to whom, and from which of our addresses.</summary>
internal readonly record struct PingTarget(ClientEndpoint Client, PackedAddress Local);

/// <summary>
/// The gateway's UDP socket: one receiving thread and one sending thread use it at once, each in
/// batches. Neither direction allocates per datagram.
/// </summary>
internal interface IDatagramSocket : IDisposable
{
    IPEndPoint LocalEndpoint { get; }

    /// <summary>True when a send can choose its source address per client (a wildcard bind), or need not (a specific one).</summary>
    bool PreservesOrigin { get; }

    /// <summary>The receive buffer the kernel granted: less than asked for when <c>net.core.rmem_max</c> clamps it.</summary>
    int GrantedReceiveBytes { get; }

    /// <summary>Datagrams the kernel dropped because the receive buffer was full, where the OS tells (else 0).</summary>
    long ReceiveOverflows { get; }

    /// <summary>Waits up to <paramref name="timeout"/> for datagrams; fills <paramref name="into"/> with those waiting; returns how many.</summary>
    int Receive(Span<ReceivedDatagram> into, TimeSpan timeout);

    /// <summary>Sends <paramref name="payload"/> to each target, from its local address; returns how many the kernel took.</summary>
    int Send(ReadOnlySpan<PingTarget> targets, ReadOnlySpan<byte> payload);
}
