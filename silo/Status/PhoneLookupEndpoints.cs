namespace TixTrigger.Silo.Status;

/// <summary>
/// The lookup of one phone over HTTP: <c>/status/clients?ip=&amp;port=</c> as JSON, and the status
/// page's section for <c>/status?ip=&amp;port=</c>. Behind the dashboard login like every page: it shows client addresses.
/// </summary>
public static class PhoneLookupEndpoints
{
    public static async Task<IResult> JsonAsync(IGrainFactory grains, ILocalSiloDetails silo, string? ip, string? port)
    {
        var query = PhoneLookupReport.Parse(ip, port, out string? error);
        if (query is null) return Results.BadRequest(new { error });
        return Results.Json(await PhoneLookupReport.GatherAsync(grains, silo, query));
    }

    /// <summary>Null when the search box was not used.</summary>
    public static async Task<PhoneLookupSection?> SectionAsync(IGrainFactory grains, ILocalSiloDetails silo, string? ip, string? port)
    {
        if (ip is null && port is null) return null;
        var query = PhoneLookupReport.Parse(ip, port, out string? error);
        var report = query is null ? null : await PhoneLookupReport.GatherAsync(grains, silo, query);
        return new PhoneLookupSection(ip ?? "", port ?? "", report, error);
    }
}
