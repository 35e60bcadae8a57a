using Microsoft.Extensions.Configuration;

namespace TixTrigger.Settings;

/// <summary>Reads and validates every setting before anything starts, so a bad one costs one clear line, not a stack trace.</summary>
public static class StartupSettings
{
    public const int InvalidSettingExitCode = 2;

    /// <summary>A valid setting the machine cannot honour at start: a port another process holds, an address not its own, Redis out of reach.</summary>
    public const int CannotStartExitCode = 1;

    public static bool TryRead<T>(IConfiguration configuration, Func<IConfiguration, T> read, out T settings)
    {
        try
        {
            settings = read(configuration);
            return true;
        }
        catch (InvalidSettingException error)
        {
            Console.Error.WriteLine($"tixtrigger: {error.Message}");
            settings = default!;
            return false;
        }
    }
}
