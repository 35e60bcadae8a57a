using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TixTrigger.Settings;

namespace TixTrigger.Silo.Hosting;

/// <summary>
/// HTTP basic authentication against <c>DASHBOARD_USER</c>/<c>DASHBOARD_PASSWORD</c>. Browsers ask
/// for the credentials and resend them with every request of the dashboard's scripts. Compared in
/// constant time; without TLS in front, they cross the network readable, hence loopback by default.
/// </summary>
internal sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    DashboardAccessOptions access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "Basic";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        byte[] presented;
        try
        {
            presented = Convert.FromBase64String(header["Basic ".Length..].Trim());
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed credentials"));
        }
        byte[] expected = Encoding.UTF8.GetBytes($"{access.User}:{access.Password}");
        if (!CryptographicOperations.FixedTimeEquals(presented, expected)) return Task.FromResult(AuthenticateResult.Fail("wrong user or password"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, access.User)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic realm=\"TixTrigger\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }
}
