namespace TixTrigger.Tests.Compose;

/// <summary>
/// A test that needs a Docker engine and the images: ./tests/run.sh runs these after the rest, with
/// TIXTRIGGER_COMPOSE=1, once it has both (./tests/run.sh compose runs only them). Elsewhere they are skipped, saying so.
/// </summary>
public sealed class ComposeFactAttribute : FactAttribute
{
    public ComposeFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("TIXTRIGGER_COMPOSE") != "1") Skip = "needs a Docker engine: run ./tests/run.sh compose";
    }
}
