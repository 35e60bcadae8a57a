using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// The running gateway's side: listens on the rendezvous socket for a new process with its settings. A
/// hello with other settings is refused with the difference and the gateway goes on. A matching one gets a
/// <see cref="Successor"/>: the listener closes (so that the successor can listen in turn) and
/// <c>handOff</c> runs; when that fails before the successor pings, the gateway resumed, and the listener
/// opens again. One successor at a time.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class HandoverListener(HandoverSettings settings, Socket metricsListener, Func<Successor, CancellationToken, Task> handOff, ILogger logger)
{
    private static readonly TimeSpan RetryBind = TimeSpan.FromMilliseconds(200);

    /// <summary>The previous process lets go of the name within a second; held longer, someone else holds it.</summary>
    private static readonly TimeSpan NameHeldTooLong = TimeSpan.FromSeconds(5);

    /// <summary>Runs until it has handed off (returns true) or <paramref name="stopping"/> (false).</summary>
    public async Task<bool> RunAsync(CancellationToken stopping)
    {
        long nameBusySince = 0;
        bool warned = false;
        while (!stopping.IsCancellationRequested)
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                listener.Bind(new UnixDomainSocketEndPoint(settings.SocketName));
                listener.Listen(1);
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // The process this one took over from still holds the name for a moment; longer, another does.
                if (nameBusySince == 0) nameBusySince = Environment.TickCount64;
                if (!warned && Environment.TickCount64 - nameBusySince > NameHeldTooLong.TotalMilliseconds)
                {
                    LogNameHeld(settings.Port, NameHeldTooLong.TotalSeconds);
                    warned = true;
                }
                if (!await Delay(RetryBind, stopping)) return false;
                continue;
            }
            catch (SocketException error)
            {
                LogCannotListen(error.Message);
                if (!await Delay(RetryBind * 10, stopping)) return false;
                continue;
            }
            nameBusySince = 0;
            LogListening(settings.GatewayId, settings.Port);
            if (await AcceptAndHandOffAsync(listener, stopping)) return true;
        }
        return false;
    }

    /// <summary>Accepts until a matching successor comes; true once handed off, false to listen afresh after a failed one.</summary>
    private async Task<bool> AcceptAndHandOffAsync(Socket listener, CancellationToken stopping)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            catch (SocketException error)
            {
                // Out of descriptors, say: listen afresh rather than stop a gateway that pings on.
                LogCannotListen(error.Message);
                await Delay(RetryBind * 10, stopping);
                return false;
            }
            var channel = new HandoverChannel(connection);
            HandoverSettings? successor;
            int processId = 0;
            try
            {
                successor = await Task.Run(() => Greet(channel, out processId, stopping), stopping);
            }
            catch (Exception error)
            {
                // Nothing was handed over yet: whatever a hello did wrong, the gateway goes on.
                if (!stopping.IsCancellationRequested) LogBadHello(error.Message);
                channel.Dispose();
                if (stopping.IsCancellationRequested) return false;
                continue;
            }
            if (successor is null)
            {
                channel.Dispose();
                continue;
            }
            // Only now the name is free for the successor, and nobody else gets in meanwhile.
            listener.Dispose();
            LogHandingOver(settings.GatewayId, settings.Port, processId);
            using var handle = new Successor(channel, metricsListener.SafeHandle, successor);
            try
            {
                await handOff(handle, stopping);
                return true;
            }
            catch (Exception error) when (error is HandoverException or OperationCanceledException)
            {
                LogHandOffFailed(error.Message);
                return false;
            }
        }
    }

    /// <summary>Reads the hello; refuses other settings with the difference (null), or returns the successor's.</summary>
    private HandoverSettings? Greet(HandoverChannel channel, out int peer, CancellationToken stopping)
    {
        if (!channel.PeerIsTrusted(out peer, out uint user))
        {
            LogUntrusted(peer, user);
            channel.Send(FrameType.Refused, Encoding.UTF8.GetBytes($"the running gateway runs as another user than {user}"), HandoverTimeouts.Message, stopping);
            return null;
        }
        using var hello = channel.Receive(HandoverTimeouts.Hello, stopping, "a hello");
        if (hello.Type != FrameType.Hello) throw new HandoverException($"a process sent {hello.Type} where a hello belongs");
        var theirs = HandoverSettings.Decode(hello.Payload);
        if (theirs.Difference(settings) is { } difference)
        {
            LogRefusing(difference);
            channel.Send(FrameType.Refused, Encoding.UTF8.GetBytes($"the running gateway has other settings: {difference}"), HandoverTimeouts.Message, stopping);
            return null;
        }
        return theirs;
    }

    private static async Task<bool> Delay(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} takes hand-overs: a new process with the same GATEWAY_ID, HOST, PORT={Port} and METRICS_PORT takes its sockets and clients")]
    private partial void LogListening(string gatewayId, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Another process has held the hand-over socket for PORT={Port} for over {Seconds} s: no upgrade can take this gateway over until it lets go (retrying)")]
    private partial void LogNameHeld(int port, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot listen for hand-overs: {Reason} (retrying)")]
    private partial void LogCannotListen(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a hand-over to a process with other settings: {Difference}")]
    private partial void LogRefusing(string difference);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a hand-over to process {ProcessId} of user {UserId}: only this process's user may take the gateway over")]
    private partial void LogUntrusted(int processId, uint userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A hand-over hello failed: {Reason}")]
    private partial void LogBadHello(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handing gateway {GatewayId} (PORT={Port}) over to process {ProcessId}")]
    private partial void LogHandingOver(string gatewayId, int port, int processId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hand-over failed before the new process pinged; this one goes on: {Reason}")]
    private partial void LogHandOffFailed(string reason);
}
