using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Net.Sockets;
using TixTrigger.Bench.Comparison;
using TixTrigger.Bench.Coordination;
using TixTrigger.Bench;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Worker;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// The bench's own workers: started by WorkerCommand, their plan comes on stdin, not as options.
if (args is [WorkerCommand.WorkerFlag])
{
    try
    {
        return WorkerMain.Run();
    }
    catch (SocketException socketError)
    {
        Console.Error.WriteLine(socketError.SocketErrorCode == SocketError.AddressAlreadyInUse
            ? $"cannot open the clients' sockets: {socketError.Message} (one address has about 28,000 ephemeral ports; spread the clients with --bind 127.0.1.1,127.0.1.2,...)"
            : $"cannot open the clients' sockets: {socketError.Message} (a smaller --clients-per-worker may help)");
        return ExitCodes.CouldNotMeasure;
    }
}

var command = new BenchCommand();
command.Root.SetAction(async (parsed, _) =>
{
    var (options, problem) = command.Read(parsed);
    return problem is null ? await RunAsync(options) : Refuse(problem);
});

var parsed = command.Root.Parse(args);
if (parsed.Action is ParseErrorAction) return Refuse(parsed.Errors[0].Message);
// The bench handles Ctrl+C itself (InterruptSignals) and lets unexpected exceptions crash with their stack trace.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });

static int Refuse(string problem)
{
    Console.Error.WriteLine($"bench: {problem}");
    Console.Error.WriteLine("run with --help for the options");
    return ExitCodes.CouldNotMeasure;
}

static async Task<int> RunAsync(BenchOptions options)
{
    using var signals = new InterruptSignals();
    try
    {
        return options.Comparison is null
            ? await new Coordinator(options.SelfCheck ? SourceAddresses.Spread(options) : options, Console.Out).RunAsync(signals.Token)
            : await new CompareRunner(options, Console.Out).RunAsync(signals.Token);
    }
    catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
    {
        Console.Error.WriteLine("bench: interrupted; workers and nodes stopped");
        return ExitCodes.Interrupted;
    }
    catch (CannotMeasureException failure)
    {
        Console.Error.WriteLine($"bench: {failure.Message}");
        return ExitCodes.CouldNotMeasure;
    }
}
