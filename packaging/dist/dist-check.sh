#!/bin/sh
# Proves the release tarball runs where no Swift is installed (make dist-check):
#
#   dist-check.sh TARBALL
#
# 1. a minimal Debian root of this machine's release (debootstrap --variant=minbase, from the
#    mirror apt is configured with here), cached in .build-dist/ after the first run and unpacked
#    fresh each time;
# 2. in it, through chroot: no swift; install only the packages the tarball's README names; unpack
#    the tarball; `ldd` must resolve every library and show no libswift*; run the README's install
#    step and `shapdrift --version`; run demo.sh, which checks the demo's verdicts; run
#    `shapdrift sagemaker-monitor` on a contract laid out at /opt/ml, as the container would;
# 3. the chroot's report files must equal, byte for byte, those of the same binary run here.
# Needs root (debootstrap, chroot, mounting /proc) and takes a few minutes the first time.
set -eu

tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
name=$(basename "$tarball" .tar.gz)
fail() { echo "dist-check: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root for debootstrap and chroot"
command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap)"

# This machine's Debian release and the mirror apt already uses for it.
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirror=$( { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
            sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null; } \
          | tr ' ' '\n' | grep -v -e security -e '^$' | head -1)
[ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list*"

cache=$repo/.build-dist/debian-$suite-minbase.tar
if [ ! -f "$cache" ]; then
    echo "dist-check: debootstrap --variant=minbase $suite from $mirror (once; cached in $cache)"
    fresh=$(mktemp -d)
    debootstrap --variant=minbase "$suite" "$fresh" "$mirror" > "$repo/.build-dist/debootstrap.log" 2>&1 \
        || { rm -rf "$fresh"; fail "debootstrap failed, see .build-dist/debootstrap.log"; }
    tar -C "$fresh" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
    rm -rf "$fresh"
fi

root=$(mktemp -d)
host_out=$(mktemp -d)
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$root" "$host_out"
}
trap cleanup EXIT
tar -C "$root" -xf "$cache"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

in_root sh -c '! command -v swift >/dev/null && ! ls /usr/lib/swift /usr/lib/x86_64-linux-gnu/libswift* >/dev/null 2>&1' \
    || fail "the Debian root has Swift"

tar -C "$root/opt" -xzf "$tarball"
packages=$(sed -n 's/^apt-get install --no-install-recommends //p' "$root/opt/$name/README.md")
[ -n "$packages" ] || fail "the tarball's README names no packages to install"
echo "dist-check: installing what the README names: $packages"
{ in_root apt-get update -qq && in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages; } \
    > "$host_out/apt.log" 2>&1 || { cat "$host_out/apt.log" >&2; fail "apt-get in the Debian root failed"; }

echo "dist-check: ldd bin/shapdrift in the Debian root"
in_root ldd "/opt/$name/bin/shapdrift" | tee "$host_out/ldd.txt"
! grep -q 'not found' "$host_out/ldd.txt" || fail "a library is missing in the Debian root"
! grep -q 'libswift' "$host_out/ldd.txt" || fail "the binary links a Swift library"

in_root install -m 0755 "/opt/$name/bin/shapdrift" /usr/local/bin/shapdrift
[ "$(in_root shapdrift --version)" = "$(echo "$name" | sed 's/^shapdrift-\(.*\)-linux-.*/\1/')" ] || fail "shapdrift --version does not give the tarball's version"

in_root "/opt/$name/demo.sh" shapdrift "/opt/$name/models" /tmp/demo

# The SageMaker Model Monitor container's command (deploy/sagemaker-monitor) at the contract's
# own paths inside the root: the drifted hour, as an hourly schedule's execution for 14:00.
ml=$root/opt/ml
mkdir -p "$ml/processing/input/endpoint" "$ml/processing/baseline"
cp -R "$root/opt/$name/models/fraud-xgb/capture/fraud-scoring" "$ml/processing/input/endpoint/"
cp "$root/tmp/demo/baseline.json" "$ml/processing/baseline/statistics.json"
in_root env dataset_format='{"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}' \
    dataset_source=/opt/ml/processing/input/endpoint output_path=/opt/ml/processing/resultdata \
    start_time=2024-05-01T14:00:00Z end_time=2024-05-01T15:00:00Z publish_cloudwatch_metrics=Enabled \
    sagemaker_endpoint_name=fraud-scoring sagemaker_monitoring_schedule_name=fraud-hourly \
    baseline_statistics=/opt/ml/processing/baseline/statistics.json shapdrift_model="/opt/$name/models/fraud-xgb/model.json" \
    shapdrift sagemaker-monitor > /dev/null || fail "shapdrift sagemaker-monitor failed: $(cat "$ml/output/message" 2>/dev/null)"
cmp -s "$ml/processing/resultdata/constraint_violations.json" "$root/tmp/demo/report-14h/constraint_violations.json" \
    || fail "sagemaker-monitor's violations differ from shapdrift check's for the same hour"
grep -q '^CompletedWithViolations: ' "$ml/output/message" || fail "unexpected exit message: $(cat "$ml/output/message")"
[ -s "$ml/output/metrics/cloudwatch/sagemaker-metrics.jsonl" ] || fail "no CloudWatch metrics were written"
echo "dist-check: shapdrift sagemaker-monitor at /opt/ml: $(cat "$ml/output/message")"

# The same binary on this machine, where its libraries may be other builds: the same bytes,
# apart from the run's provenance (start time, run time, command line) in report.json and
# report.md (docs/report.md).
sh "$root/opt/$name/demo.sh" "$root/opt/$name/bin/shapdrift" "$root/opt/$name/models" "$host_out/demo" > /dev/null
findings() { # the file without its provenance: report.json's top-level member, report.md's last section
    case "$1" in
        *.json) sed '/^  "provenance" : {$/,/^  },\{0,1\}$/d' "$1" ;;
        *.md) sed '/^## Provenance/,$d' "$1" ;;
    esac
}
for hour in 11h 14h; do
    for file in constraint_violations.json analysis.json features.csv; do
        cmp -s "$root/tmp/demo/report-$hour/$file" "$host_out/demo/report-$hour/$file" \
            || fail "report-$hour/$file differs between the Debian root and this machine"
    done
    for file in report.json report.md; do
        [ "$(findings "$root/tmp/demo/report-$hour/$file")" = "$(findings "$host_out/demo/report-$hour/$file")" ] \
            || fail "report-$hour/$file differs between the Debian root and this machine (provenance aside)"
    done
done
echo "dist-check: OK: $name runs in a minimal Debian $suite root without Swift ($(date -u +%Y-%m-%d))"
