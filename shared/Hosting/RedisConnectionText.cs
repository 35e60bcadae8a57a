namespace TixTrigger.Hosting;

/// <summary>
/// A StackExchange.Redis configuration string as it may be shown: the value of any <c>password=</c>
/// option and the user information of a <c>user:password@host</c> form replaced by <c>***</c>, so an
/// error line can name what was wrong without handing the password to whoever reads the log.
/// </summary>
public static class RedisConnectionText
{
    private const string Hidden = "***";

    public static string WithoutSecrets(string connection) =>
        string.Join(',', connection.Split(',').Select(MaskOption));

    /// <summary><paramref name="text"/> (an error message about <paramref name="connection"/>) with every secret of the connection hidden.</summary>
    public static string WithoutSecretsOf(string connection, string text)
    {
        foreach (string secret in Secrets(connection)) text = text.Replace(secret, Hidden, StringComparison.Ordinal);
        return text;
    }

    private static IEnumerable<string> Secrets(string connection) =>
        connection.Split(',').Select(Secret).Where(secret => secret.Length > 0);

    private static string MaskOption(string option)
    {
        string secret = Secret(option);
        return secret.Length == 0 ? option : option.Replace(secret, Hidden, StringComparison.Ordinal);
    }

    /// <summary>The secret an option carries, or "": <c>password=</c>'s value, or what precedes the <c>@</c> of <c>scheme://user:password@host</c>.</summary>
    private static string Secret(string option)
    {
        int equals = option.IndexOf('=');
        if (equals > 0 && option[..equals].Trim().Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            return option[(equals + 1)..].Trim();
        }
        int at = option.LastIndexOf('@');
        if (at < 0) return "";
        int scheme = option.IndexOf("://", StringComparison.Ordinal);
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return option[start..at].Trim();
    }
}
