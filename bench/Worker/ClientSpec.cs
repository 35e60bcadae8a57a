using System.Net;

namespace TixTrigger.Bench.Worker;

/// <summary>One simulated client's place in the run.</summary>
internal sealed record ClientSpec(int Index, IPEndPoint Target, IPAddress Bind, long FirstHeartbeatOffset, bool StopsHeartbeating);
