using Eppo.Core;
using Eppo.Grains.Interfaces;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Spectre.Console.Cli;

namespace Eppo.Cli;

/// <summary>Turns exceptions into one line on stderr and an exit code; a stack trace only for real bugs.</summary>
public static class ErrorReport
{
    public static int Handle(Exception exception, string? usageHint = null)
    {
        var inner = exception is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : exception;
        switch (inner)
        {
            case CommandParseException or CommandRuntimeException:
                // Spectre's own messages (unknown command or flag, bad value, failed validation): one line and where help is.
                Line($"error: {inner.Message.TrimEnd('.')}" + (usageHint is null ? "" : $" ({usageHint})"));
                return ExitCodes.UserError;
            case EppoException or EppoRequestException:
                Line($"error: {inner.Message}");
                return ExitCodes.UserError;
            case ClusterUnreachableException or Silo.StorageUnavailableException:
                Line($"error: {inner.Message}");
                return ExitCodes.ClusterUnreachable;
            case SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException:
                // Connected first, then the silo went away (stopped, crashed, restarted) while the command was talking to it.
                Line($"error: lost the cluster ({inner.Message.TrimEnd('.')}): is the silo still up? `./eppo silo` starts one");
                return ExitCodes.ClusterUnreachable;
            case OperationCanceledException:
                Line("cancelled");
                return ExitCodes.Failure;
            default:
                Console.Error.WriteLine($"error: unexpected {inner.GetType().Name}: {inner.Message}");
                Console.Error.WriteLine(inner.StackTrace);
                return ExitCodes.Failure;
        }
    }

    static void Line(string message) => Console.Error.WriteLine(message.ReplaceLineEndings(" "));
}
