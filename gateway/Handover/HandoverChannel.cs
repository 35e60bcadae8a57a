using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static TixTrigger.Gateway.Udp.LinuxSocketInterop;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// Framed messages over a connected Unix stream socket (a type byte, a 4-byte little-endian length, the
/// payload), with open sockets passed alongside as <c>SCM_RIGHTS</c>. Every call has a deadline and
/// polls in short steps, so a peer that hangs or a stop request never holds a caller for longer than asked.
/// Blocking calls: run them off the thread pool's hot paths (a hand-over is rare).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class HandoverChannel(Socket socket) : IDisposable
{
    public const int MaxFrameBytes = 1 << 30;
    private const int HeaderBytes = 5;
    private const int MaxSockets = 4;
    private const int PollStepMs = 100;

    private readonly int _fd = (int)socket.Handle;

    /// <summary>
    /// Whether the process at the other end runs as this process's user: an abstract socket has no file
    /// permissions, so anyone in the network namespace could connect. Not root: on a host's network, every
    /// root container is uid 0 here and could otherwise take the gateway's socket and clients. Never the
    /// overflow user, which stands for every user unmapped in this namespace.
    /// </summary>
    public bool PeerIsTrusted(out int peerProcessId, out uint peerUserId)
    {
        var credentials = default(UCred);
        uint length = (uint)sizeof(UCred);
        bool known = GetSockOpt(_fd, SolSocket, SoPeerCred, &credentials, &length) == 0;
        peerProcessId = credentials.ProcessId;
        peerUserId = credentials.UserId;
        uint own = GetEUid();
        return known && credentials.UserId == own && own != OverflowUserId;
    }

    private const uint OverflowUserId = 65534;

    public void Send(FrameType type, ReadOnlySpan<byte> payload, TimeSpan timeout, CancellationToken cancel, ReadOnlySpan<SafeSocketHandle> sockets = default)
    {
        if (payload.Length > MaxFrameBytes) throw new HandoverException($"a {type} message of {payload.Length} bytes is over the {MaxFrameBytes} a hand-over carries");
        if (sockets.Length > MaxSockets) throw new ArgumentOutOfRangeException(nameof(sockets));
        long deadline = Deadline(timeout);
        byte* header = stackalloc byte[HeaderBytes];
        header[0] = (byte)type;
        BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(header + 1, 4), payload.Length);
        int controlBytes = sockets.IsEmpty ? 0 : Space(sockets.Length * sizeof(int));
        byte* control = stackalloc byte[Space(MaxSockets * sizeof(int))];
        var held = new bool[sockets.Length];
        try
        {
            if (controlBytes > 0)
            {
                var cmsg = (CmsgHdr*)control;
                cmsg->Length = (nuint)(CmsgHeaderSize + sockets.Length * sizeof(int));
                cmsg->Level = SolSocket;
                cmsg->Type = ScmRights;
                var fds = (int*)(control + CmsgHeaderSize);
                for (int i = 0; i < sockets.Length; i++)
                {
                    sockets[i].DangerousAddRef(ref held[i]);
                    fds[i] = (int)sockets[i].DangerousGetHandle();
                }
            }
            fixed (byte* data = payload)
            {
                long total = HeaderBytes + (long)payload.Length, sent = 0;
                var iov = stackalloc IoVec[2];
                while (sent < total)
                {
                    WaitFor(PollOut, deadline, cancel, type);
                    int vectors = 0;
                    if (sent < HeaderBytes) iov[vectors++] = new IoVec { Base = header + sent, Length = (nuint)(HeaderBytes - sent) };
                    long payloadSent = Math.Max(0, sent - HeaderBytes);
                    if (payloadSent < payload.Length) iov[vectors++] = new IoVec { Base = data + payloadSent, Length = (nuint)(payload.Length - payloadSent) };
                    var message = new MsgHdr { Iov = iov, IovLength = (nuint)vectors };
                    // The sockets ride on the first byte: the receiver gets them with the header.
                    if (sent == 0 && controlBytes > 0)
                    {
                        message.Control = control;
                        message.ControlLength = (nuint)controlBytes;
                    }
                    nint result = SendMsg(_fd, &message, MsgDontWait | MsgNoSignal);
                    if (result >= 0)
                    {
                        sent += result;
                        continue;
                    }
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno is EAgain or EIntr) continue;
                    throw new HandoverException($"sending {type} failed: {new SocketException(errno).Message}");
                }
            }
        }
        finally
        {
            for (int i = 0; i < held.Length; i++)
            {
                if (held[i]) sockets[i].DangerousRelease();
            }
        }
    }

    public HandoverFrame Receive(TimeSpan timeout, CancellationToken cancel, string waitingFor)
    {
        long deadline = Deadline(timeout);
        var sockets = new List<SafeSocketHandle>();
        try
        {
            var header = new byte[HeaderBytes];
            ReadExactly(header, sockets, deadline, cancel, waitingFor);
            var type = (FrameType)header[0];
            int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
            if (!Enum.IsDefined(type) || length is < 0 or > MaxFrameBytes) throw new HandoverException($"the other process sent nonsense while this one waited for {waitingFor}");
            var payload = new byte[length];
            ReadExactly(payload, sockets, deadline, cancel, waitingFor);
            return new HandoverFrame(type, payload, [.. sockets]);
        }
        catch
        {
            foreach (var received in sockets) received.Dispose();
            throw;
        }
    }

    private void ReadExactly(byte[] into, List<SafeSocketHandle> sockets, long deadline, CancellationToken cancel, string waitingFor)
    {
        int controlBytes = Space(MaxSockets * sizeof(int));
        byte* control = stackalloc byte[controlBytes];
        fixed (byte* data = into)
        {
            int read = 0;
            while (read < into.Length)
            {
                WaitFor(PollIn, deadline, cancel, waitingFor);
                var iov = new IoVec { Base = data + read, Length = (nuint)(into.Length - read) };
                var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlBytes };
                nint result = RecvMsg(_fd, &message, MsgDontWait | MsgCmsgCloexec);
                if (result < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno is EAgain or EIntr) continue;
                    throw new HandoverException($"receiving {waitingFor} failed: {new SocketException(errno).Message}");
                }
                TakeSockets(control, message, sockets);
                if ((message.Flags & MsgCTrunc) != 0) throw new HandoverException($"more sockets came with {waitingFor} than a hand-over passes");
                if (result == 0) throw new HandoverException($"the other process hung up while this one waited for {waitingFor}");
                read += (int)result;
            }
        }
    }

    private static void TakeSockets(byte* control, in MsgHdr message, List<SafeSocketHandle> sockets)
    {
        long length = (long)message.ControlLength;
        for (long offset = 0; offset + CmsgHeaderSize <= length;)
        {
            var cmsg = (CmsgHdr*)(control + offset);
            if ((long)cmsg->Length < CmsgHeaderSize) break;
            if (cmsg->Level == SolSocket && cmsg->Type == ScmRights)
            {
                int count = ((int)cmsg->Length - CmsgHeaderSize) / sizeof(int);
                var fds = (int*)(control + offset + CmsgHeaderSize);
                for (int i = 0; i < count; i++) sockets.Add(new SafeSocketHandle(fds[i], ownsHandle: true));
            }
            offset += Align((int)cmsg->Length);
        }
    }

    private void WaitFor(short events, long deadline, CancellationToken cancel, object what)
    {
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            long left = (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (left <= 0) throw new HandoverException($"the other process took too long: gave up waiting for {what}");
            var poll = new PollFd { Fd = _fd, Events = events };
            int ready = Poll(&poll, 1, (int)Math.Min(left, PollStepMs));
            if (ready > 0) return;
            if (ready < 0 && Marshal.GetLastPInvokeError() != EIntr) throw new HandoverException($"waiting for {what} failed: {new SocketException(Marshal.GetLastPInvokeError()).Message}");
        }
    }

    private static long Deadline(TimeSpan timeout) => Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    public void Dispose() => socket.Dispose();
}
