using System.Globalization;
using System.Net.Sockets;
using TixTrigger.Bench;
using TixTrigger.Bench.Comparison;
using TixTrigger.Bench.Coordination;
using TixTrigger.Bench.Nodes;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Worker;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

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

if (args.Any(arg => arg is "--help" or "-h"))
{
    Console.WriteLine(Usage.Text);
    return ExitCodes.Pass;
}

if (!OptionParser.TryParse(args, out var options, out string? error))
{
    Console.Error.WriteLine($"bench: {error}");
    Console.Error.WriteLine("run with --help for the options");
    return ExitCodes.CouldNotMeasure;
}

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
catch (Exception failure) when (failure is WorkerFailedException or NodeFailedException)
{
    Console.Error.WriteLine($"bench: {failure.Message}");
    return ExitCodes.CouldNotMeasure;
}
