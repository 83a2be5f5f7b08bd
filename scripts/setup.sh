#!/usr/bin/env bash
# One-time host setup for Thaw (idempotent, fast when done): the Debian packages the platform and its tests use,
# and a working CRIU (scripts/setup-criu.sh). Needs root for the installs.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf 'thaw-setup: %s\n' "$*"; }

# awscli: the AWS CLI v2 the integration tests drive (Debian 12 ships 2.9.19). iproute2 and nftables: each
# environment's network namespace, its veth link and the egress rules. prometheus: the server and promtool that
# MetricsIT scrapes Thaw with; chromium, chromium-driver: the headless browser DashboardIT loads the dashboard in.
# postgresql: the throwaway clusters the PostgreSQL store's tests start. kubernetes-client: the kubectl whose
# `kubectl kustomize` renders deploy/kubernetes for KubernetesManifestsIT.
PKGS=(util-linux uidmap maven curl awscli iproute2 nftables prometheus chromium chromium-driver postgresql
      kubernetes-client)
missing=()
for p in "${PKGS[@]}"; do
  # A kubectl from another package (a cloud SDK's) renders kustomize as well, and Debian's would conflict with it.
  [[ $p == kubernetes-client ]] && command -v kubectl >/dev/null && continue
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing packages ${missing[*]}: run this script as root once"; exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ $(id -u) -eq 0 ]]; then
  # Each function's environments run in a user namespace whose uids 0-65535 are 65,536 host uids of the function's
  # own, from 100000 up: 16,384 functions in all (newuidmap checks the ranges against these lines).
  for f in /etc/subuid /etc/subgid; do
    grep -qx 'root:100000:1073741824' "$f" 2>/dev/null || { echo 'root:100000:1073741824' >> "$f"; say "added root:100000:1073741824 to $f"; }
  done
  "$REPO/scripts/setup-criu.sh"
else
  say "not root: skipping CRIU setup (SnapStart needs root)"
fi
