#!/usr/bin/env bash
# Generates the Python stubs for zxd.v1 from proto/ into zxd/v1/ (gitignored), next to the hand-written
# layer, so the generated modules import each other as `zxd.v1.*_pb2` exactly as protoc writes them.
#
# Needs Debian's protoc and grpc_python_plugin (apt-get install protobuf-compiler protobuf-compiler-grpc):
# their generated code matches Debian's python3-grpcio / python3-protobuf runtime (protoc 3.21 -> protobuf 4.21).
# Stubs from a newer protoc (e.g. Maven's protoc 4.x) do not load on that runtime.
#
# Usage: client/python/generate.sh            (from anywhere; idempotent)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
protos="${ZXD_PROTO_DIR:-$here/../../proto/src/main/proto}"

protoc_bin="$(command -v protoc || true)"
plugin="$(command -v grpc_python_plugin || true)"
if [[ -z "$protoc_bin" || -z "$plugin" ]]; then
  echo "generate.sh: needs protoc and grpc_python_plugin:" \
       "apt-get install protobuf-compiler protobuf-compiler-grpc" >&2
  exit 2
fi

# Generate into a scratch directory and swap it in, so a reader never sees a half-written package.
tmp="$(mktemp -d "$here/zxd/.v1.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
"$protoc_bin" -I "$protos" --python_out="$tmp" --grpc_python_out="$tmp" \
  --plugin=protoc-gen-grpc_python="$plugin" "$protos"/zxd/v1/*.proto
touch "$tmp/zxd/v1/__init__.py"
rm -rf "$here/zxd/v1"
mv "$tmp/zxd/v1" "$here/zxd/v1"
echo "generated $(ls "$here/zxd/v1"/*_pb2*.py | wc -l) modules into $here/zxd/v1"
