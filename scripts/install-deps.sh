#!/usr/bin/env bash
# Installs every build, test and runtime dependency of stack from Debian's archive.
# Idempotent: packages already present are skipped, so a second run does no network I/O.
set -euo pipefail

packages=(
  # build; git is also what `stack image build` runs for ADD of a git repository (and its tests'
  # git daemon)
  build-essential cmake ninja-build pkg-config git
  # libraries
  libyaml-cpp-dev libnl-3-dev libnl-route-3-dev nlohmann-json3-dev libasio-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev googletest libcli11-dev
  libseccomp-dev libcap-dev libmd-dev libarchive-dev libzstd-dev libcurl4-openssl-dev libssl-dev
  # static archives of libarchive's compressors (STACK_STATIC_LIBS)
  liblzma-dev libbz2-dev zlib1g-dev liblz4-dev
  libsystemd-dev
  # nftables: the header only (libnftables1 is dlopen'ed at run time, never linked); the nft CLI
  # is for debugging, no test uses it
  libnftables-dev nftables
  # fuzzing (libFuzzer ships with clang's runtime)
  clang libclang-rt-14-dev
  # test and benchmark tools
  busybox-static iproute2 docker-registry skopeo apache2-utils curl hyperfine procps
  # ssh-agent, ssh-add and ssh-keygen for the RUN --mount=type=ssh test
  openssh-client
  # bench/run.sh: its plots
  gnuplot-nox
  # the compose compatibility suite's comparison (tests/compat)
  python3
)
# node and npm for the schema validation of `stack kube generate` (tests/unit/kube/schema), from
# Debian unless a node of another origin is installed already (Debian's npm would conflict with it)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi

# Keep package scripts from starting services (docker-registry) behind the tests' back.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
