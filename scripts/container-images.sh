#!/usr/bin/env bash
# The base images the Dockerfile and docker-compose.yml name, for a Docker engine that can reach no
# registry. Each is pulled first; only when the pull fails is a stand-in built here under the same name:
#
#   mcr.microsoft.com/dotnet/sdk:10.0     Debian bookworm (debootstrap minbase, from apt's own mirror) + this machine's .NET SDK
#   mcr.microsoft.com/dotnet/aspnet:10.0  the same base + this machine's .NET runtimes (no SDK)
#   redis:7                               the same base + Debian's redis-server
#
#   scripts/container-images.sh [WORKDIR]   # WORKDIR (default .container-images/) holds the root file system while building
#
# The host's locally added CA certificates (/usr/local/share/ca-certificates) go into the base, so that
# NuGet restore inside a build works behind a TLS-inspecting proxy, as it does on the host. Needs root
# (debootstrap, chroot) and the `dotnet` on PATH; an image already present is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:-$PWD/.container-images}
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
DOCKER=/usr/bin/docker; [ -x $DOCKER ] || DOCKER=docker
BASE=tixtrigger-standin/debian:bookworm
SDK=mcr.microsoft.com/dotnet/sdk:10.0
ASPNET=mcr.microsoft.com/dotnet/aspnet:10.0
REDIS=redis:7
APP_UID=1654   # the non-root user the official .NET images provide

present() { $DOCKER image inspect "$1" > /dev/null 2>&1; }
# The real image when a registry answers; a stand-in otherwise.
wanted() {
  present "$1" && return 1
  if timeout 60 $DOCKER pull -q "$1" > /dev/null 2>&1; then echo "images: pulled $1"; return 1; fi
  echo "images: cannot pull $1, building a stand-in"
}

# The first Debian mirror apt is configured with (deb822 or one-line format).
mirror() {
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ print $2 }'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{ print $2 }'
  } | grep -v security | head -1 || true
}

base() {
  present $BASE && return 0
  command -v debootstrap > /dev/null || [ -x /usr/sbin/debootstrap ] || { echo "images: debootstrap is missing (apt-get install debootstrap)" >&2; return 1; }
  local rootfs=$work/rootfs url
  url=$(mirror); url=${url:-http://deb.debian.org/debian}
  $SUDO rm -rf "$rootfs"; mkdir -p "$work"
  echo "images: debootstrap bookworm from $url"
  $SUDO debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,zlib1g,tzdata bookworm "$rootfs" "$url" > "$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; return 1; }
  $SUDO cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" 2>/dev/null || true
  $SUDO chroot "$rootfs" update-ca-certificates > /dev/null
  $SUDO chroot "$rootfs" groupadd --gid $APP_UID app
  $SUDO chroot "$rootfs" useradd --uid $APP_UID --gid $APP_UID --create-home app
  $SUDO rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  $SUDO tar -C "$rootfs" -c . | $DOCKER import --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" - $BASE > /dev/null
  $SUDO rm -rf "$rootfs"
  echo "images: built $BASE"
}

# A .NET image: the base plus the given parts of this machine's .NET install, as the official images lay it out.
dotnet_image() {
  local name=$1; shift
  local root context
  root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  context=$work/dotnet-context
  rm -rf "$context"; mkdir -p "$context/dotnet"
  for part in dotnet LICENSE.txt ThirdPartyNotices.txt "$@"; do
    mkdir -p "$context/dotnet/$(dirname "$part")"
    # Hard links when on one file system: the context is 600 MB otherwise copied.
    cp -al "$root/$part" "$context/dotnet/$part" 2>/dev/null || cp -a "$root/$part" "$context/dotnet/$part"
  done
  cat > "$context/Dockerfile" <<EOF
FROM $BASE
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV APP_UID=$APP_UID DOTNET_RUNNING_IN_CONTAINER=true ASPNETCORE_HTTP_PORTS=8080 DOTNET_NOLOGO=true DOTNET_CLI_TELEMETRY_OPTOUT=true
EOF
  $DOCKER build -q -t "$name" "$context" > /dev/null
  rm -rf "$context"
  echo "images: built $name"
}

redis_image() {
  local context=$work/redis-context
  rm -rf "$context"; mkdir -p "$context"
  # As the official image: redis-server as the redis user, reachable on the container's network.
  cat > "$context/entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = redis-server ]; then shift; exec setpriv --reuid=redis --regid=redis --init-groups redis-server "$@" --protected-mode no; fi
exec "$@"
EOF
  cat > "$context/Dockerfile" <<EOF
FROM $BASE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server > /dev/null \
 && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
EOF
  $DOCKER build -q -t $REDIS "$context" > /dev/null
  rm -rf "$context"
  echo "images: built $REDIS"
}

need_sdk=0; need_aspnet=0; need_redis=0
wanted $SDK && need_sdk=1
wanted $ASPNET && need_aspnet=1
wanted $REDIS && need_redis=1
if [ $((need_sdk + need_aspnet + need_redis)) -gt 0 ]; then base; fi
[ $need_sdk = 0 ] || dotnet_image $SDK host shared packs sdk sdk-manifests templates
[ $need_aspnet = 0 ] || dotnet_image $ASPNET host shared/Microsoft.NETCore.App shared/Microsoft.AspNetCore.App
[ $need_redis = 0 ] || redis_image
echo "images: $SDK, $ASPNET and $REDIS are present"
