namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// The echo rule's state for one client: an answerer's datagrams follow our pings, an app's its own
/// timer, so moving the client's ping slot tells them apart. The stages, and why a forger cannot use
/// them against a phone, are in docs/ABUSE.md ("No loop keeps itself alive"); the numbers in <see cref="EchoRule"/>.
/// </summary>
internal struct DatagramCadence
{
    private enum Stage : byte
    {
        Watching,
        Testing,
        Cooling,
        Echo,
    }

    private long _lastMs;
    private long _streakStartMs;

    /// <summary>When its latest ping went out (0: never).</summary>
    private long _pingedMs;

    /// <summary>Testing: when the move may start, then (once it is done) when the answers to the old slot are all in. Cooling: when it ends.</summary>
    private long _stageMs;

    private short _shiftSlots;
    private short _anchor;
    private short _lo;
    private short _hi;
    private Stage _stage;
    private byte _steps;
    private byte _pingStreak;
    private bool _jump;
    private bool _trigger;

    /// <summary>A client added by its first datagram, now.</summary>
    public static DatagramCadence FirstDatagram(long nowMs, bool isPing) =>
        new() { _lastMs = nowMs, _streakStartMs = -1, _pingStreak = isPing ? (byte)1 : (byte)0 };

    /// <summary>A client learnt from the cluster, now.</summary>
    public static DatagramCadence Resumed(long nowMs) => new() { _lastMs = nowMs, _streakStartMs = -1 };

    public readonly bool IsEcho => _stage == Stage.Echo || _trigger;

    /// <summary>The rule's stage or verdict, for the status page's lookup.</summary>
    public readonly string Describe() => _trigger ? "trigger" : _stage switch
    {
        Stage.Echo => "echo",
        Stage.Testing => "testing",
        Stage.Cooling => "cooling",
        _ => "watching",
    };

    /// <summary>When its latest datagram arrived (for one learnt from the cluster, when that happened).</summary>
    public readonly long LastHeardMs => _lastMs;

    /// <summary>
    /// Kept, unpinged, past its deadline: answers to its last pings may still be on their way, and
    /// must find the same client (its test goes on) rather than register a new one; an echo or a
    /// trigger stays for as long as it keeps sending, so that it never registers anew.
    /// </summary>
    public readonly bool Lingers(long deadlineMs, long nowMs) =>
        nowMs - deadlineMs < EchoRule.LingerMs || (IsEcho && nowMs - _lastMs < EchoRule.LingerMs);

    /// <summary>
    /// Another datagram of this client, <paramref name="phaseMs"/> after its slot was last sent (-1
    /// when unknown). Null when it is a heartbeat that refreshes the client; else <see cref="DropReason.Echo"/>
    /// (it answers our pings) or <see cref="DropReason.Trigger"/> (another trigger pinging us every second).
    /// </summary>
    public DropReason? Observe(long nowMs, int phaseMs, bool isPing, in EchoRule rule)
    {
        long interval = nowMs - _lastMs;
        _lastMs = nowMs;
        // Another trigger is told apart by content and cadence alone, beside the echo rule's stages.
        bool triggerLike = isPing && interval is >= EchoRule.TriggerIntervalMinMs and <= EchoRule.TriggerIntervalMaxMs;
        _pingStreak = triggerLike ? (byte)Math.Min(_pingStreak + 1, 255) : isPing ? (byte)1 : (byte)0;
        // A trigger pings every second with our bytes; anything else lifts a verdict a forger made (a
        // phone's own heartbeat among forged datagrams makes one of the intervals around it too short).
        if (_trigger) _trigger = triggerLike;
        else _trigger = _pingStreak >= EchoRule.TriggerStreak;
        bool echo = AnswersOurPings(nowMs, interval, phaseMs, rule);
        return _trigger ? DropReason.Trigger : echo ? DropReason.Echo : null;
    }

