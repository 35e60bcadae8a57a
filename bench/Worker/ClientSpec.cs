using System.Net;

namespace TixTrigger.Bench.Worker;

/// <summary>One simulated client's place in the run.</summary>
internal sealed record ClientSpec(int Index, int TargetIndex, IPEndPoint Target, IPAddress Bind, long FirstHeartbeatOffset, bool StopsHeartbeating);
