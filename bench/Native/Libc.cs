using System.Runtime.InteropServices;

namespace TixTrigger.Bench.Native;

/// <summary>
/// The few Linux calls .NET does not expose: epoll, to wait on thousands of sockets from one
/// thread; recvmsg, to get each datagram's kernel receive timestamp (SCM_TIMESTAMPNS); kill, to
/// ask a node to stop (SIGTERM) rather than only kill it; sysconf, for /proc's clock tick.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    public const int SolSocket = 1;

    /// <summary>SO_TIMESTAMPNS, which is also the control message type (SCM_TIMESTAMPNS) it produces.</summary>
    public const int SoTimestampNs = 35;

    /// <summary>SO_RXQ_OVFL: each datagram carries the socket's count of datagrams dropped for a full buffer so far.</summary>
    public const int SoRxqOvfl = 40;

    public const int EpollIn = 0x001;
    public const int EpollCtlAdd = 1;
    public const int EpollCloexec = 0x80000;
    public const int MsgDontWait = 0x40;
    public const int MsgTrunc = 0x20;
    public const int ClockRealtime = 0;
    public const int Eintr = 4;
    public const int SigTerm = 15;
    public const int ScClockTicks = 2;

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* @event);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint recvmsg(int sockfd, MessageHeader* msg, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library)]
    public static partial int clock_gettime(int clockid, TimeSpec* tp);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Library)]
    public static partial long sysconf(int name);

    /// <summary>
    /// struct epoll_event is packed on x86-64 (12 bytes, data at offset 4) and naturally aligned
    /// elsewhere (16 bytes, data at 8); the receiver reads it through these offsets.
    /// </summary>
    public static int EpollEventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static int EpollDataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
}

/// <summary>struct msghdr (64-bit Linux).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public void* Name;
    public uint NameLength;
    public IoVector* Vectors;
    public nuint VectorCount;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary>struct iovec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public void* Base;
    public nuint Length;
}

/// <summary>struct cmsghdr (64-bit Linux); the data follows at <see cref="DataOffset"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ControlHeader
{
    public const int DataOffset = 16;

    public nuint Length;
    public int Level;
    public int Type;
}

/// <summary>struct timespec (64-bit Linux).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeSpec
{
    public long Seconds;
    public long Nanoseconds;

    public readonly long TotalNanoseconds => Seconds * 1_000_000_000 + Nanoseconds;
}
