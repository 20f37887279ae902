#!/usr/bin/env bash
# Regenerates the Swift code for proto/fedbone/v1/fedbone.proto into
# Sources/FedBoneClient/Generated/. Run by hand after editing the .proto, then commit the
# result; CI and normal builds never run it.
#
# Needs:
# - protoc (Debian: apt-get install -y protobuf-compiler; 3.21 works).
# - The two plugins, built here from the package's own resolved dependencies, so their
#   versions match the runtime libraries the generated code is compiled against:
#     protoc-gen-swift         (product of swift-protobuf)
#     protoc-gen-grpc-swift-2  (product of grpc-swift-protobuf)
#   `swift build --product` builds a dependency's executable product in the package's own
#   .build folder (debug: reuses the SwiftProtobuf/GRPCCore modules the library build already
#   compiled, so it is much quicker than a release build of the plugins).
#
# Usage: scripts/generate-proto.sh   (from anywhere inside the repository)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }

swift build --product protoc-gen-swift
swift build --product protoc-gen-grpc-swift-2
bin="$(swift build --show-bin-path)"

out="Sources/FedBoneClient/Generated"
mkdir -p "$out"
rm -f "$out"/*.pb.swift "$out"/*.grpc.swift

protoc \
  --proto_path=proto \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_opt=Visibility=Package \
  --swift_opt=FileNaming=DropPath \
  --swift_out="$out" \
  --grpc-swift_opt=Visibility=Package \
  --grpc-swift_opt=FileNaming=DropPath \
  --grpc-swift_opt=Server=true \
  --grpc-swift_opt=Client=true \
  --grpc-swift_out="$out" \
  fedbone/v1/fedbone.proto

echo "generated:"
ls -l "$out"
