#!/usr/bin/env bash
# Installs what the end-to-end tests need on a clean Debian machine, as root:
#   podman (serves the Docker Engine API), runc (its runtime: crun cannot RUN here),
#   docker-registry (the CNCF distribution registry), apache2-utils (htpasswd), openssl (TLS cert),
#   busybox-static (the static binary the local base image is built from), and a docker client.
# Idempotent: installs only what is missing, prints one line and exits quickly when all is present.
set -euo pipefail

# command → Debian package providing it
declare -A wanted=(
  [podman]=podman
  [runc]=runc
  [docker-registry]=docker-registry
  [htpasswd]=apache2-utils
  [openssl]=openssl
  [curl]=curl
)

missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
done
# busybox-static ships /bin/busybox as a static binary; the dynamic 'busybox' package does not do.
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
  missing+=(busybox-static)
fi

# The docker CLI is usually at /usr/local/bin/docker already; otherwise take Debian's client.
command -v docker >/dev/null 2>&1 || missing+=(docker-client)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all present (podman runc docker-registry htpasswd openssl curl busybox-static docker)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing: ${missing[*]}" >&2
  echo "install-test-deps: run this script as root (it installs them with apt-get), or install them yourself" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${missing[*]}"
apt-get update -qq >/dev/null

packages=()
for package in "${missing[@]}"; do
  if [ "$package" = docker-client ]; then
    # Debian 13+ ships the client alone as docker-cli; on 12 it comes with docker.io.
    if apt-cache show docker-cli >/dev/null 2>&1; then packages+=(docker-cli); else packages+=(docker.io); fi
  else
    packages+=("$package")
  fi
done

# Package scripts must not start services (docker-registry would listen on :5000 on every interface,
# docker.io would start dockerd): the tests start their own, on 127.0.0.1. Debian's standard switch
# for that is a policy-rc.d that exits 101; add one for the install when the machine has none.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

for cmd in podman runc docker-registry htpasswd openssl docker; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "install-test-deps: $cmd still missing after install" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "install-test-deps: /bin/busybox missing after install" >&2; exit 1; }
echo "install-test-deps: done"
