using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Handover;

/// <summary>The new process's side: before it binds anything, asks a running gateway with its settings for its sockets and clients.</summary>
[SupportedOSPlatform("linux")]
public static class HandoverClient
{
    /// <summary>
    /// Null when no gateway with these settings runs here (nobody, or another user's process, listens on the
    /// rendezvous socket): start as usual. Otherwise the running one's sockets (it goes on with them until this one asks for its clients). Throws <see cref="HandoverException"/> with one
    /// line when it runs but refuses (other settings), hangs, or hands over something unusable.
    /// </summary>
    public static Predecessor? TryTakeOver(HandoverSettings settings, CancellationToken cancel = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        HandoverChannel? channel = null;
        try
        {
            if (!TryConnect(socket, settings, cancel)) return null;
            channel = new HandoverChannel(socket);
            // Another user's process holds the name: no gateway of ours can be running with it (a running
            // one would hold it), so start afresh; its PORT is free, or the bind names it.
            if (!channel.PeerIsTrusted(out _, out _)) return null;
            channel.Send(FrameType.Hello, settings.Encode(), HandoverTimeouts.Hello, cancel);
            var predecessor = Receive(channel, settings, cancel);
            channel = null;
            return predecessor;
        }
        catch (HandoverException error)
        {
            throw new HandoverException($"cannot take over the running gateway with {settings}: {error.Message}", error);
        }
        finally
        {
            if (channel is not null) channel.Dispose();
        }
    }

    private static bool TryConnect(Socket socket, HandoverSettings settings, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(HandoverTimeouts.Connect);
        try
        {
            socket.ConnectAsync(new UnixDomainSocketEndPoint(settings.SocketName), timeout.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            socket.Dispose();
            return false;
        }
        catch (SocketException error)
        {
            // A full backlog (the running gateway is greeting another process), say: one line, not a crash.
            socket.Dispose();
            throw new HandoverException($"cannot reach the process on the hand-over socket: {error.Message}");
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            socket.Dispose();
            throw new HandoverException($"a process listens on the hand-over socket but accepted nothing in {HandoverTimeouts.Connect.TotalSeconds:F0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Predecessor Receive(HandoverChannel channel, HandoverSettings settings, CancellationToken cancel)
    {
        using (var answer = channel.Receive(HandoverTimeouts.Sockets, cancel, "the running gateway's sockets"))
        {
            if (answer.Type == FrameType.Refused) throw new HandoverException($"it refused: {System.Text.Encoding.UTF8.GetString(answer.Payload)}");
            if (answer.Type != FrameType.Sockets || answer.SocketCount != 2 || answer.Payload.Length != 4)
            {
                throw new HandoverException($"it sent {answer.Type} with {answer.SocketCount} sockets where it should send its UDP socket and METRICS_PORT listener");
            }
            int processId = BinaryPrimitives.ReadInt32LittleEndian(answer.Payload);
            var udp = Adopt(answer.Take(0), new IPEndPoint(settings.Host, settings.Port), "PORT");
            Socket? metrics = null;
            try
            {
                metrics = MetricsPortListener.Adopt(answer.Take(1), settings.MetricsPort);
                return new Predecessor(channel, udp, metrics, processId);
            }
            catch (Exception error)
            {
                udp.Dispose();
                metrics?.Dispose();
                if (error is InvalidDataException) throw new HandoverException($"{error.Message} (check METRICS_PORT={settings.MetricsPort})", error);
                throw;
            }
        }
    }

    private static IDatagramSocket Adopt(SafeSocketHandle handle, IPEndPoint boundAt, string setting)
    {
        try
        {
            return DatagramSocketFactory.Adopt(handle, boundAt);
        }
        catch (InvalidDataException error)
        {
            throw new HandoverException($"{error.Message} (check HOST={boundAt.Address}, {setting}={boundAt.Port})", error);
        }
    }
}
