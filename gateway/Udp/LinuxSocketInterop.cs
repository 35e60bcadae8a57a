using System.Runtime.InteropServices;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// Just enough of Linux's <c>recvmsg</c>/<c>sendmsg</c> to read the address a datagram was sent
/// to (<c>IP_PKTINFO</c>/<c>IPV6_PKTINFO</c>) and to choose the source address of a reply, which
/// .NET's <c>SendTo</c> cannot do on a wildcard-bound socket.
/// </summary>
internal static unsafe partial class LinuxSocketInterop
{
    public const int IpProtoIp = 0;
    public const int IpProtoIpv6 = 41;
    public const int IpPktInfo = 8;
    public const int Ipv6PktInfo = 50;
    public const int MsgDontWait = 0x40;
    public const int MsgTrunc = 0x20;
    public const int EAgain = 11;
    public const int EIntr = 4;

    public static readonly int CmsgHeaderSize = Align(sizeof(CmsgHdr));

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

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

    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct InPktInfo
    {
        public int InterfaceIndex;
        public uint SpecificDestination;
        public uint Address;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct In6PktInfo
    {
        public fixed byte Address[16];
        public uint InterfaceIndex;
    }

    public static int Align(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    public static int Space(int dataLength) => CmsgHeaderSize + Align(dataLength);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int socket, MsgHdr* message, int flags);
}
