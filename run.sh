#!/usr/bin/env bash
# Starts zxd (building it first if needed), shows it working with a two-process demo, and keeps serving.
# Usage: ./run.sh [daemon flags...]   e.g. ./run.sh --listen 127.0.0.1:7474 --listen unix:/tmp/zxd.sock
set -euo pipefail
cd "$(dirname "$0")"

server_jar=server/target/zxd-server.jar
cli_jar=client/target/zxctl.jar
if [[ ! -f $server_jar || ! -f $cli_jar ]] || [[ -n $(find proto server client -newer "$server_jar" \
    \( -name '*.java' -o -name '*.proto' -o -name pom.xml \) -print -quit 2>/dev/null) ]]; then
  echo "run.sh: building zxd (mvn package, tests skipped)..."
  mvn -B -q package -DskipTests
fi

args=("$@")
[[ ${#args[@]} -eq 0 ]] && args=(--listen 127.0.0.1:7474)

log=$(mktemp)
java -jar "$server_jar" "${args[@]}" >"$log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -f "$log"' EXIT INT TERM

# Wait for the daemon's "zxd listening on ADDRESS" line (bounded: 30 s).
target=""
for _ in $(seq 300); do
  target=$(sed -n 's/^zxd listening on //p' "$log" | head -n 1)
  [[ -n $target ]] && break
  kill -0 $daemon 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[[ -n $target ]] || { echo "run.sh: the daemon did not start"; cat "$log"; exit 1; }
cat "$log"

echo
echo "--- demo: two processes, one message carrying a handle (zxctl demo --target $target) ---"
java -jar "$cli_jar" demo --target "$target"
echo
echo "zxd is running on $target (Ctrl-C stops it). Try: java -jar $cli_jar --help"
wait $daemon
