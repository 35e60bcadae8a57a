# Both images, one build: `docker build --target silo -t tixtrigger-silo .` or `--target gateway`
# (docker compose picks the target from docker-compose.yml). Build context: the repository root.
# The silo's stage comes first: Docker's classic builder builds every stage before the target.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone first, so the package layer is reused until a project file changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY shared/TixTrigger.Shared.csproj shared/
COPY gateway/TixTrigger.Gateway.csproj gateway/
COPY silo/TixTrigger.Silo.csproj silo/
RUN dotnet restore silo/TixTrigger.Silo.csproj
COPY shared/ shared/
COPY gateway/ gateway/
COPY silo/ silo/
RUN dotnet publish silo/TixTrigger.Silo.csproj -c Release -o /app/silo --no-restore \
 && dotnet publish gateway/TixTrigger.Gateway.csproj -c Release -o /app/gateway --no-restore

# What both images share: the ASP.NET Core runtime (each serves HTTP: /metrics and the probes, the
# silo its pages too) and the folder where a node keeps its clients' snapshot (STATE_DIR; the default,
# beside the binaries, is not the non-root user's to write; compose mounts a volume there).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# Each node binds its HTTP port itself; the image's default would only log an "overriding address" warning.
ENV ASPNETCORE_HTTP_PORTS=
RUN mkdir -p /var/lib/tixtrigger && chown "$APP_UID:$APP_UID" /var/lib/tixtrigger
ENV STATE_DIR=/var/lib/tixtrigger

# The silo (a single node's built-in gateway included).
FROM runtime AS silo
COPY --from=build /app/silo .
USER $APP_UID
# Orleans silo-to-silo, Orleans client gateway (the UDP gateways connect here), and HTTP: status page,
# dashboard, /metrics and the probes (DASHBOARD_PORT).
EXPOSE 11111 30000 8080
# Exits 0 when /readyz on DASHBOARD_PORT answers 200: an active member of the cluster.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["dotnet", "TixTrigger.Silo.dll", "--healthcheck"]
ENTRYPOINT ["dotnet", "TixTrigger.Silo.dll"]

# The standalone UDP gateway.
FROM runtime AS gateway
COPY --from=build /app/gateway .
# The native launcher may raise the ping sender's priority (nice -10) as the non-root user, where the
# container is granted CAP_SYS_NICE (compose: cap_add and this entrypoint). The file capability must be
# set in this stage: COPY --from drops it. The default entrypoint below needs no capability.
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libcap2-bin > /dev/null \
 && setcap cap_sys_nice+ep /app/TixTrigger.Gateway \
 && apt-get purge -y -qq libcap2-bin > /dev/null && rm -rf /var/lib/apt/lists/*
# The non-root user the .NET images provide.
USER $APP_UID
# Heartbeats in, pings out (PORT); /metrics and the probes (METRICS_PORT).
EXPOSE 7561/udp 9464
# Exits 0 when /readyz on METRICS_PORT answers 200: UDP bound and connected to the cluster.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["dotnet", "TixTrigger.Gateway.dll", "--healthcheck"]
ENTRYPOINT ["dotnet", "TixTrigger.Gateway.dll"]
