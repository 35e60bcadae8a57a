using System.Runtime.InteropServices;

namespace TixTrigger.Gateway.State;

/// <summary>
/// A gateway's snapshot in STATE_DIR: <c>&lt;GATEWAY_ID&gt;.state</c>, replaced whole (written to a
/// temporary file, flushed to disk, renamed over it, the directory flushed), so a crash at any moment
/// leaves the previous snapshot or the new one. <c>&lt;GATEWAY_ID&gt;.lock</c>, held for as long as the
/// process may write: a second process with the same GATEWAY_ID and directory (refused by the cluster
/// a moment later) neither resumes the holder's clients nor overwrites its file. The kernel lets go of
/// the lock when the process dies, however it dies.
/// </summary>
internal sealed partial class StateFile(string directory, string gatewayId) : IDisposable
{
    private FileStream? _lock;

    public string Path { get; } = System.IO.Path.Combine(directory, gatewayId + ".state");

    private string TemporaryPath => Path + ".tmp";

    private string LockPath => System.IO.Path.Combine(directory, gatewayId + ".lock");

    /// <summary>Takes the lock unless another live process holds it; true when this process holds it.</summary>
    public bool TryLock()
    {
        if (_lock is not null) return true;
        try
        {
            // On Unix .NET takes an advisory flock(LOCK_EX) for FileShare.None.
            _lock = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The snapshot, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">It is damaged or of another version.</exception>
    public GatewayImage? Load()
    {
        try
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return GatewayStateFormat.Read(file);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Replaces the snapshot with what <paramref name="export"/> writes; returns its size in bytes.</summary>
    public long Save(long takenAtUnixMs, long pingOriginTimestamp, Action<StateWriter> export)
    {
        long bytes;
        using (var file = new FileStream(TemporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var writer = new StateWriter(file, takenAtUnixMs, pingOriginTimestamp);
            export(writer);
            writer.Finish();
            file.Flush(flushToDisk: true);
            bytes = file.Length;
        }
        File.Move(TemporaryPath, Path, overwrite: true);
        FlushDirectory();
        return bytes;
    }

    /// <summary>The rename is durable only once the directory is on disk too (Linux; elsewhere the rename alone).</summary>
    private void FlushDirectory()
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return;
        _ = Fsync(fd);
        _ = Close(fd);
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
