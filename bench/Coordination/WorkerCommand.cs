using System.Diagnostics;

namespace TixTrigger.Bench.Coordination;

/// <summary>How to start this same program again as a worker, however it was started itself.</summary>
internal static class WorkerCommand
{
    public const string WorkerFlag = "--worker";

    public static ProcessStartInfo Create()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        var start = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Started as `dotnet TixTrigger.Bench.dll`, the running executable is the shared host, which needs the dll named again.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(WorkerCommand).Assembly.Location);
        }
        start.ArgumentList.Add(WorkerFlag);
        // Run receive completions on the socket engine's own thread instead of queueing them to the
        // thread pool: the arrival is stamped the moment recvfrom returns, not when a pool thread
        // gets around to it, which on two busy cores can be milliseconds later.
        start.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
        return start;
    }
}
