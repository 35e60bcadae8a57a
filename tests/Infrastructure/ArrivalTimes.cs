using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// When a datagram reached a test socket, as the kernel stamped it on arrival (SIOCGSTAMPNS), on the
/// Stopwatch's clock. A thread that reads its socket late (a garbage collection in the test process,
/// a busy core) then does not move the time a ping arrived: the tests measure the service, not
/// their own reader. Where the kernel gives no stamp, the time of the read.
/// </summary>
internal static class ArrivalTimes
{
    private const ulong SiocGStampNs = 0x8907;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(nint fd, ulong request, ref Timespec stamp);

    private static readonly bool Supported = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Turns the kernel's stamping on for this socket (the first ask does; it has no stamp yet).</summary>
    public static void Enable(Socket socket)
    {
        if (!Supported) return;
        var stamp = new Timespec();
        Ioctl(socket.Handle, SiocGStampNs, ref stamp);
    }

    /// <summary>The arrival of the datagram just read from <paramref name="socket"/>, as a Stopwatch timestamp.</summary>
    public static long OfLastRead(Socket socket)
    {
        long read = Stopwatch.GetTimestamp();
        if (!Supported) return read;
        var stamp = new Timespec();
        if (Ioctl(socket.Handle, SiocGStampNs, ref stamp) != 0) return read;
        long nowTicks = DateTime.UtcNow.Ticks;
        long arrivedTicks = DateTime.UnixEpoch.Ticks + stamp.Seconds * TimeSpan.TicksPerSecond + stamp.Nanoseconds / 100;
        long ageTicks = nowTicks - arrivedTicks;
        // Realtime and monotonic clocks read a moment apart: an age below zero, or beyond what any test waits, is not a stamp to trust.
        if (ageTicks < 0 || ageTicks > 10 * TimeSpan.TicksPerSecond) return read;
        return Stopwatch.GetTimestamp() - (long)(ageTicks / (double)TimeSpan.TicksPerSecond * Stopwatch.Frequency);
    }
}
