#!/usr/bin/env bash
# Installs what Thaw's SnapStart needs on a Debian host: a working CRIU >= 4 at
# /usr/local/lib/thaw/criu/criu (the platform looks there after $THAW_CRIU),
# its kerndat cache directory /run/thaw-criu on a tmpfs, and the Debian
# packages the environments use at run time (uidmap, util-linux).
#
# Order of preference for CRIU:
#   1. the one already installed at the target path, if it is >= 4 and its
#      `criu check` passes (re-runs take well under a second);
#   2. a distribution `criu` on PATH, or the distribution's candidate package,
#      if it is >= 4 and passes `criu check`: it is symlinked to the target;
#   3. otherwise CRIU 4.1.1 is built from Debian trixie's source package
#      (Debian 12's criu 3.17 fails `criu check` on recent kernels), with the
#      patches in scripts/criu-patches applied (restore-speed changes only;
#      each file says what it does and what it measured). A build made
#      before the current patches is rebuilt.
#
# The trixie deb-src entry lives only in a private, temporary apt
# configuration (its own sources list, lists and cache directories), so the
# machine's apt configuration and package lists are never changed, even if
# this script is interrupted. The archive URI is taken at run time from the
# machine's own Debian apt source.
#
# Must run as root. Safe to re-run; concurrent runs are serialised.
#
# --build-only builds and installs CRIU without running it: for an image build (deploy/docker/Dockerfile), which
# runs without the privileges `criu check` needs and on another kernel than the one the image will run on. The
# tmpfs for the kerndat cache is then left to the container (deploy/kubernetes mounts one).
set -euo pipefail

readonly CRIU_VERSION=4.1.1
readonly CRIU_SOURCE_SUITE=trixie
readonly DEST_DIR=/usr/local/lib/thaw/criu
readonly DEST=$DEST_DIR/criu
readonly RUNDIR=/run/thaw-criu
readonly RUNDIR_SIZE=16m
readonly LOCK=/run/thaw-setup-criu.lock
readonly PATCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/criu-patches
# Identifies a build: the CRIU version plus the patches and options it was built with.
readonly BUILD_STAMP=$DEST_DIR/build
# Without GnuTLS (only the TLS page server needs it) CRIU loads 8 fewer libraries:
# it starts in 3.0 ms instead of 5.3 ms, and a restore waits for that start.
readonly MAKE_OPTIONS=(NO_GNUTLS=1)
readonly BUILD_DEPS=(
  build-essential xz-utils patch
  libprotobuf-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler python3-protobuf
  libnl-3-dev libnet1-dev libcap-dev pkg-config libbsd-dev libnftables-dev uuid-dev
)
readonly RUNTIME_PKGS=(uidmap util-linux)
BUILD_ONLY=0

say() { printf 'thaw-setup: %s\n' "$*"; }
die() { printf 'thaw-setup: error: %s\n' "$*" >&2; exit 1; }

# Prints the major version of the criu binary $1, or nothing if it does not run.
criu_major() {
  "$1" --version 2>/dev/null | sed -n 's/^Version: *\([0-9][0-9]*\).*/\1/p' | head -n1
}

# True if $1 is a CRIU >= 4 whose `criu check` passes.
criu_usable() {
  local bin=$1 major
  [[ -x $bin ]] || return 1
  major=$(criu_major "$bin")
  [[ -n $major && $major -ge 4 ]] || return 1
  "$bin" check >/dev/null 2>&1
}

# Prints the names of the given packages that are not installed.
missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$p"
  done
}

