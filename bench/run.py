"""`make bench`: ShapDrift side by side with the reference tools, measured in one run.

Prints one table (workload, tool, rows/s, peak RSS, ShapDrift's ratio to each reference; medians
of --repeat runs) and writes bench/results.json. Inputs are generated deterministically by
make_inputs.py and make_capture.py; nothing is downloaded.

Workloads (issue "Performance"): T1/T2 XGBoost path-dependent (xgboost pred_contribs, and
fasttreeshap v2 when --fasttreeshap-python is given), T3 LightGBM (pred_contrib), I1
interventional TreeSHAP (shap TreeExplainer), K1 KernelSHAP (shap KernelExplainer, same
coalitions: all of them), L1 linear SHAP in process (numpy expression, shap LinearExplainer), M1
model load time, E1 end-to-end check over captured rows for T2's model with its peak RSS, as a
share of the rate of attribution alone, E2 the cost of a time window: the same check over the same
captured rows with --since/--until around all of them and without (paired runs; target: within
5 %), W1 the wide model (10 classes × 1,000 features: 11,000 summaries): its profile's size,
folding against attribution time, peak RSS of `baseline`; S1 small windows: a 2,000-row check of
T1's model against a 100,000-row one (cores busy while attributing, attribution rate); G1 the
cost of `shapdrift merge` over 10, 100 and 1,000 shard profiles; C1 what one core does: `shapdrift
profile --threads 1` (read, attribute, fold, the 200-replicate bootstrap: a shard's whole job) for
each model class, the rates docs/performance.md sizes a scale-out by.

"shapdrift ×" compares whole shapdrift commands (load, parse, attribute, write) with the
reference library call alone; "stage ×" compares shapdrift's attributing stage (--timings) with
the same call, both on rows already in memory.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "shapdrift")
BENCH_BIN = os.path.join(ROOT, ".build", "release", "shapdrift-bench")
OUT = os.path.join(ROOT, "bench", "out")
CORES = os.cpu_count() or 1


def run_command(arguments, cpu=False):
    """(seconds, peak RSS MiB, stderr text) of one child process, and its CPU seconds (user +
    system) after them when `cpu`."""
    start = time.perf_counter()
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(arguments)} failed:\n{errors}")
    if cpu:
        return elapsed, usage.ru_maxrss / 1024, errors, usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024, errors


def stage_seconds(errors, stage):
    """A stage's seconds from a --timings line of baseline, profile or check."""
    match = re.search(stage + r" ([0-9.]+) s", errors)
    if not match:
        sys.exit(f"no {stage} timing in: {errors}")
    return float(match.group(1))


def attributing_cores(errors):
    """Cores busy while attributing, from a --timings line of baseline, profile or check."""
    match = re.search(r"rows/s, ([0-9.]+) cores\)", errors)
    if not match:
        sys.exit(f"no attributing cores in: {errors}")
    return float(match.group(1))


def attributing_seconds(errors):
    """The attributing stage's seconds from a --timings line."""
    match = re.search(r"attributing ([0-9.]+) s", errors)
    if not match:
        sys.exit(f"no timings in: {errors}")
    return float(match.group(1))


def run_python(code, repeat, python=sys.executable):
    """Times a reference snippet in a fresh interpreter: it prints its own seconds (excluding imports)."""
    timings = []
    for _ in range(repeat):
        process = subprocess.run([python, "-c", code], capture_output=True, cwd=OUT)
        if process.returncode != 0:
            sys.exit(f"reference failed:\n{process.stderr.decode()}")
        timings.append(float(process.stdout.decode().strip().splitlines()[-1]))
    return statistics.median(timings)


def write_capture_rows_csv(capture, rows, path):
    """The first `rows` CSV payloads of a capture file, as a CSV with T2's header."""
    with open(capture) as source, open(path, "w") as out:
        out.write(",".join(f"f{index}" for index in range(50)) + "\n")
        for index, line in enumerate(source):
            if index == rows:
                break
            out.write(json.loads(line)["captureData"]["endpointInput"]["data"] + "\n")


