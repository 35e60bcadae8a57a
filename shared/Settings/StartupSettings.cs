using Microsoft.Extensions.Configuration;

namespace TixTrigger.Settings;

/// <summary>Reads and validates every setting before anything starts, so a bad one costs one clear line, not a stack trace.</summary>
public static class StartupSettings
{
    public const int InvalidSettingExitCode = 2;

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