    /// <summary>The echo rule's stages: whether this datagram answers our pings.</summary>
    private bool AnswersOurPings(long nowMs, long interval, int phaseMs, in EchoRule rule)
    {
        switch (_stage)
        {
            case Stage.Echo:
                // Anything that does not follow our pings (or comes after a pause no answerer of ours
                // makes while pinged) is the client's own: the verdict was wrong, or forged. So is
                // anything once no ping of ours can still be answered: an app's timer keeps its phase
                // against a slot that no longer pings it, so following the slot proves nothing then.
                if (nowMs - _pingedMs <= EchoRule.MaxAnswerDelayMs && interval <= EchoRule.MaxCadenceMs && (phaseMs < 0 || FollowsOurPings(phaseMs))) return true;
                Restart(nowMs, phaseMs);
                return false;
            case Stage.Testing:
                if (interval > EchoRule.MaxCadenceMs)
                {
                    Restart(nowMs, phaseMs);
                    return false;
                }
                if (phaseMs < 0) return false;
                // At the old phase against a slot moved this far, only an answer to our pings can be.
                if (_shiftSlots >= EchoRule.MinShiftSlots && FollowsOurPings(phaseMs))
                {
                    _stage = Stage.Echo;
                    return true;
                }
                // Anywhere else, it is its own timer, once no answer to a ping before the move can still come.
                if (_steps > 0 || nowMs < _stageMs) return false;
                _stage = Stage.Cooling;
                _stageMs = nowMs + rule.CooldownMs;
                return false;
            case Stage.Cooling:
                if (nowMs >= _stageMs) Restart(nowMs, phaseMs);
                return false;
            default:
                Watch(nowMs, interval, phaseMs, rule);
                return false;
        }
    }

    /// <summary>
    /// Called as the client's ping goes out: notes it, and returns how many slots to move its next
    /// pings earlier by (0 for none). A move of the test is a drift of <see cref="EchoRule.StepSlots"/> a second, which
    /// no interval notices, or for a client that sends every second (whose test must be quick) one
    /// jump. Held while the client is taken for another trigger: a jump would lift its verdict on us.
    /// </summary>
    public int Pinged(long nowMs)
    {
        _pingedMs = nowMs;
        if (_stage != Stage.Testing || _steps == 0 || nowMs < _stageMs || _trigger) return 0;
        int slots = _jump ? _steps * EchoRule.StepSlots : EchoRule.StepSlots;
        _steps = _jump ? (byte)0 : (byte)(_steps - 1);
        _shiftSlots += (short)slots;
        // This ping is the last at an old phase: an answer to it may take the longest delay we catch.
        if (_steps == 0) _stageMs = nowMs + EchoRule.MaxAnswerDelayMs;
        return slots;
    }

    private void Watch(long nowMs, long interval, int phaseMs, in EchoRule rule)
    {
        if (phaseMs < 0 || interval > EchoRule.MaxCadenceMs || _streakStartMs < 0 || !Extend(phaseMs))
        {
            Restart(nowMs, phaseMs);
            return;
        }
        long span = nowMs - _streakStartMs;
        if (span < rule.ReferenceSpanMs) return;
        _stage = Stage.Testing;
        _shiftSlots = 0;
        // Our ping's bytes every second may be another trigger: a drift keeps its intervals within the trigger rule's.
        _jump = interval <= EchoRule.JumpCadenceMs && _pingStreak == 0;
        _steps = (byte)rule.Secret(EchoRule.MinSteps, EchoRule.MaxSteps + 1);
        _stageMs = nowMs + rule.Secret(0, EchoRule.MaxStartDelayMs);
    }

    /// <summary>A new streak of datagrams at one phase, starting with this one.</summary>
    private void Restart(long nowMs, int phaseMs)
    {
        _stage = Stage.Watching;
        _streakStartMs = phaseMs < 0 ? -1 : nowMs;
        _anchor = (short)Math.Max(phaseMs, 0);
        _lo = _hi = 0;
    }

    /// <summary>Adds a phase to the streak's band, if the band stays narrow enough for an answerer's jitter.</summary>
    private bool Extend(int phaseMs)
    {
        int offset = Offset(phaseMs);
        int lo = Math.Min(_lo, offset), hi = Math.Max(_hi, offset);
        if (hi - lo > EchoRule.BandMs) return false;
        (_lo, _hi) = ((short)lo, (short)hi);
        return true;
    }

    /// <summary>Whether a phase against the moved slot still lies in the band the streak had against the old one.</summary>
    private readonly bool FollowsOurPings(int phaseMs)
    {
        int offset = Offset(phaseMs);
        return Math.Max(_hi, offset) - Math.Min(_lo, offset) <= EchoRule.BandMs;
    }

    /// <summary>A phase as an offset from the streak's first, in -500..499 ms: the band wraps round the second.</summary>
    private readonly int Offset(int phaseMs) => ((phaseMs - _anchor) % 1000 + 1500) % 1000 - 500;
}
