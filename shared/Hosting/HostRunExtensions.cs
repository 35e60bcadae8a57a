using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TixTrigger.Settings;

namespace TixTrigger.Hosting;

public static partial class HostRunExtensions
{
    /// <summary>
    /// Runs the host until it stops, with one line when it begins to stop and one when it has. A port
    /// taken after <see cref="ListenPorts"/> found it free ends it with one line too, not a stack trace.
    /// </summary>
    public static async Task<int> RunOrExplainAsync(this IHost host, string node, string portSettings)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TixTrigger");
        var quieting = host.Services.GetService<StopQuieting>();
        lifetime.ApplicationStopping.Register(() =>
        {
            quieting?.Begin();
            LogStopping(logger, node,
                quieting is null ? "" : " (Orleans' warnings muted from here: calls to nodes that leave now are expected to fail)");
        });
        lifetime.ApplicationStopped.Register(() => LogStopped(logger, node));
        try
        {
            await host.RunAsync();
            // A service that stopped the host for a reason (a gateway refused its GATEWAY_ID) set it.
            return Environment.ExitCode;
        }
        catch (Exception error) when (FindSocketError(error) is { } socketError)
        {
            Console.Error.WriteLine($"tixtrigger: cannot start: {socketError.Message} (check {portSettings})");
            return StartupSettings.CannotStartExitCode;
        }
    }

    private static SocketException? FindSocketError(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is SocketException socketError) return socketError;
            if (error is AggregateException aggregate) return aggregate.InnerExceptions.Select(FindSocketError).FirstOrDefault(e => e is not null);
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TixTrigger {Node} stopping{Muted}")]
    private static partial void LogStopping(ILogger logger, string node, string muted);

    [LoggerMessage(Level = LogLevel.Information, Message = "TixTrigger {Node} stopped")]
    private static partial void LogStopped(ILogger logger, string node);
}
