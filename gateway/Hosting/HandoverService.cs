using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Handover;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// A gateway's hand-overs, once it runs. As a successor: tells the old process from which slot it pings, and
/// hears it stop. Then, for as long as it runs, waits for a successor of its own: stops receiving (datagrams
/// wait in the shared socket), sends its sockets and clients, pings until the successor's first slot, and
/// ends the process with exit code 0; the cluster hears nothing of it (the clients and the GATEWAY_ID are
/// the successor's). A successor that fails before it pings costs nothing: this gateway resumes.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class HandoverService(GatewayHandover handover, UdpGatewayService service, IHostApplicationLifetime lifetime, ILogger<HandoverService> logger) : BackgroundService
{
    private volatile bool _handedOff;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The host reports the exit code; a refusal from the shards after the hand-over is expected, not a failure.
        lifetime.ApplicationStopped.Register(() =>
        {
            if (_handedOff) Environment.ExitCode = 0;
        });
        var gateway = service.Gateway ?? throw new InvalidOperationException("The gateway has not started.");
        if (handover.Predecessor is { } predecessor)
        {
            await FollowAsync(predecessor, gateway, stoppingToken);
        }
        var listener = new HandoverListener(handover.Settings, handover.MetricsListener!, HandOffAsync, logger);
        await listener.RunAsync(stoppingToken);
    }

    private async Task FollowAsync(Predecessor predecessor, UdpGateway gateway, CancellationToken stopping)
    {
        using (predecessor)
        {
            LogTookOver(handover.Settings.GatewayId, gateway.ClientCount, predecessor.ProcessId);
            try
            {
                await predecessor.WaitUntilDoneAsync(stopping);
                LogPredecessorDone(predecessor.ProcessId);
            }
            catch (HandoverException error)
            {
                // It stops on its own once it cannot reach this one; at worst both ping for a moment.
                LogPredecessorLost(predecessor.ProcessId, error.Message);
            }
        }
    }

    private async Task HandOffAsync(Successor successor, CancellationToken stopping)
    {
        var gateway = service.Gateway!;
        // A SIGTERM while a successor takes over ("start new, stop old"): finish the hand-over if it can within the grace,
        // rather than stop with nobody pinging (the successor, told no cut-over, would exit).
        using var giveUp = new CancellationTokenSource();
        using var onStop = stopping.Register(() => giveUp.CancelAfter(UdpGateway.HandOffWait));
        stopping = giveUp.Token;
        // This gateway goes on receiving and pinging while the successor builds its host on the sockets.
        await successor.SendSocketsAsync(gateway.Socket, stopping);
        await successor.WaitUntilItWantsClientsAsync(stopping);
        // It stops receiving here; it resumes by itself when a step fails before the successor pings.
        await gateway.HandOffAsync(successor.SendClientsAsync, successor.AgreeFirstSlotAsync, stopping);
        _handedOff = true;
        try
        {
            await successor.SayDoneAsync(stopping);
        }
        catch (HandoverException error)
        {
            LogDoneUnheard(error.Message);
        }
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took gateway {GatewayId} over from process {ProcessId}: its socket and {Clients} clients")]
    private partial void LogTookOver(string gatewayId, int clients, int processId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Process {ProcessId} stopped pinging: the hand-over is complete")]
    private partial void LogPredecessorDone(int processId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the process {ProcessId} this one took over from before it said it stopped: {Reason}")]
    private partial void LogPredecessorLost(int processId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The successor did not hear that this process stopped pinging (should it have died, a restart resumes the clients from STATE_DIR): {Reason}")]
    private partial void LogDoneUnheard(string reason);
}

public static class HandoverHostingExtensions
{
    /// <summary>Hand-overs on Linux, after the gateway has started (hosted services start in the order they are added).</summary>
    internal static IServiceCollection AddGatewayHandover(this IServiceCollection services, GatewayHandover handover)
    {
        services.AddSingleton(handover);
        // Null when this process starts afresh: the gateway binds its own socket. Resolved as the gateway starts.
        services.AddSingleton(_ => handover.TakeClients()!);
        if (OperatingSystem.IsLinux() && handover.Settings.Supported) services.AddHostedService<HandoverService>();
        return services;
    }
}
