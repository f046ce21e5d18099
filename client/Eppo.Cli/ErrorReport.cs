using Eppo.Core;
using Eppo.Grains.Interfaces;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli;

/// <summary>Turns exceptions into one line on stderr and an exit code; a stack trace only for real bugs.</summary>
public static class ErrorReport
{
    public static int Handle(Exception exception)
    {
        var inner = exception is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : exception;
        switch (inner)
        {
            case EppoException or EppoRequestException or CommandParseException or CommandRuntimeException:
                Line($"error: {inner.Message}");
                return ExitCodes.UserError;
            case ClusterUnreachableException or Silo.StorageUnavailableException:
                Line($"error: {inner.Message}");
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