def median_command(arguments, repeat):
    """(median seconds, max peak RSS MiB, median attributing seconds when --timings was given)."""
    results = [run_command(arguments) for _ in range(repeat)]
    attributing = statistics.median(attributing_seconds(r[2]) for r in results) if "--timings" in arguments else None
    return statistics.median(r[0] for r in results), max(r[1] for r in results), attributing


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--capture-rows", default="100000,1000000")
    parser.add_argument("--workloads", default="T1,T2,T3,I1,K1,M1,L1,E1,E2,W1,S1,G1,C1", help="comma-separated subset to run")
    parser.add_argument("--fasttreeshap-python", help="interpreter with fasttreeshap (requirements-fasttreeshap.txt) for T1 and T2")
    options = parser.parse_args()
    if options.fasttreeshap_python:
        options.fasttreeshap_python = os.path.abspath(options.fasttreeshap_python)
    wanted = set(options.workloads.split(","))
    os.makedirs(OUT, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_inputs.py"), OUT], check=True)
    rows_10k, rows_1k = 10000, 1000
    table = []

    def record(workload, tool, rows, seconds, rss=None):
        table.append({"workload": workload, "tool": tool, "rows": rows, "seconds": round(seconds, 4),
                      "rows_per_second": round(rows / seconds, 1) if rows else None,
                      "peak_rss_mib": round(rss, 1) if rss is not None else None})

    for workload, model, library in [("T1", "t1.json", "xgboost"), ("T2", "t2.json", "xgboost"), ("T3", "t3.txt", "lightgbm")]:
        if workload not in wanted:
            continue
        seconds, rss, attributing = median_command([BIN, "explain", "--model", os.path.join(OUT, model), "--data",
                                                    os.path.join(OUT, "rows.csv"), "--output", "/dev/null", "--timings"], options.repeat)
        record(workload, "shapdrift", rows_10k, seconds, rss)
        record(workload, "shapdrift (attributing stage)", rows_10k, attributing)
        if library == "xgboost":
            code = (f"import time,pandas as pd,xgboost as xgb\nX=pd.read_csv('rows.csv');b=xgb.Booster(model_file='{model}');"
                    f"b.set_param({{'nthread':{CORES}}});d=xgb.DMatrix(X)\nt=time.perf_counter();b.predict(d,pred_contribs=True);print(time.perf_counter()-t)")
            record(workload, "xgboost pred_contribs", rows_10k, run_python(code, options.repeat))
            if options.fasttreeshap_python:
                # fasttreeshap's reader predates xgboost 3's format, so xgboost 1.7 loads the model;
                # it reads these models with another base score (additivity off by ~1e-3), which
                # does not change the work timed.
                code = (f"import time,pandas as pd,xgboost as xgb,fasttreeshap\nX=pd.read_csv('rows.csv');b=xgb.Booster(model_file='{model}');"
                        f"e=fasttreeshap.TreeExplainer(b,algorithm='v2',n_jobs={CORES})\n"
                        "t=time.perf_counter();e.shap_values(X,check_additivity=False);print(time.perf_counter()-t)")
                record(workload, "fasttreeshap v2", rows_10k, run_python(code, options.repeat, options.fasttreeshap_python))
        else:
            code = (f"import time,pandas as pd,lightgbm as lgb\nX=pd.read_csv('rows.csv');b=lgb.Booster(model_file='{model}')\n"
                    f"t=time.perf_counter();b.predict(X,pred_contrib=True,num_threads={CORES});print(time.perf_counter()-t)")
            record(workload, "lightgbm pred_contrib", rows_10k, run_python(code, options.repeat))

    if "I1" in wanted:
        seconds, rss, _ = median_command([BIN, "explain", "--model", os.path.join(OUT, "t2.json"), "--data", os.path.join(OUT, "rows-1k.csv"),
                                          "--method", "tree-interventional", "--background", os.path.join(OUT, "background.csv"),
                                          "--output", "/dev/null"], options.repeat)
        record("I1", "shapdrift", rows_1k, seconds, rss)
        code = ("import time,pandas as pd,xgboost as xgb,shap\nX=pd.read_csv('rows-1k.csv');B=pd.read_csv('background.csv');"
                "b=xgb.Booster(model_file='t2.json')\nt=time.perf_counter();shap.TreeExplainer(b,data=B,feature_perturbation='interventional',"
                "model_output='raw').shap_values(X);print(time.perf_counter()-t)")
        record("I1", "shap TreeExplainer (interventional)", rows_1k, run_python(code, 1))

    if "K1" in wanted:
        seconds, rss, _ = median_command([BIN, "explain", "--model", os.path.join(OUT, "k1.json"), "--data", os.path.join(OUT, "k1-rows.csv"),
                                          "--method", "kernel", "--background", os.path.join(OUT, "k1-background.csv"), "--samples", "2048",
                                          "--output", "/dev/null"], options.repeat)
        record("K1", "shapdrift", 100, seconds, rss)
        code = ("import time,numpy as np,pandas as pd,xgboost as xgb,shap\nX=pd.read_csv('k1-rows.csv');B=pd.read_csv('k1-background.csv');"
                "b=xgb.Booster(model_file='k1.json');f=lambda a:b.predict(xgb.DMatrix(pd.DataFrame(a,columns=X.columns)))\n"
                "t=time.perf_counter();shap.KernelExplainer(f,B.to_numpy()).shap_values(X.to_numpy(),nsamples=2048,silent=True);print(time.perf_counter()-t)")
        record("K1", "shap KernelExplainer", 100, run_python(code, 1))

    if "M1" in wanted:
        seconds, rss, _ = median_command([BIN, "inspect", "--model", os.path.join(OUT, "t1.json")], options.repeat)
        record("M1", "shapdrift (load T1 model)", 0, seconds, rss)
        code = "import time,xgboost as xgb\nt=time.perf_counter();xgb.Booster(model_file='t1.json');print(time.perf_counter()-t)"
        record("M1", "xgboost Booster(model_file)", 0, run_python(code, options.repeat))

    if "L1" in wanted:
        rows_l1, features_l1 = 1_000_000, 100
        result = json.loads(subprocess.run([BENCH_BIN, "linear", str(rows_l1), str(features_l1), str(options.repeat)],
                                           capture_output=True, check=True).stdout)
        record("L1", "shapdrift LinearSHAP (in process)", rows_l1, result["seconds"])
        setup = (f"import time,numpy as np,shap\nrng=np.random.default_rng(0);X=rng.uniform(-1,1,({rows_l1},{features_l1}));"
                 f"w=rng.uniform(-1,1,{features_l1});mu=X[:1000].mean(0)\n")
        code = setup + "ts=[]\nfor _ in range(3):\n t=time.perf_counter();phi=(X-mu)*w;ts.append(time.perf_counter()-t)\nprint(sorted(ts)[1])"
        record("L1", "numpy (X - mu) * w", rows_l1, run_python(code, 1))
        code = setup + ("e=shap.LinearExplainer((w,0.5),shap.maskers.Independent(X[:1000],max_samples=1000))\n"
                        "t=time.perf_counter();e.shap_values(X);print(time.perf_counter()-t)")
        record("L1", "shap LinearExplainer", rows_l1, run_python(code, 1))

    if "E1" in wanted:
        # E1: check over captured traffic for T2's model, as a share of the rate of attribution alone
        # (explain's attributing stage on the same captured rows in memory: no parsing or folding in
        # the way). Wall times on a shared VM drift by up to 2x within minutes, so each check run
        # is paired with an attribution-alone run over the same rows (as long a run), the two in
        # alternating order, and the share is the median of the paired ratios.
        baseline = os.path.join(OUT, "baseline.json")
        run_command([BIN, "baseline", "--model", os.path.join(OUT, "t2.json"), "--data", os.path.join(OUT, "rows.csv"), "--output", baseline])
        for rows in [int(value) for value in options.capture_rows.split(",") if value]:
            capture = os.path.join(OUT, f"capture-{rows}.jsonl")
            if not os.path.exists(capture):
                subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_capture.py"), str(rows), capture], check=True)
            alone_csv = os.path.join(OUT, f"capture-{rows}.csv")
            if not os.path.exists(alone_csv):
                write_capture_rows_csv(capture, rows, alone_csv)
            pairs = []
            for repetition in range(options.repeat):
                def alone():
                    _, _, errors = run_command([BIN, "explain", "--model", os.path.join(OUT, "t2.json"), "--data", alone_csv,
                                                "--output", "/dev/null", "--timings"])
                    return attributing_seconds(errors)

                def check():
                    return run_command([BIN, "check", "--baseline", baseline, "--model", os.path.join(OUT, "t2.json"), "--data", capture,
                                        "--output-dir", os.path.join(OUT, f"report-{rows}")])[:2]
                if repetition % 2 == 0:
                    attributing = alone()
                    seconds, rss = check()
                else:
                    seconds, rss = check()
                    attributing = alone()
                pairs.append((attributing, seconds, rss, attributing / seconds))
            record("E1", "shapdrift attribution alone (same rows, in memory)", rows, statistics.median(pair[0] for pair in pairs))
            record("E1", "shapdrift check (capture, end to end)", rows, statistics.median(pair[1] for pair in pairs), max(pair[2] for pair in pairs))
            table[-1]["share_of_attribution_rate"] = round(statistics.median(pair[3] for pair in pairs), 3)
            table[-1]["paired_shares"] = [round(pair[3], 3) for pair in pairs]
        # What check adds per block besides attribution, on one core: folding into the profile
        # and the bootstrap's 200 replicates, for a block of T2's shape.
        result = json.loads(subprocess.run([BENCH_BIN, "fold", "16384", "50", str(max(3, options.repeat))],
                                           capture_output=True, check=True).stdout)
        record("E1", "shapdrift fold + bootstrap, one block, 1 core", 16384, result["seconds"])

    if "E2" in wanted:
        # E2: what a time window costs. The same check over the same 100,000 captured rows, once
        # with --since/--until around all of them (every inferenceTime is parsed and compared,
        # every row is kept) and once without; paired runs in alternating order, the median of
        # the paired ratios (window / none). Target: at most 1.05.
        baseline = os.path.join(OUT, "baseline.json")
        if not os.path.exists(baseline):
            run_command([BIN, "baseline", "--model", os.path.join(OUT, "t2.json"), "--data", os.path.join(OUT, "rows.csv"), "--output", baseline])
        rows = 100000
        capture = os.path.join(OUT, f"capture-{rows}.jsonl")
        if not os.path.exists(capture):
            subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_capture.py"), str(rows), capture], check=True)
        check = [BIN, "check", "--baseline", baseline, "--model", os.path.join(OUT, "t2.json"), "--data", capture,
                 "--output-dir", os.path.join(OUT, "report-e2")]
        window = ["--since", "2024-05-01T00:00:00Z", "--until", "2024-05-01T23:59:59Z"]
        pairs = []
        for repetition in range(options.repeat):
            if repetition % 2 == 0:
                plain = run_command(check)[0]
                windowed = run_command(check + window)[0]
            else:
                windowed = run_command(check + window)[0]
                plain = run_command(check)[0]
            pairs.append((plain, windowed, windowed / plain))
        record("E2", "shapdrift check (capture, no window)", rows, statistics.median(pair[0] for pair in pairs))
        record("E2", "shapdrift check (capture, --since/--until)", rows, statistics.median(pair[1] for pair in pairs))
        table[-1]["window_cost_ratio"] = round(statistics.median(pair[2] for pair in pairs), 3)
        table[-1]["paired_ratios"] = [round(pair[2], 3) for pair in pairs]

    if "W1" in wanted:
        # W1: the wide model. Targets: profile file <= 10 MB, folding <= attribution, peak RSS of
        # baseline <= 300 MB; the current profile with its 200-replicate bootstrap is reported beside.
        model, rows_csv, rows = os.path.join(OUT, "w1.json"), os.path.join(OUT, "w1-rows.csv"), 40_000
        baseline = os.path.join(OUT, "w1-baseline.json")
        results = [run_command([BIN, "baseline", "--model", model, "--data", rows_csv, "--output", baseline, "--timings"])
                   for _ in range(options.repeat)]
        seconds = statistics.median(r[0] for r in results)
        record("W1", "shapdrift baseline (wide: 11,000 summaries)", rows, seconds, max(r[1] for r in results))
        attributing = statistics.median(stage_seconds(r[2], "attributing") for r in results)
        folding = statistics.median(stage_seconds(r[2], "folding") for r in results)
        table[-1].update({"attributing_seconds": attributing, "folding_seconds": folding,
                          "profile_bytes": os.path.getsize(baseline), "targets_met": {
                              "profile_at_most_10_MB": os.path.getsize(baseline) <= 10_000_000,
                              "folding_at_most_attribution": folding <= attributing,
                              "peak_rss_at_most_300_MB": max(r[1] for r in results) <= 300}})
        current = os.path.join(OUT, "w1-profile.json")
        seconds, rss, errors = run_command([BIN, "profile", "--model", model, "--data", rows_csv, "--output", current, "--timings"])
        record("W1", "shapdrift profile (with the 200-replicate bootstrap)", rows, seconds, rss)
        table[-1].update({"profile_bytes": os.path.getsize(current), "folding_seconds": stage_seconds(errors, "folding")})

    if "S1" in wanted:
        # S1: small windows. A 2,000-row check of T1's model should keep every core busy while it
        # attributes (>= 0.9 x cores) and attribute within 20 % of a 100,000-row check's rate.
        baseline = os.path.join(OUT, "t1-baseline.json")
        if not os.path.exists(baseline):
            run_command([BIN, "baseline", "--model", os.path.join(OUT, "t1.json"), "--data", os.path.join(OUT, "rows.csv"), "--output", baseline])
        measured = {}
        for name, rows in [("rows-2k.csv", 2000), ("rows-100k.csv", 100_000)]:
            runs = [run_command([BIN, "check", "--baseline", baseline, "--model", os.path.join(OUT, "t1.json"), "--data", os.path.join(OUT, name),
                                 "--output-dir", os.path.join(OUT, "report-s1"), "--timings", "--bootstrap", "0"])
                    for _ in range(options.repeat if rows < 10_000 else 1)]
            attributing = statistics.median(stage_seconds(r[2], "attributing") for r in runs)
            cores = statistics.median(attributing_cores(r[2]) for r in runs)
            record("S1", f"shapdrift check, {rows:,} rows (attributing stage)", rows, attributing, max(r[1] for r in runs))
            table[-1]["attributing_cores"] = cores
            measured[rows] = (rows / attributing, cores)
        table[-1]["small_to_large_rate"] = round(measured[2000][0] / measured[100_000][0], 3)
        table[-1]["targets_met"] = {"small_window_cores": measured[2000][1] >= 0.9 * CORES,
                                    "small_window_rate_within_20_percent": measured[2000][0] >= 0.8 * measured[100_000][0]}

    if "G1" in wanted:
        # G1: merging shard profiles of T2's shape (50 features, the 200-replicate bootstrap, 1,000
        # rows each): seconds and peak RSS of `shapdrift merge` over 10, 100 and 1,000 of them.
        for count in (10, 100, 1000):
            directory = os.path.join(OUT, f"shards-{count}")
            if not os.path.isdir(directory) or len(os.listdir(directory)) != count:
                os.makedirs(directory, exist_ok=True)
                subprocess.run([BENCH_BIN, "shards", "1000", "50", str(count), directory], capture_output=True, check=True)
            paths = sorted(os.path.join(directory, name) for name in os.listdir(directory))
            seconds, rss, _ = median_command([BIN, "merge", *paths, "--output", os.path.join(OUT, f"merged-{count}.json")], options.repeat)
            record("G1", f"shapdrift merge, {count} shard profiles", 0, seconds, rss)
            table[-1].update({"profiles": count, "seconds_per_profile": round(seconds / count, 5),
                              "shard_profile_bytes": os.path.getsize(paths[0])})

    if "C1" in wanted:
        # C1: one core's rate for a shard's whole job (`profile --threads 1`: read, attribute, fold,
        # bootstrap) per model class, in rows per CPU second, with the attributing stage's seconds.
        for label, model, data, extra in [
                ("T1 XGBoost 500 trees, depth 8", "t1.json", "rows-1k.csv", []),
                ("T2 XGBoost 200 trees, depth 6", "t2.json", "rows.csv", []),
                ("T3 LightGBM 500 trees, 127 leaves", "t3.txt", "rows-1k.csv", []),
                ("I1 interventional, T2's model, 100 background rows", "t2.json", "rows-1k.csv",
                 ["--method", "tree-interventional", "--background", os.path.join(OUT, "background.csv")]),
                ("K1 KernelSHAP, 10 features, 2,048 samples", "k1.json", "k1-rows.csv",
                 ["--method", "kernel", "--background", os.path.join(OUT, "k1-background.csv"), "--samples", "2048"]),
                ("linear, 50 features", "c1-linear.json", "rows-100k.csv", [])]:
            rows = sum(1 for _ in open(os.path.join(OUT, data))) - 1
            results = [run_command([BIN, "profile", "--model", os.path.join(OUT, model), "--data", os.path.join(OUT, data), *extra,
                                    "--threads", "1", "--output", os.path.join(OUT, "c1-profile.json"), "--timings"], cpu=True)
                       for _ in range(options.repeat)]
            # Rows per CPU second: the next block is parsed on a thread of its own while this one is
            # attributed, so a run with --threads 1 can keep slightly more than one core busy.
            cpu_seconds = statistics.median(r[3] for r in results)
            record("C1", f"shapdrift profile, per CPU second: {label}", rows, cpu_seconds, max(r[1] for r in results))
            table[-1]["wall_seconds"] = statistics.median(r[0] for r in results)
            table[-1]["attributing_seconds"] = statistics.median(attributing_seconds(r[2]) for r in results)
            table[-1]["profile_bytes"] = os.path.getsize(os.path.join(OUT, "c1-profile.json"))

    ours = {entry["workload"]: entry for entry in table if entry["tool"].startswith("shapdrift") and "stage" not in entry["tool"]}
    stages = {entry["workload"]: entry for entry in table if entry["tool"] == "shapdrift (attributing stage)"}
    print(f"{'workload':8} {'tool':52} {'rows':>8} {'seconds':>9} {'rows/s':>10} {'peak RSS MiB':>13} {'shapdrift ×':>12} {'stage ×':>8}")
    for entry in table:
        mine = ours.get(entry["workload"])
        stage = stages.get(entry["workload"])
        ratio = stage_ratio = ""
        if "share_of_attribution_rate" in entry:
            # End-to-end rate as a share of the attribution-alone rate (median of paired runs).
            ratio = f"{entry['share_of_attribution_rate']:.2f}"
        elif "window_cost_ratio" in entry:
            # Wall time with the window over wall time without it (median of paired runs).
            ratio = f"{entry['window_cost_ratio']:.3f}"
        elif "small_to_large_rate" in entry:
            # S1: the 2,000-row check's attribution rate over the 100,000-row one's.
            ratio = f"{entry['small_to_large_rate']:.2f}"
        elif mine is not None and not entry["tool"].startswith("shapdrift") and entry["workload"] not in ("E1", "E2"):
            # Whole shapdrift command (load, parse, attribute, write) against the library call alone.
            ratio = f"{entry['seconds'] / mine['seconds']:.2f}"
            entry["shapdrift_speed_ratio"] = float(ratio)
            if stage is not None:
                # Attributing stage alone against the library call alone.
                stage_ratio = f"{entry['seconds'] / stage['seconds']:.2f}"
                entry["shapdrift_stage_speed_ratio"] = float(stage_ratio)
        rate = f"{entry['rows_per_second']:.0f}" if entry["rows_per_second"] else "-"
        rss = f"{entry['peak_rss_mib']:.1f}" if entry["peak_rss_mib"] is not None else "-"
        print(f"{entry['workload']:8} {entry['tool']:52} {entry['rows']:>8} {entry['seconds']:>9.3f} {rate:>10} {rss:>13} {ratio:>12} {stage_ratio:>8}")
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as handle:
        json.dump({"cores": CORES, "repeat": options.repeat, "results": table}, handle, indent=2)
        handle.write("\n")


if __name__ == "__main__":
    main()
