#!/bin/sh
# The bundled example, as `make demo` runs it, with its expected outcome checked: baseline the
# fraud-scoring model (models/fraud-xgb) on its training sample, then check two hours of captured
# traffic: 11:00 is clean (exit 0), at 14:00 distance_km and foreign drifted (exit 1, both breached).
#
#   demo.sh [SHAPDRIFT] [MODELS] [OUTPUT]
#
# SHAPDRIFT: the binary (default: shapdrift on PATH); MODELS: the example models folder (default:
# models beside this script); OUTPUT: where the baseline and reports go (default: a new temporary
# folder). Plain POSIX sh: it runs in a minimal Debian root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
shapdrift=${1:-shapdrift}
models=${2:-$here/models}
out=${3:-$(mktemp -d)}
example=$models/fraud-xgb
mkdir -p "$out"

fail() { echo "demo: FAILED: $*" >&2; exit 1; }

echo "== $shapdrift --version"
"$shapdrift" --version

echo "== shapdrift inspect --model $example/model.json"
"$shapdrift" inspect --model "$example/model.json"

echo "== shapdrift baseline --model $example/model.json --data $example/baseline.csv"
"$shapdrift" baseline --model "$example/model.json" --data "$example/baseline.csv" --output "$out/baseline.json"

check() { # hour, expected exit code
    echo "== shapdrift check ... --since 2024-05-01T$1:00:00Z --until 2024-05-01T$1:59:59Z"
    status=0
    "$shapdrift" check --baseline "$out/baseline.json" --model "$example/model.json" --data "$example/capture" \
        --since "2024-05-01T$1:00:00Z" --until "2024-05-01T$1:59:59Z" --output-dir "$out/report-$1h" || status=$?
    [ "$status" -eq "$2" ] || fail "check of hour $1 exited $status, expected $2"
}
check 11 0
check 14 1

# The drifted hour's attribution violations name exactly the two drifted features
# (models/README.md); the file also holds their input-value and prediction findings.
violations=$out/report-14h/constraint_violations.json
breached=$(awk '/"constraint_check_type"/ { attribution = /feature_attribution_shift_check/ }
                attribution && /"feature_name"/ { gsub(/[",]/, "", $3); print $3 }' "$violations" | sort | tr '\n' ' ')
[ "$breached" = "distance_km foreign " ] || fail "expected the attributions of exactly distance_km and foreign to breach in $violations, found: $breached"
! grep -q '"constraint_check_type"' "$out/report-11h/constraint_violations.json" || fail "the clean hour has violations"

echo "demo: OK (reports in $out)"
