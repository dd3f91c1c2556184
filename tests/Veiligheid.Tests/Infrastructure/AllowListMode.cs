using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Data;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>Switches an organisation's trusted-documents (allow-list) mode in a test host's database.</summary>
internal static class AllowListMode
{
    public static async Task SetAsync(IServiceProvider services, string organisationKey, bool on)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var changed = await db.Organisations.Where(o => o.Key == organisationKey)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.TrustedDocumentsOnly, on));
        Assert.Equal(1, changed);
    }
}
