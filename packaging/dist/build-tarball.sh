#!/bin/sh
# Assembles the release tarball from a binary built with -static-stdlib (make dist):
#
#   build-tarball.sh BINARY VERSION OUTDIR
#
# writes OUTDIR/shapdrift-VERSION-linux-ARCH.tar.gz holding bin/shapdrift (debug info stripped,
# symbols kept for backtraces), README.md (this folder's, with the version filled in), demo.sh and
# the example models. Refuses a binary that reports another version or still needs a Swift
# library. The archive's entries are sorted, owned by 0:0 and dated to the last commit, so the same
# binary gives the same archive.
set -eu

binary=$1
version=$2
outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
arch=$(uname -m)
name=shapdrift-$version-linux-$arch

reported=$("$binary" --version)
[ "$reported" = "$version" ] || { echo "build-tarball: $binary reports version $reported, expected $version" >&2; exit 1; }
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
case " $needed" in
    *" libswift"* | *" libFoundation"* | *" libdispatch"*)
        echo "build-tarball: $binary still needs Swift libraries: $needed" >&2; exit 1 ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin"
cp "$binary" "$stage/$name/bin/shapdrift"
strip --strip-debug "$stage/$name/bin/shapdrift"
sed "s/VERSION/$version/g" "$here/README.md" > "$stage/$name/README.md"
cp "$here/demo.sh" "$stage/$name/demo.sh"
chmod 0755 "$stage/$name/bin/shapdrift" "$stage/$name/demo.sh"
cp -R "$repo/models" "$stage/$name/models"

epoch=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
mkdir -p "$outdir"
tarball=$(cd "$outdir" && pwd)/$name.tar.gz
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" | gzip -n -9 > "$tarball.tmp"
mv "$tarball.tmp" "$tarball"

glibc=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1)
glibcxx=$(objdump -T "$binary" | grep -o 'GLIBCXX_[0-9.]*' | sort -Vu | tail -1)
echo "$tarball"
echo "  needs: $needed"
echo "  newest symbol versions: $glibc, $glibcxx"
