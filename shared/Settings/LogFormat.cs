namespace TixTrigger.Settings;

/// <summary><c>LOG_FORMAT</c>: one readable line per event, or one JSON object per line for a log collector.</summary>
public enum LogFormat
{
    Text,
    Json,
}
