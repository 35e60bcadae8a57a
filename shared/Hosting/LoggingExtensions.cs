using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace TixTrigger.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// One line per event at <paramref name="level"/>; the Orleans runtime's own chatter only at
    /// warnings unless debugging, so INFO shows the service, not the framework.
    /// </summary>
    public static ILoggingBuilder UseTixTriggerLogging(this ILoggingBuilder logging, LogLevel level)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.SetMinimumLevel(level);
        var frameworkLevel = level <= LogLevel.Debug ? level : (LogLevel)Math.Max((int)level, (int)LogLevel.Warning);
        logging.AddFilter("Orleans", frameworkLevel);
        logging.AddFilter("Microsoft", frameworkLevel);
        logging.AddFilter("Polly", frameworkLevel);
        // Its start-up warning ("participant check thread has not completed for <uptime>") is a
        // false alarm on every start here; real stalls show up as late pings in the metrics.
        logging.AddFilter("Orleans.Runtime.Watchdog", level <= LogLevel.Debug ? level : LogLevel.Error);
        return logging;
    }
}
