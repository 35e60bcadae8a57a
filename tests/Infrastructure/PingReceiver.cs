using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// One dedicated thread that reads every test client's socket and records each datagram with the
/// time the kernel stamped on its arrival (<see cref="ArrivalTimes"/>). Not the thread pool: an
/// Orleans or Redis client in the test process can starve it for hundreds of milliseconds (while
/// Redis is down, for one); and not the time of the read: a garbage collection in the test process,
/// or another process on the core, delays this thread too, which would look like late pings.
/// </summary>
internal static class PingReceiver
{
    private static readonly Dictionary<Socket, PingClient> Clients = [];
    private static readonly Thread Thread = StartThread();

    public static void Register(Socket socket, PingClient client)
    {
        lock (Clients) Clients[socket] = client;
    }

    public static void Unregister(Socket socket)
    {
        lock (Clients) Clients.Remove(socket);
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "test-ping-receiver" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        var buffer = new byte[2048];
        var readable = new List<Socket>();
        while (true)
        {
            readable.Clear();
            lock (Clients) readable.AddRange(Clients.Keys);
            if (readable.Count == 0)
            {
                Thread.Sleep(5);
                continue;
            }
            try
            {
                Socket.Select(readable, null, null, 50_000);
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                continue;
            }
            foreach (var socket in readable)
            {
                PingClient? client;
                lock (Clients) Clients.TryGetValue(socket, out client);
                if (client is null) continue;
                try
                {
                    while (socket.Available > 0)
                    {
                        EndPoint from = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                        int length = socket.ReceiveFrom(buffer, ref from);
                        client.Record(new PingClient.Received(ArrivalTimes.OfLastRead(socket), (IPEndPoint)from, buffer[..length]));
                    }
                }
                catch (Exception error) when (error is SocketException or ObjectDisposedException)
                {
                    // Closed meanwhile, or an ICMP error from an earlier send: nothing to record.
                }
            }
        }
    }
}
