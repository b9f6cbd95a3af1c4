"""Profile a Spark DataFrame with the ShapDrift binary, partition by partition.

Each partition is one shard of a split (``shapdrift profile --shard i/n --shard-by engine``): an
executor writes its rows to a local CSV file, runs the binary on it, and hands back the
partition's profile; the profiles are merged pairwise on the executors (``RDD.treeReduce`` over
``shapdrift merge``) and the driver writes the one that is left. Serialised profiles travel,
never rows: a profile's size depends on the model (its features and outputs), not on the rows.

The merge is exact — counts, exact sums, sketch buckets and the bootstrap's sums add up — so
``shapdrift check --current-profile`` of the result gives the report a single ``shapdrift check``
of the same rows gives, provided the rows are keyed the same way: pass ``key_column`` (an event
id), since a row's default key is its file and line, and those depend on how Spark partitioned
the data. Without it only the bootstrap interval and ``sample_rate``'s choice of rows depend on
the partitioning; every count, sum and sketch does not.

PySpark is not a dependency of this package: this module imports it only when called.
"""
import csv
import math
import os
import shutil
import subprocess
import tempfile

__all__ = ["profile_dataframe"]


def _option_arguments(method, background_path, samples, seed, sample_rate, sample_seed, bootstrap, key_column,
                      max_bad_records, max_bad_fraction, threads):
    """The flags every partition's `shapdrift profile` gets."""
    arguments = ["--seed", str(seed), "--bootstrap", str(bootstrap), "--sample-rate", repr(float(sample_rate)),
                 "--sample-seed", str(sample_seed)]
    if method is not None:
        arguments += ["--method", method]
    if background_path is not None:
        arguments += ["--background", background_path]
    if samples is not None:
        arguments += ["--samples", str(samples)]
    if key_column is not None:
        arguments += ["--key-column", key_column]
    if max_bad_records is not None:
        arguments += ["--max-bad-records", str(max_bad_records)]
    if max_bad_fraction is not None:
        arguments += ["--max-bad-fraction", repr(float(max_bad_fraction))]
    if threads is not None:
        arguments += ["--threads", str(threads)]
    return arguments


def _cell(value):
    """A CSV cell that reads back as the same value: floats as their shortest round-trip decimal,
    missing values (None, NaN) empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def _run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result


def _executable(shipped_name):
    """The binary on an executor: the one shipped with the job, else `shapdrift` on its PATH."""
    if shipped_name is not None:
        from pyspark import SparkFiles

        path = SparkFiles.get(shipped_name)
        if not os.access(path, os.X_OK):
            os.chmod(path, 0o755)
        return path
    found = shutil.which("shapdrift")
    if found is None:
        raise RuntimeError("no shapdrift binary: pass binary= to ship one, or install it on the executors' PATH")
    return found


def profile_dataframe(df, model_path, output_path, *, method=None, background=None, samples=None, seed=0,
                      sample_rate=1.0, sample_seed=0, bootstrap=200, key_column=None, binary=None,
                      max_bad_records=None, max_bad_fraction=None, threads=1, depth=2):
    """Writes to ``output_path`` the ShapDrift profile of every row of ``df``.

    The options mirror ``shapdrift profile``'s: ``method``, ``background`` (a CSV file),
    ``samples`` and ``seed`` (KernelSHAP, linear-correlation; ``seed`` also seeds the bootstrap),
    ``sample_rate``/``sample_seed``, ``bootstrap`` (replicates), ``key_column`` (the column whose
    text keys each row), ``max_bad_records``/``max_bad_fraction``, ``threads`` per executor task
    (1 by default: Spark already runs a task per core). ``binary`` is a path to the ``shapdrift``
    binary on the driver, shipped to the executors (``SparkContext.addFile``); without it the
    executors run the ``shapdrift`` on their ``PATH``. The model and background files are
    shipped the same way. Columns are matched to the model's features by name, as for CSV data;
    others (a label, the key) are passed along and ignored.

    Returns the number of partitions profiled. Check the result with
    ``shapdrift check --baseline B --current-profile output_path``.
    """
    context = df.sparkSession.sparkContext
    context.addFile(os.path.abspath(model_path))
    model_name = os.path.basename(model_path)
    background_name = None
    if background is not None:
        context.addFile(os.path.abspath(background))
        background_name = os.path.basename(background)
    binary_name = None
    if binary is not None:
        context.addFile(os.path.abspath(binary))
        binary_name = os.path.basename(binary)
    columns = list(df.columns)
    partitions = df.rdd.getNumPartitions()
    options = (samples, seed, sample_rate, sample_seed, bootstrap, key_column, max_bad_records, max_bad_fraction, threads)

    def profile_partition(index, rows):
        from pyspark import SparkFiles

        executable = _executable(binary_name)
        background_path = SparkFiles.get(background_name) if background_name is not None else None
        arguments = _option_arguments(method, background_path, *options)
        with tempfile.TemporaryDirectory(prefix="shapdrift-partition-") as directory:
            # The file's name keys its rows when there is no key column: the same on every attempt.
            data = os.path.join(directory, f"part-{index:05d}.csv")
            with open(data, "w", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                for row in rows:
                    writer.writerow([_cell(value) for value in row])
            output = os.path.join(directory, "profile.json")
            command = [executable, "profile", "--model", SparkFiles.get(model_name), "--data", data, "--output", output]
            if partitions > 1:
                command += ["--shard", f"{index}/{partitions}", "--shard-by", "engine"]
            _run(command + arguments)
            with open(output) as handle:
                yield handle.read()

    def merge(left, right):
        executable = _executable(binary_name)
        with tempfile.TemporaryDirectory(prefix="shapdrift-merge-") as directory:
            paths = []
            for name, text in (("left.json", left), ("right.json", right)):
                paths.append(os.path.join(directory, name))
                with open(paths[-1], "w") as handle:
                    handle.write(text)
            output = os.path.join(directory, "merged.json")
            _run([executable, "merge", *paths, "--output", output])
            with open(output) as handle:
                return handle.read()

    merged = df.rdd.mapPartitionsWithIndex(profile_partition).treeReduce(merge, depth=depth)
    directory = os.path.dirname(os.path.abspath(output_path))
    with tempfile.NamedTemporaryFile("w", dir=directory, prefix=".shapdrift-", suffix=".json", delete=False) as handle:
        handle.write(merged)
        temporary = handle.name
    os.replace(temporary, output_path)
    return partitions
