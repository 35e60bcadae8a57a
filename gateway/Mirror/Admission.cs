namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// What the mirror made of a datagram, or of a member the cluster told it about: taken in, or
/// refused for a <see cref="DropReason"/>. Refusals carry the drop reason itself, so a new reason
/// is added in one place (<c>gateway/DropReason.cs</c>) and is never counted under another.
/// </summary>
internal readonly record struct Admission
{
    private enum Outcome : byte
    {
        Added,

        /// <summary>Added in place of a stale sign-up (see <see cref="Abuse.StaleSignups"/>): the gateway was full.</summary>
        Replaced,

        Refreshed,
        Refused,
    }

    private readonly Outcome _outcome;
    private readonly DropReason _refusal;

    private Admission(Outcome outcome, DropReason refusal) => (_outcome, _refusal) = (outcome, refusal);

    public static Admission Added => new(Outcome.Added, default);

    public static Admission Replaced => new(Outcome.Replaced, default);

    public static Admission Refreshed => new(Outcome.Refreshed, default);

    public static Admission Refused(DropReason reason) => new(Outcome.Refused, reason);

    public bool IsRefused => _outcome == Outcome.Refused;

    /// <summary>The drop a refusal is counted as.</summary>
    public DropReason Reason() => IsRefused ? _refusal : throw new InvalidOperationException($"{this} is not a refusal.");

    public override string ToString() => IsRefused ? $"Refused({_refusal})" : _outcome.ToString();
}
