using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// Just enough of Linux's socket API for batched UDP: <c>recvmmsg</c>/<c>sendmmsg</c> (one system
/// call for many datagrams), the local address a datagram was sent to and the source address of a
/// reply (<c>IP_PKTINFO</c>/<c>IPV6_PKTINFO</c>, which .NET's <c>SendTo</c> cannot set on a wildcard
/// socket), the kernel's count of datagrams it dropped for want of buffer (<c>SO_RXQ_OVFL</c>), the
/// time each datagram reached the host (<c>SO_TIMESTAMPNS</c>, on <c>CLOCK_REALTIME</c>), and
/// passing open sockets to another process (<c>SCM_RIGHTS</c>) for a gateway's hand-over.
/// Each constant names the header it comes from; the layouts are those of 64-bit Linux.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class LinuxSocketInterop
{
    // <asm-generic/socket.h>
    public const int SolSocket = 1;
    public const int SoType = 3;
    public const int SoPeerCred = 17;
    public const int SoSndBufForce = 32;
    public const int SoRcvBufForce = 33;
    public const int SoTimestampNs = 35;               // also its control message's type, SCM_TIMESTAMPNS
    public const int SoRxqOvfl = 40;
    public const int ScmRights = 1;
    public const int SockDgram = 2;

    // <netinet/in.h>
    public const int IpProtoIp = 0;
    public const int IpProtoIpv6 = 41;
    public const int IpPktInfo = 8;
    public const int Ipv6PktInfo = 50;

    // <bits/socket.h>
    public const int MsgCTrunc = 0x08;
    public const int MsgTrunc = 0x20;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int MsgCmsgCloexec = 0x40000000;

    // <fcntl.h>
    public const int FDupFdCloexec = 1030;

    // <bits/socket.h>, <bits/socket-constants.h>
    public const ushort AfInet = 2;
    public const ushort AfInet6 = 10;

    // <asm-generic/errno-base.h>, <asm-generic/errno.h>
    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EAddrInUse = 98;

    // <bits/time.h>
    public const int ClockRealtime = 0;

    // <poll.h>
    public const short PollIn = 0x001;
    public const short PollOut = 0x004;

    /// <summary><c>struct iovec</c> (&lt;bits/types/struct_iovec.h&gt;).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary><c>struct msghdr</c> (&lt;bits/socket.h&gt;).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary><c>struct mmsghdr</c> (&lt;bits/socket.h&gt;): one datagram of a batch and its length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    /// <summary><c>struct cmsghdr</c> (&lt;bits/socket.h&gt;).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary><c>struct in_pktinfo</c> (&lt;bits/in.h&gt;).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InPktInfo
    {
        public int InterfaceIndex;
        public uint SpecificDestination;
        public uint Address;
    }

    /// <summary><c>struct in6_pktinfo</c> (&lt;netinet/in.h&gt;).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct In6PktInfo
    {
        public fixed byte Address[16];
        public uint InterfaceIndex;
    }

    /// <summary><c>struct ucred</c> (&lt;bits/socket.h&gt;): who is at the other end of a Unix socket.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UCred
    {
        public int ProcessId;
        public uint UserId;
        public uint GroupId;
    }

    /// <summary><c>struct timespec</c> (&lt;bits/types/struct_timespec.h&gt;): the payload of <c>SCM_TIMESTAMPNS</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;

        public readonly long TotalNanoseconds => Seconds * 1_000_000_000 + Nanoseconds;
    }

    /// <summary><c>struct pollfd</c> (&lt;poll.h&gt;).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    public static readonly int CmsgHeaderSize = Align(sizeof(CmsgHdr));

    /// <summary><c>CMSG_ALIGN</c>.</summary>
    public static int Align(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    /// <summary><c>CMSG_SPACE</c>.</summary>
    public static int Space(int dataLength) => CmsgHeaderSize + Align(dataLength);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int socket, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(int socket, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    public static partial int ClockGetTime(int clock, TimeSpec* now);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEUid();

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int socket, int level, int name, void* value, uint* length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int socket, int level, int name, void* value, uint length);
}
