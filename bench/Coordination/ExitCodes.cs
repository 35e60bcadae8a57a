namespace TixTrigger.Bench.Coordination;

internal static class ExitCodes
{
    public const int Pass = 0;

    /// <summary>Measured, and the service missed a criterion.</summary>
    public const int Fail = 1;

    /// <summary>Nothing to judge: bad options, or a worker could not run.</summary>
    public const int CouldNotMeasure = 2;

    public const int Interrupted = 130;
}
