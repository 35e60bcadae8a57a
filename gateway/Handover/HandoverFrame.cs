using System.Net.Sockets;

namespace TixTrigger.Gateway.Handover;

/// <summary>The hand-over's messages, in the order they pass (new = the successor, old = the running gateway).</summary>
internal enum FrameType : byte
{
    /// <summary>new → old: its settings (<see cref="HandoverSettings.Encode"/>).</summary>
    Hello = 1,

    /// <summary>old → new: the settings differ (a one-line reason); the old one goes on.</summary>
    Refused = 2,

    /// <summary>old → new: the UDP socket and the METRICS_PORT listener, as SCM_RIGHTS; the payload is the old process's id.</summary>
    Sockets = 3,

    /// <summary>new → old: its host is up and its gateway starting: stop receiving and send the clients.</summary>
    WantClients = 4,

    /// <summary>old → new: the clients, in the gateway's snapshot format.</summary>
    Clients = 5,

    /// <summary>new → old: it has the clients and is ready to ping.</summary>
    Ready = 6,

    /// <summary>old → new: it pings no slot due from the Stopwatch timestamp in the payload on: the new one pings from there.</summary>
    FirstSlot = 7,

    /// <summary>old → new: it has stopped pinging and exits.</summary>
    Done = 8,
}

/// <summary>One message as received, with the sockets that came with it: closed on dispose unless taken.</summary>
internal sealed class HandoverFrame(FrameType type, byte[] payload, SafeSocketHandle[] sockets) : IDisposable
{
    private readonly SafeSocketHandle?[] _sockets = sockets;

    public FrameType Type => type;

    public byte[] Payload => payload;

    public int SocketCount => _sockets.Length;

    /// <summary>The caller owns the socket from here.</summary>
    public SafeSocketHandle Take(int index) =>
        Interlocked.Exchange(ref _sockets[index], null) ?? throw new InvalidOperationException($"socket {index} was taken already");

    public void Dispose()
    {
        foreach (var socket in _sockets) socket?.Dispose();
    }
}
