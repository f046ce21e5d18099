using Eppo.Cli;

return await EppoApp.Create(args).RunAsync(args);
