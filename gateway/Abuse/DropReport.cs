using System.Text;
using Microsoft.Extensions.Logging;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// Says in the log, at most every <see cref="IntervalMs"/>, what the gateway dropped since it last
/// said so, by reason: a flood shows as one line every half minute, never one per datagram.
/// Called by the receiving thread after each batch; costs a comparison unless it is time to write.
/// </summary>
internal sealed partial class DropReport(GatewayMetrics metrics, ILogger logger)
{
    public const long IntervalMs = 30_000;

    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();

    private readonly long[] _reported = new long[Reasons.Length];
    private long _nextMs;

    public void Tick(long nowMs)
    {
        if (nowMs < _nextMs) return;
        _nextMs = nowMs + IntervalMs;
        StringBuilder? drops = null;
        foreach (var reason in Reasons)
        {
            long total = metrics.Dropped(reason);
            long since = total - _reported[(int)reason];
            _reported[(int)reason] = total;
            if (since > 0) (drops ??= new StringBuilder()).Append(drops.Length > 0 ? ", " : "").Append(reason).Append('=').Append(since);
        }
        if (drops is not null) LogDropped(IntervalMs / 1000, drops);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Datagrams dropped in the last {Seconds} s, by reason: {Drops}")]
    private partial void LogDropped(long seconds, StringBuilder drops);
}
