using TixTrigger.Endpoints;

namespace TixTrigger.Messages;

/// <summary>
/// A gateway's count of its clients in one network (a /24 or /56): all of them, and how many of
/// those are new since its last report, which the budget may still refuse.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.prefix-count")]
public readonly record struct PrefixCount(
    [property: Id(0)] PackedAddress Prefix,
    [property: Id(1)] int Count,
    [property: Id(2)] int New);

/// <summary>The budget's answer for one network: how many of the new clients the gateway must drop, and how many the other gateways hold.</summary>
[GenerateSerializer, Immutable, Alias("tix.prefix-verdict")]
public readonly record struct PrefixVerdict(
    [property: Id(0)] PackedAddress Prefix,
    [property: Id(1)] int Refused,
    [property: Id(2)] int Others);

/// <summary>
/// The answers to one report, with the grain activation's id: a different id means the grain lost
/// what the gateways had told it, and they tell it again.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.prefix-budget-reply")]
public sealed record PrefixBudgetReply(
    [property: Id(0)] long ActivationId,
    [property: Id(1)] PrefixVerdict[] Verdicts);
