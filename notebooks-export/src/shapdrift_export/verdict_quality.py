"""How good is `shapdrift check`'s verdict? False alarms on clean samples and detection of drifts,
measured on fresh samples of the example generators, beside SageMaker Clarify's NDCG < 0.90 rule
on the same samples:

    python -m shapdrift_export.verdict_quality --binary .build/release/shapdrift [--write-docs docs/drift.md]

(`make verdict-quality`). For each example model in `models/` (fraud, delivery, churn) the harness
draws fresh baselines (1,000 rows, as the committed examples have) and fresh current samples from
the generator the model was trained on (`examples.sample`), clean at several sizes and drifted
along a ladder per feature (mean shift, +1 on a share of rows for counts, scale change, multiplication, category share,
missing rate), runs `shapdrift baseline` and `shapdrift check` on each exactly as a user would, and
counts verdicts. Every sample is a pure function of `--seed`, so a run is reproducible.

The targets (issue #14): false alarms at most α within binomial noise at every size; at least 90 %
detection of the named mild drifts at 400 rows. Nothing here tunes a threshold: the check runs
with its defaults.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import examples

ALPHA = 0.01

# The drifts the issue names (the "mild drifts" the 90 % target is about), on the fraud model.
MILD = [
    ("fraud-xgb", ("distance_km", "multiply", 1.5), "distance_km × 1.5"),
    ("fraud-xgb", ("foreign", "share", (1.0, 0.15)), "foreign share 5 % → 15 %"),
    ("fraud-xgb", ("amount", "multiply", math.exp(0.3)), "amount log-mean + 0.3"),
]

# A ladder of drifts per example: (feature, kind, amount, label).
LADDERS = {
    "fraud-xgb": [
        ("distance_km", "multiply", 1.25, "distance_km × 1.25"),
        ("distance_km", "multiply", 2.0, "distance_km × 2"),
        ("amount", "multiply", math.exp(0.15), "amount log-mean + 0.15"),
        ("amount", "multiply", math.exp(0.5), "amount log-mean + 0.5"),
        ("foreign", "share", (1.0, 0.10), "foreign share 5 % → 10 %"),
        ("foreign", "share", (1.0, 0.25), "foreign share 5 % → 25 %"),
        ("account_age_days", "shift", 0.1, "account_age_days mean + 0.1 sd"),
        ("account_age_days", "shift", 0.2, "account_age_days mean + 0.2 sd"),
        ("account_age_days", "shift", 0.3, "account_age_days mean + 0.3 sd"),
        ("account_age_days", "scale", 1.25, "account_age_days spread × 1.25"),
        ("merchant_risk", "scale", 1.5, "merchant_risk spread × 1.5"),
        ("card_present", "share", (1.0, 0.6), "card_present share 70 % → 60 %"),
        ("merchant_risk", "missing", 0.05, "merchant_risk 5 % missing"),
        ("merchant_risk", "missing", 0.10, "merchant_risk 10 % missing"),
        ("merchant_risk", "missing", 0.20, "merchant_risk 20 % missing"),
    ],
    "lgbm-regression-categorical": [
        ("distance", "shift", 0.1, "distance mean + 0.1 sd"),
        ("distance", "shift", 0.2, "distance mean + 0.2 sd"),
        ("distance", "shift", 0.3, "distance mean + 0.3 sd"),
        ("distance", "scale", 1.25, "distance spread × 1.25"),
        ("traffic_index", "scale", 1.25, "traffic_index spread × 1.25"),
        ("region", "share", (0.0, 0.15), "region 0 share 25 % → 15 %"),
        ("region", "share", (0.0, 0.35), "region 0 share 25 % → 35 %"),
        ("courier_rating", "shift", 0.3, "courier_rating mean + 0.3 sd"),
        ("traffic_index", "missing", 0.05, "traffic_index 5 % missing"),
        ("traffic_index", "missing", 0.10, "traffic_index 10 % missing"),
        ("traffic_index", "missing", 0.20, "traffic_index 20 % missing"),
    ],
    "sklearn-logistic": [
        ("support_calls", "increment", 0.1, "support_calls + 1 for 10 % of rows"),
        ("support_calls", "increment", 0.2, "support_calls + 1 for 20 % of rows"),
        ("support_calls", "increment", 0.3, "support_calls + 1 for 30 % of rows"),
        ("tenure_months", "multiply", 0.8, "tenure_months × 0.8"),
        ("tenure_months", "multiply", 2 / 3, "tenure_months × 2/3"),
        ("monthly_charges", "scale", 1.25, "monthly_charges spread × 1.25"),
        ("contract_length", "share", (1.0, 0.4), "contract_length 1 share 50 % → 40 %"),
        ("contract_length", "share", (1.0, 0.6), "contract_length 1 share 50 % → 60 %"),
        ("late_payments", "increment", 0.1, "late_payments + 1 for 10 % of rows"),
        ("late_payments", "increment", 0.2, "late_payments + 1 for 20 % of rows"),
    ],
}

NAMES = {"fraud-xgb": "fraud (XGBoost)", "lgbm-regression-categorical": "delivery (LightGBM)", "sklearn-logistic": "churn (logistic)"}


def model_file(models, name):
    folder = os.path.join(models, name)
    return os.path.join(folder, next(f for f in sorted(os.listdir(folder)) if f.startswith("model.")))


def run(binary, *arguments):
    return subprocess.run([binary, *map(str, arguments)], capture_output=True, text=True)


class Harness:
    def __init__(self, binary, models, workdir, baselines, seed, jobs):
        self.binary, self.models, self.workdir = binary, models, workdir
        self.baselines, self.seed, self.jobs = baselines, seed, jobs
        self.baseline_paths = {}

    def rng(self, *key):
        """A generator that depends only on the seed and `key`."""
        return np.random.default_rng([self.seed] + [zlib.crc32(str(part).encode()) for part in key])

    def baseline(self, name, index):
        key = (name, index)
        if key not in self.baseline_paths:
            folder = os.path.join(self.workdir, name, f"baseline-{index}")
            os.makedirs(folder, exist_ok=True)
            data = os.path.join(folder, "baseline.csv")
            examples.to_csv(examples.sample(name, self.rng("baseline", name, index), 1000), data)
            profile = os.path.join(folder, "baseline.json")
            result = run(self.binary, "baseline", "--model", model_file(self.models, name), "--data", data, "--output", profile)
            if result.returncode != 0:
                raise RuntimeError(f"baseline failed: {result.stderr}")
            self.baseline_paths[key] = profile
        return self.baseline_paths[key]

    def check(self, name, index, rows, drift, cell):
        """One check; returns (ShapDrift verdict, Clarify's NDCG rule, exit code)."""
        folder = os.path.join(self.workdir, name, cell, str(index))
        os.makedirs(folder, exist_ok=True)
        data = os.path.join(folder, "current.csv")
        examples.to_csv(examples.sample(name, self.rng("current", name, cell, index), rows, drift), data)
        result = run(self.binary, "check", "--baseline", self.baseline(name, index % self.baselines),
                     "--model", model_file(self.models, name), "--data", data, "--output-dir", os.path.join(folder, "report"),
                     "--bootstrap", "0")
        if result.returncode == 2:
            return None, None, 2
        with open(os.path.join(folder, "report", "report.json")) as handle:
            report = json.load(handle)
        return report["criteria"]["attribution"], report["criteria"]["ndcg"], result.returncode

    def cell(self, name, rows, drift, count, label):
        for index in range(self.baselines):
            self.baseline(name, index)
        with ThreadPoolExecutor(self.jobs) as pool:
            results = list(pool.map(lambda i: self.check(name, i, rows, drift, label), range(count)))
        refused = sum(1 for r in results if r[2] == 2)
        read = [r for r in results if r[2] != 2]
        return {"example": name, "rows": rows, "drift": label, "samples": count, "refused": refused,
                "shapdrift": sum(1 for r in read if r[0]), "clarify": sum(1 for r in read if r[1])}


def binomial_upper_tail(k, n, p):
    """P(X ≥ k) for X ~ Binomial(n, p): 1 − P(X < k), the terms in logarithms (n may be thousands)."""
    def term(j):
        return math.exp(math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * math.log(p) + (n - j) * math.log1p(-p))
    return max(0.0, 1 - sum(term(j) for j in range(k)))


def clean_row(cell):
    n, k = cell["samples"] - cell["refused"], cell["shapdrift"]
    tail = binomial_upper_tail(k, n, ALPHA)
    verdict = "ok" if tail >= 0.01 else "ABOVE α"
    return (f"| {NAMES[cell['example']]} | {cell['rows']} | {k}/{n} ({100 * k / n:.1f} %) | {tail:.2f} | {verdict} "
            f"| {cell['clarify']}/{n} ({100 * cell['clarify'] / n:.1f} %) |")


def drift_row(cell, target=None):
    n = cell["samples"] - cell["refused"]
    if n == 0:
        return f"| {NAMES[cell['example']]} | {cell['drift']} | {cell['rows']} | refused (exit 2) | | |"
    rate = cell["shapdrift"] / n
    mark = "" if target is None else (" ok" if rate >= target else " BELOW 90 %")
    return (f"| {NAMES[cell['example']]} | {cell['drift']} | {cell['rows']} | {cell['shapdrift']}/{n} ({100 * rate:.0f} %){mark} "
            f"| {cell['clarify']}/{n} ({100 * cell['clarify'] / n:.0f} %) |")


def table(results):
    lines = ["False alarms on clean samples (ShapDrift's verdict at its defaults, α = 0.01; the binomial column is "
             "P(X ≥ observed) for X ~ Binomial(samples, α): below 0.01 the rate is above α beyond binomial noise):", "",
             "| example | rows | ShapDrift false alarms | P(X ≥ k), k ~ Bin(n, α) | | Clarify NDCG < 0.90 |",
             "|---|---:|---|---:|---|---|"]
    lines += [clean_row(cell) for cell in results["clean"]]
    if len(results["clean"]) > 1:
        n = sum(cell["samples"] - cell["refused"] for cell in results["clean"])
        k = sum(cell["shapdrift"] for cell in results["clean"])
        tail = binomial_upper_tail(k, n, ALPHA)
        clarify = sum(cell["clarify"] for cell in results["clean"])
        lines.append(f"| all of them | | {k}/{n} ({100 * k / n:.2f} %) | {tail:.2f} | {'ok' if tail >= 0.01 else 'ABOVE α'} "
                     f"| {clarify}/{n} ({100 * clarify / n:.2f} %) |")
    lines += ["", "Detection of the named mild drifts at 400 rows (target ≥ 90 %):", "",
              "| example | drift | rows | ShapDrift detected | Clarify NDCG < 0.90 |", "|---|---|---:|---|---|"]
    lines += [drift_row(cell, 0.9) for cell in results["mild"]]
    lines += ["", "Detection along each example's ladder of drifts at 400 rows:", "",
              "| example | drift | rows | ShapDrift detected | Clarify NDCG < 0.90 |", "|---|---|---:|---|---|"]
    lines += [drift_row(cell) for cell in results["ladder"]]
    return "\n".join(lines)


def write_docs(path, text, settings):
    begin, end = "<!-- verdict-quality:begin -->", "<!-- verdict-quality:end -->"
    with open(path) as handle:
        document = handle.read()
    if begin not in document or end not in document:
        raise SystemExit(f"{path} has no {begin} … {end} markers")
    head, rest = document.split(begin, 1)
    _, tail = rest.split(end, 1)
    block = f"{begin}\n{settings}\n\n{text}\n{end}"
    with open(path + ".tmp", "w") as handle:
        handle.write(head + block + tail)
    os.replace(path + ".tmp", path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(".build", "release", "shapdrift"))
    parser.add_argument("--models", default="models")
    parser.add_argument("--clean", type=int, default=300, help="clean checks per example and size (default 300)")
    parser.add_argument("--drifted", type=int, default=100, help="checks per drift of the ladders (default 100)")
    parser.add_argument("--mild", type=int, default=200, help="checks per named mild drift (default 200)")
    parser.add_argument("--sizes", default="200,400,2000")
    parser.add_argument("--baselines", type=int, default=30, help="fresh baselines per example, used in turn (default 30)")
    parser.add_argument("--examples", default=",".join(examples.GENERATORS))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-ladder", action="store_true")
    parser.add_argument("--write-docs", help="replace the table between the verdict-quality markers of this file")
    parser.add_argument("--json", help="also write the counts as JSON here")
    parser.add_argument("--from-json", help="print (and write) the table of counts saved by --json, without running checks")
    arguments = parser.parse_args(argv)
    names = [n for n in arguments.examples.split(",") if n]
    sizes = [int(s) for s in arguments.sizes.split(",")]
    results = {"clean": [], "mild": [], "ladder": []}
    if arguments.from_json:
        with open(arguments.from_json) as handle:
            results = json.load(handle)
        names = []
    with tempfile.TemporaryDirectory(prefix="verdict-quality-") as workdir:
        harness = Harness(arguments.binary, arguments.models, workdir, arguments.baselines, arguments.seed, arguments.jobs)
        for name in names:
            for rows in sizes:
                results["clean"].append(harness.cell(name, rows, None, arguments.clean, f"clean-{rows}"))
                print(clean_row(results["clean"][-1]), flush=True, file=sys.stderr)
        for name, drift, label in MILD:
            if name in names and not arguments.from_json:
                results["mild"].append(harness.cell(name, 400, drift, arguments.mild, label))
                print(drift_row(results["mild"][-1], 0.9), flush=True, file=sys.stderr)
        if not arguments.skip_ladder and not arguments.from_json:
            for name in names:
                for feature, kind, amount, label in LADDERS[name]:
                    results["ladder"].append(harness.cell(name, 400, (feature, kind, amount), arguments.drifted, label))
                    print(drift_row(results["ladder"][-1]), flush=True, file=sys.stderr)
    text = table(results)
    print(text)
    settings = results.get("settings") or (
        f"Measured by `make verdict-quality` (seed {arguments.seed}): {arguments.baselines} fresh baselines of 1,000 rows "
        f"per example, used in turn; {arguments.clean} clean checks per example and size, {arguments.mild} per named "
        f"mild drift, {arguments.drifted} per ladder step; `shapdrift check` at its defaults.")
    results["settings"] = settings
    if arguments.write_docs:
        write_docs(arguments.write_docs, text, settings)
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump(results, handle, indent=2)
    return results


if __name__ == "__main__":
    main()
