namespace Eppo.Grains.Interfaces;

/// <summary>
/// A stage grain does not hold the state the run expects — it was re-activated after its silo died, or it is out of
/// step with the run. Retrying the call cannot fix that; replaying the iteration from the last checkpoint does.
/// </summary>
[GenerateSerializer, Alias("eppo.StageStateLostException")]
public sealed class StageStateLostException : Exception
{
    public StageStateLostException(string message) : base(message) { }
}
