"""`make bench`: ShapDrift's benchmark workloads, measured in one run, printed as one table and
written to bench/results.json.

Workloads so far:
- E1 (memory): `shapdrift check` over SageMaker data-capture files of 100,000 and 1,000,000 rows
  against the bundled example model; peak RSS must not grow with the number of rows.
Inputs are generated deterministically (make_capture.py); nothing is downloaded.
Usage: python3 bench/run.py [--rows 100000,1000000]
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "shapdrift")
MODEL = os.path.join(ROOT, "models", "xgb-regression", "model.json")
OUT = os.path.join(ROOT, "bench", "out")


def measure(arguments):
    """Runs a command; returns (exit status, seconds, peak RSS in MiB) of that child alone."""
    start = time.perf_counter()
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        sys.exit(f"{' '.join(arguments)} failed:\n{process.stderr.read().decode()}")
    return process.returncode, elapsed, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="100000,1000000")
    options = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    baseline = os.path.join(OUT, "baseline.json")
    measure([BIN, "baseline", "--model", MODEL, "--data", os.path.join(ROOT, "models", "xgb-regression", "baseline.csv"), "--output", baseline])
    results = []
    for rows in [int(value) for value in options.rows.split(",")]:
        capture = os.path.join(OUT, f"capture-{rows}.jsonl")
        if not os.path.exists(capture):
            subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_capture.py"), str(rows), capture], check=True)
        status, seconds, rss = measure([BIN, "check", "--baseline", baseline, "--model", MODEL, "--data", capture,
                                        "--output-dir", os.path.join(OUT, f"report-{rows}")])
        results.append({"workload": "E1", "tool": "shapdrift", "rows": rows, "seconds": round(seconds, 3),
                        "rows_per_second": round(rows / seconds, 1), "peak_rss_mib": round(rss, 1), "exit_status": status})
    print(f"{'workload':8} {'tool':10} {'rows':>9} {'seconds':>9} {'rows/s':>10} {'peak RSS MiB':>13}")
    for result in results:
        print(f"{result['workload']:8} {result['tool']:10} {result['rows']:>9} {result['seconds']:>9.2f} "
              f"{result['rows_per_second']:>10.0f} {result['peak_rss_mib']:>13.1f}")
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as handle:
        json.dump({"machine_cores": os.cpu_count(), "results": results}, handle, indent=2)
        handle.write("\n")


if __name__ == "__main__":
    main()
