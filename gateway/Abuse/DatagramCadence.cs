using TixTrigger.Gateway.Mirror;

namespace TixTrigger.Gateway.Abuse;

/// <summary>What a datagram of a known client means, by the timing of its datagrams.</summary>
internal enum CadenceVerdict
{
    /// <summary>A heartbeat: refresh the client.</summary>
    Refresh,

    /// <summary>A heartbeat, and time to test whether the client follows our pings: move its slot by half a second.</summary>
    Probe,

    /// <summary>An answer to our pings, not a heartbeat: never a refresh.</summary>
    Echo,
}

/// <summary>
/// The echo rule, per client. A reflector (a UDP echo service, or anything that answers each
/// datagram) returns each ping right after it arrives, so its datagrams come every second at a
/// constant phase after our ping to it; a phone heartbeats on its own timer, every 5 to 40 s in the
/// field. Content cannot tell them apart (the original README's client heartbeats with the ping's
/// own bytes), and neither can phase alone: a phone that heartbeats every second on a precise timer
/// shows a constant phase too. So a client whose datagrams come a second apart at a stable phase
/// (<see cref="StreakBeforeProbe"/> of them, within <see cref="PhaseToleranceMs"/>) is tested once:
/// its slot moves by half a second (one odd interval). An echo follows our pings: its next datagrams
/// keep their phase against the new schedule, and it is never refreshed again, so it expires. A
/// phone keeps its own timer: its datagrams keep their phase against the old schedule, and it is
/// never tested again. Clients that heartbeat every 2 s or more are never tested at all.
/// </summary>
internal struct DatagramCadence
{
    /// <summary>The shift of a probe: half the second, as far as possible from the old phase both ways.</summary>
    public const int ShiftMs = SlotWheel.SlotCount / 2 * SlotWheel.SlotMs;

    /// <summary>How long an echo is remembered past its deadline: answers to its last pings may still be on their way.</summary>
    public const long EchoLingerMs = (KeptPhaseToVerify + 1) * 1000L;

    private const int StreakBeforeProbe = 3;
    private const int PhaseToleranceMs = 25;

    /// <summary>
    /// After a probe, the datagrams that keep the old schedule's phase before the client counts as a
    /// phone: answers to pings sent before the shift may still arrive, from a reflector up to this
    /// many seconds away.
    /// </summary>
    private const int KeptPhaseToVerify = 5;

    /// <summary>Probes that said neither echo nor phone (too much jitter) before the client is left alone.</summary>
    private const int MaxProbes = 3;

    private enum Stage : byte
    {
        Watching,
        Probing,
        Verified,
        Echo,
    }

    private long _lastMs;
    private short _phaseMs;
    private byte _count;
    private Stage _stage;
    private byte _probes;
    private bool _heardAgain;

    /// <summary>A client added by its first datagram, now.</summary>
    public static DatagramCadence FirstDatagram(long nowMs) => new() { _lastMs = nowMs };

    /// <summary>A client learnt from the cluster: a heartbeat registered it before, so it is no one-datagram sign-up.</summary>
    public static DatagramCadence Resumed() => new() { _heardAgain = true };

    public bool IsEcho => _stage == Stage.Echo;

    /// <summary>It has sent one datagram only, as every source of a forged flood does.</summary>
    public bool IsOneShot => !_heardAgain;

    /// <summary>An echo past its deadline is kept, unpinged, for a while: an answer still on its way must not register it anew.</summary>
    public readonly bool Lingers(long deadlineMs, long nowMs) => _stage == Stage.Echo && nowMs - deadlineMs < EchoLingerMs;

    /// <summary>
    /// Another datagram of this client, <paramref name="phaseMs"/> after its slot was last sent
    /// (-1 when unknown). Says whether it refreshes the client, and when to probe.
    /// </summary>
    public CadenceVerdict Observe(long nowMs, int phaseMs)
    {
        _heardAgain = true;
        long interval = nowMs - _lastMs;
        _lastMs = nowMs;
        return _stage switch
        {
            Stage.Echo => CadenceVerdict.Echo,
            Stage.Verified => CadenceVerdict.Refresh,
            Stage.Probing => AfterShift(interval, phaseMs),
            _ => Watch(interval, phaseMs),
        };
    }

    private CadenceVerdict Watch(long interval, int phaseMs)
    {
        if (phaseMs < 0)
        {
            _count = 0;
            return CadenceVerdict.Refresh;
        }
        bool inStep = _count > 0 && interval is >= 500 and <= 1500 && Distance(phaseMs, _phaseMs) <= PhaseToleranceMs;
        _count = inStep ? (byte)(_count + 1) : (byte)1;
        _phaseMs = (short)phaseMs;
        if (_count < StreakBeforeProbe) return CadenceVerdict.Refresh;
        _stage = Stage.Probing;
        _count = 0;
        _probes++;
        return CadenceVerdict.Probe;
    }

    private CadenceVerdict AfterShift(long interval, int phaseMs)
    {
        // The probe made one interval 0.5 or 1.5 s long; anything longer means it stopped sending every second.
        if (phaseMs >= 0 && interval < 2000)
        {
            if (Distance(phaseMs, _phaseMs) <= PhaseToleranceMs)
            {
                _stage = Stage.Echo;
                return CadenceVerdict.Echo;
            }
            if (Distance(phaseMs, _phaseMs + ShiftMs) <= PhaseToleranceMs)
            {
                // Its own timer: follow its slow drift against ours, and decide once enough have come.
                _phaseMs = (short)((phaseMs + ShiftMs) % 1000);
                if (++_count >= KeptPhaseToVerify) _stage = Stage.Verified;
                return CadenceVerdict.Refresh;
            }
        }
        // Neither: watch again from here, a few times at most.
        _stage = _probes >= MaxProbes ? Stage.Verified : Stage.Watching;
        _count = 0;
        return _stage == Stage.Watching ? Watch(interval, phaseMs) : CadenceVerdict.Refresh;
    }

    /// <summary>How far apart two phases are on the circle of a second.</summary>
    private static int Distance(int a, int b)
    {
        int d = Math.Abs(a - b) % 1000;
        return Math.Min(d, 1000 - d);
    }
}
