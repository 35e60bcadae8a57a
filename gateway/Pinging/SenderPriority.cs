using System.Runtime.InteropServices;

namespace TixTrigger.Gateway.Pinging;

/// <summary>
/// .NET ignores <see cref="Thread.Priority"/> on Linux. The ping sender needs little CPU but needs
/// it on time, every 10 ms; under a flood the receiving thread and the cluster's registrations can
/// take both cores of a small host. Where the process may (root, or CAP_SYS_NICE), the sending
/// thread runs at a higher priority (nice -10); elsewhere nothing changes.
/// </summary>
internal static partial class SenderPriority
{
    private const int PrioProcess = 0;
    private const int Nice = -10;

    /// <summary>Raises the calling thread's priority if allowed; says whether it did.</summary>
    public static bool TryRaiseCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return SetPriority(PrioProcess, GetTid(), Nice) == 0;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
