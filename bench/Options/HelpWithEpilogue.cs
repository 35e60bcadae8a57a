using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace TixTrigger.Bench.Options;

/// <summary>The generated help, then what it cannot say: the exit codes and the report's last line.</summary>
internal sealed class HelpWithEpilogue(HelpAction help, string epilogue) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        int exitCode = help.Invoke(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(epilogue);
        return exitCode;
    }
}
