using System.Runtime.Versioning;
using TixTrigger.Time;
using static TixTrigger.Gateway.Udp.LinuxSocketInterop;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// Puts the kernel's receive timestamps (<c>SO_TIMESTAMPNS</c>: <c>CLOCK_REALTIME</c>, in ns) on the
/// gateway's monotonic clock: a datagram's age is read against real time now, and taken from
/// monotonic now. Both clocks are read once per batch, so a datagram costs a subtraction.
/// The kernel turns stamping on a moment after the host's first socket asks (deferred work), and stamps
/// a datagram that came before at read time: a gateway's first datagrams may be judged as read, no later.
/// </summary>
[SupportedOSPlatform("linux")]
internal readonly unsafe struct ArrivalClock(long realNowNs, long monotonicNowMs)
{
    /// <summary>
    /// An age past this is a wall-clock step between arrival and read (NTP; libfaketime, which fakes user-space
    /// real time but not the kernel's stamps), not a queue: such a datagram is taken as arriving now.
    /// </summary>
    public const long MaxAgeMs = 5_000;

    /// <summary>A datagram without a timestamp.</summary>
    public const long NoStamp = 0;

    /// <summary>Both clocks now; read after the batch is received, so no stamp of it is later than real now.</summary>
    public static ArrivalClock Now()
    {
        TimeSpec real;
        ClockGetTime(ClockRealtime, &real);
        return new ArrivalClock(real.TotalNanoseconds, Monotonic.NowMs());
    }

    public long NowMs => monotonicNowMs;

    /// <summary>When a datagram stamped <paramref name="stampNs"/> arrived, on the monotonic clock: never after now, never more than <see cref="MaxAgeMs"/> before.</summary>
    public long ArrivedMs(long stampNs)
    {
        if (stampNs == NoStamp) return monotonicNowMs;
        long ageMs = (realNowNs - stampNs) / 1_000_000;
        return ageMs is > 0 and <= MaxAgeMs ? monotonicNowMs - ageMs : monotonicNowMs;
    }
}
