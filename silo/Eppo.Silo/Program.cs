using Eppo.Silo;

// The standalone silo (the CLI's `eppo silo` hosts the same thing). Settings from flags: --silo-port, --gateway-port, ...
var app = EppoSiloHost.Build(SiloArgs.Parse(args), args);
await app.RunAsync();