APT_UPDATED=0
apt_install() {
  local missing
  mapfile -t missing < <(missing_pkgs "$@")
  ((${#missing[@]})) || return 0
  if ((!APT_UPDATED)); then
    say "apt-get update"
    quietly apt-get update
    APT_UPDATED=1
  fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive quietly apt-get install -y --no-install-recommends "${missing[@]}"
}

# Runs a command with its output kept aside, and shows the output only if it fails.
quietly() {
  local out rc=0
  out=$(mktemp /tmp/thaw-setup-out.XXXXXX)
  "$@" >"$out" 2>&1 || rc=$?
  ((rc == 0)) || { tail -n 40 "$out" >&2; rm -f "$out"; die "failed ($rc): $*"; }
  rm -f "$out"
}

# Prints "URI<TAB>SIGNED_BY" of the machine's main Debian apt source: the
# entry whose suite is exactly this release's codename (not -updates or
# -security). SIGNED_BY may be empty. Reads deb822 .sources files first, then
# one-line .list files.
debian_source() {
  local codename=$1 f
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    awk -v want="$codename" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && uri != "") {
          print uri "\t" key; found = 1; exit
        }
        types = suites = uri = key = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"     { $1 = ""; types = substr($0, 2) }
      tolower($1) == "suites:"    { $1 = ""; suites = substr($0, 2) }
      tolower($1) == "uris:"      { uri = $2 }
      tolower($1) == "signed-by:" { key = ($2 ~ /^\//) ? $2 : "" }
      tolower($1) == "enabled:"   { if (tolower($2) == "no") types = "" }
      END { if (!found) flush() }
    ' "$f" | head -n1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk -v want="$codename" '
      $1 != "deb" { next }
      {
        i = 2; key = ""
        if ($2 ~ /^\[/) {
          while (i <= NF) {
            if ($i ~ /^\[?signed-by=/) { k = $i; sub(/^\[?signed-by=/, "", k); sub(/\]$/, "", k); key = k }
            if ($i ~ /\]$/) { i++; break }
            i++
          }
        }
        if ($(i + 1) == want) { print $i "\t" key; exit }
      }
    ' "$f" | head -n1
  done
  shopt -u nullglob
}

ensure_rundir() {
  mkdir -p "$RUNDIR"
  chmod 0700 "$RUNDIR"
  if [[ $(stat -f -c %T "$RUNDIR") != tmpfs ]]; then
    say "mounting a tmpfs at $RUNDIR (CRIU's kerndat cache)"
    mount -t tmpfs -o size=$RUNDIR_SIZE,mode=0700 tmpfs "$RUNDIR"
  fi
}

# The build this script makes: "VERSION+SHA256" of the patches and make options.
wanted_build() {
  local sum
  sum=$( (cat "$PATCH_DIR"/*.patch 2>/dev/null; printf '%s\n' "${MAKE_OPTIONS[@]}") | sha256sum | cut -c1-16)
  printf '%s+%s\n' "$CRIU_VERSION" "$sum"
}

# True if $DEST is a build of this script that predates the current patches
# (a distribution CRIU linked at $DEST is kept as it is).
stale_build() {
  [[ -f $DEST && ! -L $DEST ]] || return 1
  [[ $(cat "$BUILD_STAMP" 2>/dev/null) != "$(wanted_build)" ]]
}

# Installs $1 at $DEST atomically (a running criu is never overwritten in place).
install_binary() {
  mkdir -p "$DEST_DIR"
  install -m 0755 "$1" "$DEST.new.$$"
  mv -f "$DEST.new.$$" "$DEST"
}

link_distribution_criu() {
  local bin
  bin=$(command -v criu 2>/dev/null || true)
  if [[ -n $bin && $(readlink -f "$bin") != "$(readlink -f "$DEST" 2>/dev/null)" ]] && criu_usable "$bin"; then
    say "using the distribution's CRIU at $bin ($(criu_major "$bin").x)"
    mkdir -p "$DEST_DIR"
    ln -sfn "$bin" "$DEST"
    return 0
  fi
  # A newer distribution may ship CRIU >= 4: prefer its package to a build.
  local candidate
  candidate=$(apt-cache policy criu 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n1)
  if [[ $candidate =~ ^([0-9]+:)?([0-9]+)\. ]] && ((BASH_REMATCH[2] >= 4)); then
    apt_install criu
    bin=$(command -v criu 2>/dev/null || true)
    if [[ -n $bin ]] && criu_usable "$bin"; then
      say "using the distribution's CRIU package $candidate at $bin"
      mkdir -p "$DEST_DIR"
      ln -sfn "$bin" "$DEST"
      return 0
    fi
    say "the distribution's CRIU $candidate does not pass 'criu check'; building instead"
  fi
  return 1
}

build_criu() {
  local codename src uri key work tarball
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || die "cannot read VERSION_CODENAME from /etc/os-release; install CRIU >= 4 yourself and set THAW_CRIU"
  src=$(debian_source "$codename" | head -n1)
  [[ -n $src ]] || die "no Debian apt source for '$codename' found in /etc/apt; install CRIU >= 4 yourself and set THAW_CRIU"
  uri=${src%%$'\t'*}
  key=${src#*$'\t'}

  say "building CRIU $CRIU_VERSION from Debian $CRIU_SOURCE_SUITE's source package (about a minute)"
  apt_install "${BUILD_DEPS[@]}"

  work=$(mktemp -d /tmp/thaw-criu-build.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/parts" "$work/src"
  printf 'deb-src %s%s %s main\n' "${key:+[signed-by=$key] }" "$uri" "$CRIU_SOURCE_SUITE" >"$work/apt/sources.list"
  local apt_private=(
    -o Dir::Etc::SourceList="$work/apt/sources.list"
    -o Dir::Etc::SourceParts="$work/apt/parts"
    -o Dir::State::Lists="$work/apt/lists"
    -o Dir::Cache="$work/apt/cache"
    -o APT::Sandbox::User=root
  )
  say "fetching the $CRIU_SOURCE_SUITE source index (private apt config: $(cat "$work/apt/sources.list"))"
  apt-get "${apt_private[@]}" update -qq
  say "downloading criu sources"
  # The .dsc or the Debian tarball may answer 404 while the upstream tarball
  # downloads; only the upstream tarball is needed, so judge by that file.
  (cd "$work/src" && apt-get "${apt_private[@]}" source --download-only -qq criu >/dev/null 2>"$work/source.err") || true
  tarball=$work/src/criu_$CRIU_VERSION.orig.tar.xz
  if [[ ! -s $tarball ]]; then
    cat "$work/source.err" >&2
    die "criu_$CRIU_VERSION.orig.tar.xz did not download (is $CRIU_SOURCE_SUITE still at CRIU $CRIU_VERSION?)"
  fi
  tar -xJf "$tarball" -C "$work/src"
  local tree
  tree=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'criu*' | head -n1)
  [[ -n $tree ]] || die "unexpected layout of $tarball"

  local patch
  for patch in "$PATCH_DIR"/*.patch; do
    [[ -e $patch ]] || continue
    say "applying $(basename "$patch")"
    patch -s -p1 -d "$tree" <"$patch" || die "$(basename "$patch") does not apply to CRIU $CRIU_VERSION"
  done

  say "compiling (make -j$(nproc) criu RUNDIR=$RUNDIR ${MAKE_OPTIONS[*]})"
  if ! make -C "$tree" -j"$(nproc)" criu RUNDIR="$RUNDIR" "${MAKE_OPTIONS[@]}" >"$work/make.log" 2>&1; then
    tail -n 40 "$work/make.log" >&2
    die "CRIU build failed"
  fi
  if ((!BUILD_ONLY)); then
    "$tree/criu/criu" check >/dev/null 2>&1 || {
      "$tree/criu/criu" check >&2 || true
      die "the freshly built CRIU fails 'criu check' on this kernel"
    }
  fi
  install_binary "$tree/criu/criu"
  wanted_build >"$BUILD_STAMP"
  say "installed CRIU $CRIU_VERSION at $DEST"
  rm -rf "$work"
  trap - EXIT
}

main() {
  [[ $(id -u) -eq 0 ]] || die "run as root (CRIU dumps and restores need it)"
  case "${1:-}" in
    --build-only) BUILD_ONLY=1 ;;
    "") ;;
    *) die "unknown argument $1 (the only one is --build-only)" ;;
  esac

  exec 9>"$LOCK"
  flock 9

  apt_install "${RUNTIME_PKGS[@]}"
  if ((BUILD_ONLY)); then
    if [[ -x $DEST && ! -L $DEST ]] && ! stale_build; then
      say "CRIU already built at $DEST"
    else
      build_criu
    fi
    say "$("$DEST" --version | head -n1 | sed 's/^Version: */CRIU version /') at $DEST (not checked: --build-only)"
    return 0
  fi
  ensure_rundir

  if stale_build; then
    say "the CRIU at $DEST was built without the current patches ($(wanted_build)); rebuilding"
    build_criu
  elif criu_usable "$DEST"; then
    say "CRIU already installed at $DEST"
  elif ! link_distribution_criu; then
    build_criu
  fi

  say "criu check:"
  "$DEST" check 2>&1 | sed 's/^/  /'
  say "$("$DEST" --version | head -n1 | sed 's/^Version: */CRIU version /') at $DEST$([[ -L $DEST ]] && printf ' -> %s' "$(readlink -f "$DEST")")"
}

main "$@"
