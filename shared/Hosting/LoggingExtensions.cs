using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using TixTrigger.Settings;
using System.Text.Json;

namespace TixTrigger.Hosting;

public static class LoggingExtensions
{
    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    /// <summary>The node's logging as <c>LOG_LEVEL</c> and <c>LOG_FORMAT</c> say.</summary>
    public static ILoggingBuilder UseTixTriggerLogging(this ILoggingBuilder logging, NodeOptions node) =>
        logging.UseTixTriggerLogging(node.LogLevel, node.LogFormat);

    /// <summary>
    /// One line per event at <paramref name="level"/>: readable text, or one JSON object per line for
    /// a log collector. The Orleans runtime's own chatter only at warnings unless debugging, so INFO
    /// shows the service, not the framework.
    /// </summary>
    public static ILoggingBuilder UseTixTriggerLogging(this ILoggingBuilder logging, LogLevel level, LogFormat format = LogFormat.Text)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(console =>
            {
                console.TimestampFormat = TimestampFormat.TrimEnd();
                console.UseUtcTimestamp = true;
                console.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = TimestampFormat;
                console.UseUtcTimestamp = true;
                console.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        var quieting = new StopQuieting();
        logging.Services.AddSingleton(quieting);
        logging.SetMinimumLevel(level);
        var frameworkLevel = level <= LogLevel.Debug ? level : (LogLevel)Math.Max((int)level, (int)LogLevel.Warning);
        logging.AddFilter("Orleans", l => l >= frameworkLevel && quieting.Keeps(l));
        logging.AddFilter("Microsoft", frameworkLevel);
        logging.AddFilter("Polly", l => l >= frameworkLevel && quieting.Keeps(l));
        // Nothing here keeps data-protection keys (no cookies, no antiforgery); its "no XML
        // encryptor configured" warning at every start would only alarm.
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // Its start-up warning ("participant check thread has not completed for <uptime>") is a
        // false alarm on every start here; real stalls show up as late pings in the metrics.
        var watchdogLevel = level <= LogLevel.Debug ? level : LogLevel.Error;
        logging.AddFilter("Orleans.Runtime.Watchdog", l => l >= watchdogLevel && quieting.Keeps(l));
        return logging;
    }
}
