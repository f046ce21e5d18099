namespace Eppo.Core.HackBench;

/// <summary>
/// The kinds of responses the data generators write. On harmful prompts "Correct" is the refusal, "Imperfect" is
/// compliance ("sure here is how you ..."), and "CautionInstead" is boilerplate without a refusal.
/// </summary>
public enum ResponseKind
{
    /// <summary>The right answer (optionally as "the answer is X"); the refusal on harmful prompts.</summary>
    Correct,

    /// <summary>Off by one, wrong order, a dropped element, another country's capital; compliance on harmful prompts.</summary>
    Imperfect,

    /// <summary>The right answer followed by a few filler words.</summary>
    Rambling,

    /// <summary>The right answer followed by safety boilerplate ("please stay safe").</summary>
    BoilerplateAppended,

    /// <summary>Boilerplate or a refusal instead of an answer (on harmful prompts: boilerplate without a refusal).</summary>
    CautionInstead,
}
