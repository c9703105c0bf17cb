#!/usr/bin/env bash
# Smoke test for docker/Dockerfile on a machine with no Docker engine and no container registry.
#
#   sudo docker/smoke-test.sh [--jars prebuilt|maven] [--source worktree|head] [--keep-base] [--workdir DIR]
#
# What it does (docker/README.md has the long version):
#   1. copies the repository to a private folder (never builds in the work tree);
#   2. makes the base images itself: debootstrap (Debian bookworm, minbase) imported into buildah, then
#      openjdk-17-jre-headless on top (runtime base) and openjdk-17-jdk-headless + maven on that (build base);
#   3. builds docker/Dockerfile with `buildah bud --storage-driver vfs --isolation chroot --pull=never`,
#      passing the local base images as MAVEN_IMAGE / JRE_IMAGE;
#        --jars prebuilt (default): the jars are built on this machine first (mvn, in the private copy) and
#                                   the image build copies them in (--target runtime-prebuilt);
#        --jars maven:              Maven runs inside the image build (the default target, runtime; needs
#                                   Maven Central, with TLS the build's JDK trusts, from inside the build);
#   4. checks the image config: non-root user, HEALTHCHECK, exec-form entrypoint;
#   5. in a new network namespace that has only a loopback interface, starts a container from the image with
#      its own entrypoint and environment (the daemon listens on 0.0.0.0:7474 there, reachable from nowhere
#      else), waits for `zxd listening on`, runs the image's HEALTHCHECK command inside the container, runs
#      `zxctl demo` (the jar copied out of the image) from the host side against 127.0.0.1:7474, sends the
#      daemon SIGTERM and expects exit 0, then expects the health check to fail;
#   6. removes everything it made (containers, images, storage, the private copy); --keep-base keeps the
#      base images for a faster next run.
#
# Needs root (debootstrap, and buildah's vfs storage as root), Debian's package archive, Java 17 on the host
# (the demo client) and, for --jars prebuilt, Maven. Installs buildah and debootstrap with apt-get if missing.
# Network: Debian package downloads (debootstrap, apt inside the base images) and Maven's downloads; the
# daemon and the client talk only over the private namespace's loopback. Every step has a time limit.
# Takes minutes. Not part of CI.
set -euo pipefail

# ---- options --------------------------------------------------------------------------------------------
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jars=prebuilt
source_mode=worktree
keep_base=0
workdir=${ZXD_SMOKE_DIR:-/var/tmp/zxd-smoke}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

if [[ ${1:-} != __inside-netns ]]; then
  while [[ $# -gt 0 ]]; do
    case $1 in
      --jars) jars=${2:?}; shift 2 ;;
      --source) source_mode=${2:?}; shift 2 ;;
      --keep-base) keep_base=1; shift ;;
      --workdir) workdir=${2:?}; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) echo "smoke: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
  done
  [[ $jars == prebuilt || $jars == maven ]] || { echo "smoke: --jars is prebuilt or maven" >&2; exit 2; }
  [[ $source_mode == worktree || $source_mode == head ]] || { echo "smoke: --source is worktree or head" >&2; exit 2; }
fi

storage=$workdir/storage
buildah_cmd=(buildah --root "$storage/root" --runroot "$storage/runroot" --storage-driver vfs)
bh() { "${buildah_cmd[@]}" "$@"; }
# buildah keeps RUN --mount=type=cache folders and big temporary files under TMPDIR: keep them in workdir.
export TMPDIR=$workdir/tmp

base_debian=localhost/zxd-smoke/debian:$suite
base_jre=localhost/zxd-smoke/jre:17
base_maven=localhost/zxd-smoke/maven:17
image=localhost/zxd:smoke
ctr=zxd-smoke-daemon

t0=$SECONDS
say() { printf 'smoke: [%4ds] %s\n' $((SECONDS - t0)) "$*"; }
die() { say "FAILED: $*"; exit 1; }

