#!/usr/bin/env bash
# Builds Examples/EdgeClient against FedBone *by version*, as a downstream package would: clones
# this repository's committed HEAD into a temporary folder, tags the clone with the version the
# example asks for, and points the example at the clone (FEDBONE_PACKAGE_URL). Proves that the
# library products carry no unsafe build flags and that FedBoneClient is enough for an edge app.
#
# Usage: scripts/build-example.sh [swift build options]   (from anywhere inside the repository)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="0.2.0"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet --no-hardlinks "$root" "$work/FedBone"
git -C "$work/FedBone" tag --force "$version" > /dev/null
cp -R "$root/Examples/EdgeClient" "$work/EdgeClient"
rm -rf "$work/EdgeClient/.build"
FEDBONE_PACKAGE_URL="file://$work/FedBone" swift build --package-path "$work/EdgeClient" "$@"
echo "Examples/EdgeClient built against FedBone $version from a tagged clone"
