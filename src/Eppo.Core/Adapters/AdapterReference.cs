namespace Eppo.Core.Adapters;

/// <summary>
/// What a checkpoint of adapter weights needs beside them to become a policy: the base it adapts (its location when
/// the checkpoint was written) and the adapter's settings (PEFT's adapter_config.json text).
/// </summary>
public sealed record AdapterReference(string Base, string PeftConfig)
{
    public PeftConfig Settings(string source) => Adapters.PeftConfig.Parse(PeftConfig, source);
}
