#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (Fuzz/, -sanitize=fuzzer,address on the reader modules
# only), seeds each corpus from models/ and Tests/Fixtures, and runs every target for
# FUZZ_SECONDS seconds (FUZZ_TARGETS to choose some). Inputs that crash are written to
# .build/fuzz/crashes/<target>/; turn each into a case of Tests/Fixtures/bad-input.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"xgboost-json lightgbm-text shapdrift-json csv jsonl capture profile job-yaml"}
OUT=.build/fuzz
swift build --package-path Fuzz -c release
BIN=Fuzz/.build/release

seed() { # seed TARGET FILE...: copies each file (its first SEED_BYTES, default 64 KiB) into the target's seed corpus
  local target=$1; shift
  mkdir -p "$OUT/seeds/$target"
  for file in "$@"; do
    [ -f "$file" ] || continue
    head -c "${SEED_BYTES:-65536}" "$file" > "$OUT/seeds/$target/$(echo "$file" | tr '/' '_')"
  done
}
rm -rf "$OUT/seeds"
# XGBoost's UBJSON twins (Tests/Fixtures/make_ubjson_models.py) and the corpus's damaged ones: the
# same target, since ModelLoader recognises UBJSON by content.
seed xgboost-json $(grep -l '"learner"' $(find models Tests/Fixtures -name '*.json' -size -2048k) 2>/dev/null | head -40) \
  $(find Tests/Fixtures -name '*.ubj' -size -2048k | sort | head -20)
seed lightgbm-text $(find models Tests/Fixtures -name '*.txt' -size -2048k | xargs grep -l '^tree$' 2>/dev/null | head -40)
seed shapdrift-json $(grep -l '"shapdrift"' $(find models Tests/Fixtures -name '*.json' -size -2048k) 2>/dev/null | head -40)
seed csv $(find models Tests/Fixtures -name '*.csv' -size -1024k | head -60)
seed jsonl $(find Tests/Fixtures/bad-input/jsonl -type f -name '*.jsonl' 2>/dev/null)
for csv in $(find Tests/Fixtures/shap -name 'current*.csv' | head -8); do
  mkdir -p "$OUT/seeds/jsonl"
  python3 - "$csv" > "$OUT/seeds/jsonl/$(echo "$csv" | tr '/' '_').jsonl" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
for row in rows[1:20]:
    print(json.dumps({k: (float(v) if v else None) for k, v in zip(rows[0], row)}))
PY
done
# Capture records are long and the reader runs four passes per input: a few records per seed.
SEED_BYTES=4096 seed capture $(find models Tests/Fixtures -name '*.jsonl' -size -1024k | head -40)
# Job files: the documented example (every key, as docs/job.md shows it) and a few small variants.
mkdir -p "$OUT/seeds/job-yaml"
awk '/^```yaml/{inside=1; next} /^```/{inside=0} inside' docs/job.md > "$OUT/seeds/job-yaml/docs_job.yaml"
seed job-yaml Fuzz/seeds/job-yaml/*.yaml
seed profile Fuzz/seeds/profile/*.json $(find Tests/Fixtures/bad-input/profile -name 'baseline.json' -size -64k 2>/dev/null)

mkdir -p "$OUT/crashes"
status=0
for target in $TARGETS; do
  mkdir -p "$OUT/corpus/$target" "$OUT/crashes/$target"
  echo "== fuzz-$target for ${SECONDS_PER_TARGET}s ($(ls "$OUT/seeds/$target" 2>/dev/null | wc -l) seeds)"
  # The Swift runtime's backtracer would hold each crash for seconds; libFuzzer reports it.
  SWIFT_BACKTRACE=enable=no "$BIN/fuzz-$target" "$OUT/corpus/$target" "$OUT/seeds/$target" \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$OUT/crashes/$target/" -print_final_stats=1 > "$OUT/$target.log" 2>&1 || status=1
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb|new_units_added)|^#[0-9]+ *DONE|ERROR|SUMMARY" "$OUT/$target.log" | tail -8
done
exit $status
