using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Udp;
using TixTrigger.Time;

namespace TixTrigger.Tests.Origin;

/// <summary>
/// Keeps the kernel's receive stamping on for a test class. The first socket on the host to ask for
/// stamps turns them on through deferred kernel work, and a datagram that arrives before that runs is
/// stamped when it is read; so a class that binds a fresh socket and sends at once would test the
/// kernel's start-up, not our reading. Holding one stamped socket, checked to stamp on arrival, fixes that.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class KernelStampsOn : IDisposable
{
    private const int Tries = 100;
    private static readonly TimeSpan Queued = TimeSpan.FromMilliseconds(50);

    private readonly LinuxDatagramSocket _held = new(new IPEndPoint(IPAddress.Loopback, 0));

    public KernelStampsOn()
    {
        using var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var into = new ReceivedDatagram[1];
        for (int i = 0; i < Tries; i++)
        {
            phone.SendTo(new byte[1], _held.LocalEndpoint);
            Thread.Sleep(Queued);
            if (_held.Receive(into, TimeSpan.FromSeconds(2)) == 1 && Monotonic.NowMs() - into[0].ArrivedMs >= Queued.TotalMilliseconds * 0.6)
                return;
        }
        throw new InvalidOperationException($"the kernel stamped none of {Tries} datagrams on arrival");
    }

    public void Dispose() => _held.Dispose();
}
