using System.Net;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>One socket for two gateways in one process: each direction serialised, closed by neither.</summary>
internal sealed class SharedDatagramSocket(IDatagramSocket inner) : IDatagramSocket
{
    private readonly Lock _receiving = new();
    private readonly Lock _sending = new();

    public IPEndPoint LocalEndpoint => inner.LocalEndpoint;

    public bool PreservesOrigin => inner.PreservesOrigin;

    public int GrantedReceiveBytes => inner.GrantedReceiveBytes;

    public long ReceiveOverflows => inner.ReceiveOverflows;

    public int Receive(Span<ReceivedDatagram> into, TimeSpan timeout)
    {
        lock (_receiving) return inner.Receive(into, timeout);
    }

    public int Send(ReadOnlySpan<PingTarget> targets, ReadOnlySpan<byte> payload)
    {
        lock (_sending) return inner.Send(targets, payload);
    }

    public void Dispose()
    {
    }
}
