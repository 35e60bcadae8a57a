namespace TixTrigger.Settings;

/// <summary>A setting that cannot be used. Its message is the one line a user sees before the process exits.</summary>
public sealed class InvalidSettingException(string variable, string? value, string accepts)
    : Exception($"{variable}={value} is not valid: {variable} accepts {accepts}.");
