using Eppo.Cli;

// Ctrl+C cancels the command's token (a watch ends politely, a silo shuts down); a second Ctrl+C ends the process.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    interrupt.Cancel();
};
return await EppoApp.Create(args).RunAsync(args, interrupt.Token);
