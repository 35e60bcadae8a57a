using System.Security.Cryptography;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// The echo rule's numbers (see <see cref="DatagramCadence"/>), for the answerers it must catch:
/// any delay up to 10 s, every k-th ping for k up to 5, up to 300 ms of jitter; and for the apps it
/// must leave alone: their own timers, within 50 ms.
/// </summary>
/// <param name="Secret">Draws a number in [min, max): when and how far a test moves a slot, unknown to anyone who cannot see our pings.</param>
internal readonly record struct EchoRule(int ReferenceSpanMs, int CooldownMs, Func<int, int, int> Secret)
{
    /// <summary>The longest delay an answer may have and still be caught, its jitter included.</summary>
    public const int MaxAnswerDelayMs = 10_000 + JitterMs + MarginMs;

    public const int JitterMs = 300;

    public const int MarginMs = 100;

    /// <summary>How long a client stays, unpinged, past its deadline: longer than any answer to its last pings takes.</summary>
    public const int LingerMs = MaxAnswerDelayMs + 500;

    /// <summary>How wide the phases of one answerer's datagrams can spread: its jitter, and the sender's own.</summary>
    public const int BandMs = JitterMs + 20;

    /// <summary>Datagrams further apart than this are no answerer's that answers every fifth ping or more often.</summary>
    public const int MaxCadenceMs = 5_500;

    /// <summary>A client that sends about every second is moved in one jump: a drift would outlast the expiry.</summary>
    public const int JumpCadenceMs = 1_500;

    /// <summary>
    /// A drift moves the slot 30 ms earlier per ping (an interval of 970 ms, on time by any measure),
    /// 13 to 18 times: 390 to 540 ms in all. From <see cref="MinShiftSlots"/> on, a datagram on an app's
    /// timer (within 50 ms of its phase) never lies in an answerer's band (320 ms) against the moved
    /// slot, either way round the second.
    /// </summary>
    public const int StepSlots = 3;

    public const int MinSteps = 13;

    public const int MinShiftSlots = MinSteps * StepSlots;

    public const int MaxSteps = 18;

    /// <summary>The move starts at a secret moment within this of the test's start.</summary>
    public const int MaxStartDelayMs = 1_000;

    /// <summary>Datagrams with our ping's bytes, a second apart (± 100 ms), this many in a row: another trigger service.</summary>
    public const int TriggerStreak = 5;

    public const int TriggerIntervalMinMs = 900;

    public const int TriggerIntervalMaxMs = 1_100;

    /// <summary>
    /// A test starts once a client's datagrams held one phase this long: a third of the expiry and a second (an
    /// app heartbeats at least that often, as the original client does, so one of its own datagrams
    /// is always in the streak, and a forger cannot build one without matching its phase), at least 5 s.
    /// After a test the client answered as an app, it is left alone for half the expiry.
    /// </summary>
    public static EchoRule For(int expirySeconds, Func<int, int, int>? secret = null) => new(
        ReferenceSpanMs: Math.Max(5_000, expirySeconds * 1000 / 3 + 1_000),
        CooldownMs: Math.Max(5_000, expirySeconds * 1000 / 2),
        Secret: secret ?? RandomNumberGenerator.GetInt32);
}