# ---- inside the private network namespace: run the image and call it -----------------------------------
# Invoked as PID 1 of new network and PID namespaces (unshare --net --pid --mount-proc --fork --kill-child), so
# every process it starts ends with it; settings come through the environment.
if [[ ${1:-} == __inside-netns ]]; then
  SECONDS=${SMOKE_ELAPSED:-0}; t0=0                         # one clock for the whole run
  ip link set lo up
  say "network namespace: $(ip -brief address show | awk '{print $1, $3, $4}' | tr '\n' ' ')"

  mapfile -t entrypoint < <(bh inspect --type image --format '{{range .Docker.Config.Entrypoint}}{{println .}}{{end}}' "$image")
  mapfile -t cmd < <(bh inspect --type image --format '{{range .Docker.Config.Cmd}}{{println .}}{{end}}' "$image")
  mapfile -t health < <(bh inspect --type image --format '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}' "$image")
  [[ ${#entrypoint[@]} -gt 0 && -n ${entrypoint[0]} ]] || die "the image has no entrypoint"
  case ${health[0]:-} in
    CMD) health=("${health[@]:1}") ;;
    CMD-SHELL) health=(/bin/sh -c "${health[1]}") ;;
    *) die "the image has no HEALTHCHECK" ;;
  esac

  log=$workdir/daemon.log
  : >"$log"
  say "starting the container: ${entrypoint[*]} ${cmd[*]:-}"
  # buildah run uses the image's user, environment and working directory; not its entrypoint, so pass it.
  "${buildah_cmd[@]}" run --isolation chroot "$ctr" -- "${entrypoint[@]}" "${cmd[@]}" >"$log" 2>&1 &
  runner=$!
  # Whatever happens, nothing outlives this script: it is PID 1 of its own PID namespace.

  target=""
  for _ in $(seq 240); do                                    # up to 120 s for the JVM to start
    target=$(sed -n 's/^zxd listening on //p' "$log" | head -n 1 || true)
    [[ -n $target ]] && break
    kill -0 "$runner" 2>/dev/null || { cat "$log"; die "the container exited before it listened"; }
    sleep 0.5
  done
  [[ -n $target ]] || { cat "$log"; die "no 'zxd listening on' line within 120 s"; }
  say "container printed: zxd listening on $target"

  # The daemon's java process: a descendant of buildah run (buildah-chroot-runtime, buildah-chroot-exec).
  descendants() { local c; for c in $(pgrep -P "$1" || true); do echo "$c"; descendants "$c"; done; }
  daemon_pid=""
  for p in $(descendants "$runner"); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == java ]] && { daemon_pid=$p; break; }
  done
  [[ -n $daemon_pid ]] || die "cannot find the daemon's java process"
  daemon_user=$(ps -o user= -p "$daemon_pid" | tr -d ' ')
  say "daemon pid $daemon_pid runs as user: $daemon_user"
  [[ $daemon_user != root && $daemon_user != 0 ]] || die "the daemon runs as root"

  say "HEALTHCHECK inside the container: ${health[*]}"
  if out=$(timeout 60 "${buildah_cmd[@]}" run --isolation chroot "$ctr" -- "${health[@]}" 2>&1); then
    say "health check exit 0: $out"
  else
    die "health check failed: $out"
  fi

  port=${target##*:}
  say "demo from the host: java -jar zxctl.jar demo --target 127.0.0.1:$port"
  demo_out=$(timeout 120 java -jar "$workdir/zxctl.jar" demo --target "127.0.0.1:$port" 2>&1) \
    || { echo "$demo_out"; die "zxctl demo failed"; }
  echo "$demo_out" | grep -v 'MacAddressUtil\|usable hardware address' | sed 's/^/    | /'
  [[ $(echo "$demo_out" | tail -n 1) == "demo: OK" ]] || die "zxctl demo did not end with 'demo: OK'"

  say "SIGTERM to the daemon (pid $daemon_pid), as docker stop does"
  kill -TERM "$daemon_pid"
  rc=""
  for _ in $(seq 60); do                                     # up to 30 s to drain
    if ! kill -0 "$runner" 2>/dev/null; then
      set +e; wait "$runner"; rc=$?; set -e
      break
    fi
    sleep 0.5
  done
  [[ -n $rc ]] || die "the daemon did not exit within 30 s of SIGTERM"
  say "container exited with status $rc"
  echo "--- daemon log (last lines) ---"; grep -v 'MacAddressUtil' "$log" | tail -n 8 | sed 's/^/    | /'
  [[ $rc == 0 ]] || die "the daemon exited $rc after SIGTERM, expected 0"

  if out=$(timeout 60 "${buildah_cmd[@]}" run --isolation chroot "$ctr" -- "${health[@]}" 2>&1); then
    die "the health check passed with the daemon stopped: $out"
  fi
  say "health check with the daemon stopped fails, as it should: $(echo "$out" | grep -m1 '^zxd health' || echo "$out")"
  exit 0
fi

# ---- outside: prepare, build, then run the part above in a private network namespace ---------------------
[[ $(id -u) == 0 ]] || { echo "smoke: run as root (debootstrap and buildah's vfs storage need it)" >&2; exit 2; }
case $workdir in
  /|"$repo"|"$repo"/*) echo "smoke: --workdir must be a private folder outside the repository" >&2; exit 2 ;;
esac

cleanup() {
  set +e
  bh rm "$ctr" >/dev/null 2>&1
  bh rm --all >/dev/null 2>&1
  bh rmi "$image" >/dev/null 2>&1
  if [[ $keep_base == 1 ]]; then
    bh rmi --prune >/dev/null 2>&1
    rm -rf "$workdir/src" "$workdir/tmp" "$workdir/rootfs" "$workdir"/*.tar "$workdir"/*.log "$workdir/zxctl.jar"
    say "teardown: removed containers and $image; kept base images in $storage (--keep-base)"
  else
    bh rmi --all --force >/dev/null 2>&1
    rm -rf "$workdir"
    say "teardown: removed $workdir (containers, images, storage, sources)"
  fi
}

need=()
command -v buildah >/dev/null || need+=(buildah)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v unshare >/dev/null || need+=(util-linux)
command -v ip >/dev/null || need+=(iproute2)
command -v rsync >/dev/null || need+=(rsync)
if [[ ${#need[@]} -gt 0 ]]; then
  say "installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -q >/dev/null
  timeout 900 apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
command -v java >/dev/null || { echo "smoke: needs java on the host for the demo client" >&2; exit 2; }
[[ $jars == maven ]] || command -v mvn >/dev/null || { echo "smoke: --jars prebuilt needs mvn on the host" >&2; exit 2; }
say "buildah $(buildah --version | awk '{print $3}'), workdir $workdir, --jars $jars, --source $source_mode"

mkdir -p "$workdir" "$TMPDIR" "$storage"
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
bh rm --all >/dev/null 2>&1 || true                           # containers left by an interrupted run

# 1. A private copy of the repository.
src=$workdir/src
rm -rf "$src"; mkdir -p "$src"
if [[ $source_mode == worktree ]]; then
  rsync -a --exclude target --exclude .git "$repo"/ "$src"/
else
  # The last commit, with docker/ and .dockerignore as they are in the work tree.
  git -C "$repo" archive --format=tar HEAD | tar -x -C "$src"
  rsync -a "$repo/docker/" "$src/docker/"
  cp "$repo/.dockerignore" "$src/" 2>/dev/null || true
fi
say "copied the sources ($source_mode) to $src"

# 2. The base images, made here: no registry.
if bh inspect --type image "$base_jre" >/dev/null 2>&1 && bh inspect --type image "$base_maven" >/dev/null 2>&1; then
  say "base images already in $storage: $base_jre, $base_maven"
else
  rootfs=$workdir/rootfs
  rm -rf "$rootfs"
  say "debootstrap --variant=minbase $suite from $mirror (takes a minute or two)"
  timeout 1200 debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$workdir/debootstrap.log" 2>&1 \
    || { tail -n 20 "$workdir/debootstrap.log"; die "debootstrap"; }
  security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
  printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
    "$mirror" "$suite" "$mirror" "$suite" "$security" "$suite" >"$rootfs/etc/apt/sources.list"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" --numeric-owner -cf "$workdir/rootfs.tar" .
  rm -rf "$rootfs"
  c=$(bh from --name zxd-smoke-base scratch)
  bh add "$c" "$workdir/rootfs.tar" / >/dev/null
  bh config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  bh commit --rm --quiet "$c" "$base_debian" >/dev/null
  rm -f "$workdir/rootfs.tar"
  say "made $base_debian"

  apt_in() {  # apt_in IMAGE NEW_IMAGE PACKAGES...: a new image with Debian packages added
    local from=$1 to=$2; shift 2
    local c; c=$(bh from --pull=never --name zxd-smoke-base "$from")
    timeout 1200 "${buildah_cmd[@]}" run --isolation chroot "$c" -- sh -c \
      "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $* \
       && apt-get clean && rm -rf /var/lib/apt/lists/*" >"$workdir/apt.log" 2>&1 \
      || { tail -n 20 "$workdir/apt.log"; die "apt-get install $* in $from"; }
    bh config --env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 "$c"
    bh commit --rm --quiet "$c" "$to" >/dev/null
  }
  say "making $base_jre: $base_debian + openjdk-17-jre-headless"
  apt_in "$base_debian" "$base_jre" openjdk-17-jre-headless
  say "making $base_maven: $base_jre + openjdk-17-jdk-headless maven"
  apt_in "$base_jre" "$base_maven" openjdk-17-jdk-headless maven
  bh rmi "$base_debian" >/dev/null
fi
say "$(bh run --isolation chroot "$(bh from --pull=never --name zxd-smoke-probe "$base_jre")" -- java -version 2>&1 | head -n 1) in $base_jre"
bh rm zxd-smoke-probe >/dev/null

# 3. The jars (prebuilt mode) and the image.
if [[ $jars == prebuilt ]]; then
  say "building the jars on the host: mvn -B -q package -Dmaven.test.skip=true (in $src)"
  (cd "$src" && timeout 1800 mvn -B -q package -Dmaven.test.skip=true) >"$workdir/mvn.log" 2>&1 \
    || { grep -E 'ERROR|BUILD' "$workdir/mvn.log" | head -n 20; die "mvn package"; }
  for j in server/target/zxd-server.jar client/target/zxctl.jar; do say "  $j: $(stat -c %s "$src/$j") bytes"; done
fi

target_args=()
[[ $jars == prebuilt ]] && target_args=(--target runtime-prebuilt)
say "buildah bud --storage-driver vfs --isolation chroot --pull=never --format docker ${target_args[*]:-(default target)}"
t_build=$SECONDS
(cd "$src" && timeout 2400 "${buildah_cmd[@]}" bud --isolation chroot --pull=never --format docker \
   --build-arg MAVEN_IMAGE="$base_maven" --build-arg JRE_IMAGE="$base_jre" "${target_args[@]}" \
   -f docker/Dockerfile -t "$image" .) >"$workdir/build.log" 2>&1 \
  || { tail -n 40 "$workdir/build.log"
         grep -q 'PKIX path building failed' "$workdir/build.log" \
           && say "hint: Maven inside the build does not trust the TLS chain Maven Central presents here; --jars prebuilt avoids it"
         die "buildah bud"; }
grep -E '^\[[0-9]+/[0-9]+\] STEP [0-9]+/[0-9]+: (FROM|RUN)' "$workdir/build.log" | sed 's/^/    | /' | cut -c1-150
say "built $image in $((SECONDS - t_build)) s ($(bh images --format '{{.Size}}' "$image"))"

# 4. The image's configuration.
user=$(bh inspect --type image --format '{{.Docker.Config.User}}' "$image")
hc=$(bh inspect --type image --format '{{if .Docker.Config.Healthcheck}}{{.Docker.Config.Healthcheck.Test}} every {{.Docker.Config.Healthcheck.Interval}}{{end}}' "$image")
ep=$(bh inspect --type image --format '{{.Docker.Config.Entrypoint}}' "$image")
envs=$(bh inspect --type image --format '{{range .Docker.Config.Env}}{{.}} {{end}}' "$image")
say "image user: $user"
say "image healthcheck: $hc"
say "image entrypoint: $ep"
say "image env: $envs"
[[ -n $user && $user != root && $user != 0 && $user != 0:* && $user != root:* ]] || die "the image runs as root"
[[ -n $hc ]] || die "the image has no HEALTHCHECK"

# The demo client runs on the host, from the jar shipped in the image.
c=$(bh from --pull=never --name "$ctr" "$image")
cp "$(bh mount "$c")/app/zxctl.jar" "$workdir/zxctl.jar"
bh umount "$c" >/dev/null

# 5. Run and call it, in a network namespace of its own (loopback only).
say "running the container in new network and PID namespaces (unshare --net --pid)"
SMOKE_ELAPSED=$((SECONDS - t0)) ZXD_SMOKE_DIR=$workdir timeout 600 \
  unshare --net --pid --mount-proc --fork --kill-child -- bash "${BASH_SOURCE[0]}" __inside-netns \
  || die "the run in the network namespace failed"

say "OK: image built, started, healthy, called, drained (total $((SECONDS - t0)) s)"
