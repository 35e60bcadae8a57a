using System.Diagnostics;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, with its append-only file in a temporary folder
/// (as in production: a cluster cannot rejoin a Redis that restarted empty). Restartable on the
/// same port and data; killed on dispose.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tixtrigger-redis-").FullName;
    private Process? _process;

    public RedisServer()
    {
        Port = FreePorts.Next();
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        _process = InstalledTool.Start("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--appendonly", "yes", "--save", "", "--dir", _directory, "--daemonize", "no"], _ => { });
        if (!await Eventually.True(AcceptsConnections, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException($"redis-server did not start on port {Port}.");
        }
    }

    /// <summary>A clean shutdown (SIGTERM): Redis flushes its append-only file, as on a restart.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        Process.Start("kill", ["-TERM", _process.Id.ToString()]).WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
    }

    private bool AcceptsConnections()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (_process is { HasExited: false }) _process.Kill();
            _process?.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
