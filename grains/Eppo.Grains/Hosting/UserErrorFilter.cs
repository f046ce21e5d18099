using Eppo.Core;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Hosting;

/// <summary>Rewraps <see cref="EppoException"/> thrown by any grain as <see cref="EppoRequestException"/>, which Orleans can serialize.</summary>
public sealed class UserErrorFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (EppoException e)
        {
            throw new EppoRequestException(e.Message);
        }
    }
}
