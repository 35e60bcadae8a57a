using System.Runtime.InteropServices;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// Runs an action on a thread of its own as another user (its effective uid alone, by the raw system call,
/// which changes only the calling thread): a socket bound or connected there carries that user's credentials
/// (SO_PEERCRED), as another user's process would. Needs root, as the suite does.
/// </summary>
public static class AnotherUser
{
    public const uint Nobody = 65534;

    public static T Run<T>(uint userId, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            SetEffectiveUser(userId);
            try
            {
                result = action();
            }
            catch (Exception error)
            {
                failure = error;
            }
            finally
            {
                SetEffectiveUser(0);
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException($"as user {userId}: {failure.Message}", failure);
        return result;
    }

    private static void SetEffectiveUser(uint userId)
    {
        long number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 117,
            Architecture.Arm64 => 147,
            var other => throw new PlatformNotSupportedException($"setresuid's number on {other}"),
        };
        if (Syscall(number, -1, userId, -1) != 0) throw new InvalidOperationException($"setresuid(-1, {userId}, -1): errno {Marshal.GetLastPInvokeError()} (the tests run as root)");
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long realUserId, long effectiveUserId, long savedUserId);
}
