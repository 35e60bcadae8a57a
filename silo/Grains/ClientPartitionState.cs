using TixTrigger.Endpoints;
using TixTrigger.Messages;

namespace TixTrigger.Silo.Grains;

/// <summary>What a <see cref="ClientPartitionGrain"/> carries when it moves to another silo.</summary>
[GenerateSerializer, Immutable, Alias("tix.partition-state")]
public sealed record ClientPartitionState(
    [property: Id(0)] ClientEndpoint[] Clients,
    [property: Id(1)] ClientOwner[] Owners,
    [property: Id(4)] Guid Epoch);
