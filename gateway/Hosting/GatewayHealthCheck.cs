using System.Net;
using System.Net.Sockets;
using TixTrigger.Gateway.Udp;
using TixTrigger.Protocol;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// <c>TixTrigger.Gateway --healthcheck</c>: heartbeats the running gateway and waits for its ping,
/// the whole service path in one check. The check's own registration expires like any client's.
/// </summary>
public static class GatewayHealthCheck
{
    public static bool IsRequested(string[] args) => args.Contains("--healthcheck");

    public static async Task<int> RunAsync(UdpGatewayOptions gateway)
    {
        var target = ListenAddress.Reachable(gateway.Host);
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(target, 0));
        var service = new IPEndPoint(target, gateway.Port);
        await socket.SendToAsync(new byte[2], service);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var buffer = new byte[64];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, service, timeout.Token);
                if (Ping.Is(buffer.AsSpan(0, received.ReceivedBytes))) return 0;
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"tixtrigger: unhealthy: no ping from {service} within 2 s");
            return 1;
        }
    }
}
