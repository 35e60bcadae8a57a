namespace TixTrigger.Protocol;

/// <summary>
/// The trigger itself: the app recognises a ping by these two bytes alone. The one place to change them:
/// the sender's buffer is sized from them, and the trigger rule and the bench compare against them.
/// </summary>
public static class Ping
{
    public static ReadOnlySpan<byte> Bytes => [0x75, 0x61];

    public static bool Is(ReadOnlySpan<byte> datagram) => datagram.SequenceEqual(Bytes);
}
