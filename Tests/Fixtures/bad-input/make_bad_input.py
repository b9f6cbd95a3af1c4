#!/usr/bin/env python3
"""Writes the bad-input corpus: Tests/Fixtures/bad-input/<reader>/<case>/ holds the input files
and case.json — the command line (placeholders below), the exit code (2), a substring of the one
located message expected on standard error, and the class of defect from issue #13.

Placeholders the harness (Tests/ShapDriftCommandLineTests/BadInputCorpusTests.swift) replaces:
$CASE the case directory, $FIXTURES Tests/Fixtures, $MODELS models/, $OUT an empty directory that
must stay empty, $BASELINE a valid baseline of the drift fixture made by the harness, $STREAM the
path of a generated input (`"generate"`: streamed through standard input or a FIFO, never stored).

Profile cases are tampered copies of a format-4 baseline of the drift fixture made with the built
binary (SHAPDRIFT_BIN, default .build/debug/shapdrift) — for the members only a current profile
holds (bootstrap, records, column_counts), of the current profile `shapdrift profile` makes of the
fixture's current data, for `check --current-profile` and `merge` — damaged inside its summaries block where
the defect lives there (this file's own reader and writer of the block) and carrying a recomputed
checksum where the defect must reach the later checks (this file's `digest`, an independent
implementation of the canonical form in docs/robustness.md); cases about JSON bucket stores damage
the format-2 profile in Tests/Fixtures/profiles (formats 1–3 carry no checksum).

Run from the repository root: python3 Tests/Fixtures/bad-input/make_bad_input.py
"""
import base64
import copy
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(ROOT)))
FIXTURES = os.path.join(REPO, "Tests", "Fixtures")
BIN = os.environ.get("SHAPDRIFT_BIN", os.path.join(REPO, ".build", "debug", "shapdrift"))

DRIFT = "$FIXTURES/shap/drift_xgb_reg"
XGB_MODEL = os.path.join(FIXTURES, "format_rules", "xgb_float32_boundary", "model.json")
XGB_DATA = "$FIXTURES/format_rules/xgb_float32_boundary/data.csv"
LGBM_MODEL = os.path.join(FIXTURES, "format_rules", "lgbm_categorical_missing", "model.txt")
LGBM_DATA = "$FIXTURES/format_rules/lgbm_categorical_missing/data.csv"
SD_MODEL = os.path.join(REPO, "models", "sklearn-logistic", "model.json")
SD_DATA = "$MODELS/sklearn-logistic/baseline.csv"

cases = []


def case(reader, name, files, args, message, defect, **extra):
    cases.append((reader, name, files, args, message, defect, extra))


def explain(model_file, data):
    return ["explain", "--model", "$CASE/" + model_file, "--data", data, "--output", "$OUT/out.csv"]


def check(data, *more):
    """A strict check (`--max-bad-records 0`): the reader's own located error, not the bad-record
    budget's summary of it (the budget is tested in BadRecordTests)."""
    return ["check", "--baseline", "$BASELINE", "--model", DRIFT + "/model.json", "--data", data,
            "--output-dir", "$OUT/report", "--max-bad-records", "0", *more]


def baseline(data):
    """A baseline of the drift fixture's model: strict, and a reference must carry every feature."""
    return ["baseline", "--model", DRIFT + "/model.json", "--data", data, "--output", "$OUT/baseline.json"]


# ---------------------------------------------------------------- XGBoost JSON
xgb_text = open(XGB_MODEL).read()
xgb = json.loads(xgb_text)


def xgb_tree_edit(edit):
    document = copy.deepcopy(xgb)
    edit(document["learner"]["gradient_booster"]["model"]["trees"][0], document)
    return json.dumps(document)


def set_at(key, index, value):
    def edit(tree, _):
        tree[key][index] = value
    return edit


def xgb_case(name, text, message, defect):
    case("xgboost-json", name, {"model.json": text}, explain("model.json", XGB_DATA), message, defect)


xgb_case("truncated-half", xgb_text[: len(xgb_text) // 2], "truncated", "truncation")
xgb_case("truncated-one-byte", xgb_text.rstrip()[:-1], "truncated", "truncation")
xgb_case("byte-flip-brace", xgb_text[0] + xgb_text[1:].replace("{", "(", 2), "invalid JSON", "byte flip")
xgb_case("byte-flip-quote", xgb_text.replace('"learner"', '"learner', 1), "invalid JSON", "byte flip")
xgb_case("child-out-of-range", xgb_tree_edit(set_at("left_children", 0, 999)), "out of range", "out-of-range index")
xgb_case("child-negative", xgb_tree_edit(set_at("left_children", 0, -5)), "out of range", "out-of-range index")
xgb_case("child-int32-overflow", xgb_tree_edit(set_at("left_children", 0, 4294967296)), "expected a whole number", "huge number")
xgb_case("cycle", xgb_tree_edit(set_at("left_children", 1, 0)), "reached twice", "out-of-range index")
xgb_case("split-feature-huge", xgb_tree_edit(set_at("split_indices", 0, 2147483647)), "feature index 2147483647", "out-of-range index")


def declare_nodes(count):
    def edit(tree, _):
        tree["tree_param"]["num_nodes"] = str(count)
    return edit


xgb_case("num-nodes-bomb", xgb_tree_edit(declare_nodes(2147483647)), "elements, expected 2147483647", "allocation bomb")


def num_feature(value):
    def edit(_, document):
        document["learner"]["learner_model_param"]["num_feature"] = value
    return edit


xgb_case("num-feature-huge", xgb_tree_edit(num_feature("1e30")), "expected a whole number", "huge number")
first_leaf = xgb["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"].index(-1)
xgb_case("leaf-value-overflow", xgb_tree_edit(set_at("split_conditions", first_leaf, "HUGE")).replace('"HUGE"', "1e999"),
         "leaf value inf is not finite", "huge number")


def tree_info(value):
    def edit(_, document):
        document["learner"]["gradient_booster"]["model"]["tree_info"][0] = value
    return edit


xgb_case("tree-info-out-of-range", xgb_tree_edit(tree_info(7)), "feeds output 7", "out-of-range index")
xgb_case("nesting-bomb", '{"a":' * 100000, "nesting deeper than 512", "allocation bomb")
xgb_case("number-600-digits", xgb_text.replace('"num_feature":"2"', '"num_feature":' + "1" * 600, 1).replace('"num_feature": "2"', '"num_feature": ' + "1" * 600, 1),
         "longer than the 511", "huge number")
xgb_case("empty-file", "", "the model file is empty", "truncation")

# ---------------------------------------------------------------- XGBoost UBJSON
# The same model saved as UBJSON (Tests/Fixtures/make_ubjson_models.py), damaged at the bytes of
# one member: in xgboost's dialect (src/common/json.cc) a member name is `L`, a big-endian int64
# length and the bytes, and its value follows.
xgb_ubj = open(os.path.join(os.path.dirname(XGB_MODEL), "model.ubj"), "rb").read()


def ubj_name(name):
    return b"L" + struct.pack(">q", len(name)) + name.encode()


def ubj_value_at(name):
    """The offset of the value of the first member called `name`."""
    return xgb_ubj.index(ubj_name(name)) + 9 + len(name)


def ubj_splice(offset, length, replacement):
    return xgb_ubj[:offset] + replacement + xgb_ubj[offset + length:]


def ubj_count_at(name):
    """The offset of the int64 after the `L` of a counted or typed array's count."""
    value = ubj_value_at(name)
    return xgb_ubj.index(b"#L", value) + 2


def ubj_case(name, content, message, defect):
    case("xgboost-ubj", name, {"model.ubj": content}, explain("model.ubj", XGB_DATA), message, defect)


assert xgb_ubj[ubj_value_at("num_nodes"):][:10] == b"S" + ubj_name("7")[:9]
ubj_case("truncated-half", xgb_ubj[: len(xgb_ubj) // 2], "bytes on (truncated?)", "truncation")
ubj_case("truncated-one-byte", xgb_ubj[:-1], "expected a member name or '}' (the file ends here: truncated?)", "truncation")
ubj_case("count-2-62", ubj_splice(ubj_count_at("split_conditions"), 8, struct.pack(">q", 2 ** 62)),
         "a typed array declares 4611686018427387904 elements of 4 bytes", "allocation bomb")
ubj_case("string-past-end", ubj_splice(ubj_value_at("num_nodes") + 2, 8, struct.pack(">q", 2 ** 40)),
         "a string declares 1099511627776 bytes, but only", "allocation bomb")
ubj_case("negative-length", ubj_splice(ubj_count_at("left_children"), 8, struct.pack(">q", -1)),
         "a typed array has a negative length, -1", "huge number")
ubj_case("unknown-marker", ubj_splice(ubj_value_at("num_nodes"), 1, b"N"), "unknown marker 'N'", "byte flip")
ubj_case("typed-array-of-strings", ubj_splice(ubj_value_at("split_conditions") + 2, 1, b"S"),
         "typed array of 'S' elements", "byte flip")
ubj_case("nesting-bomb", b"{" + ubj_name("a") + b"[" * 100000, "nesting deeper than 512", "allocation bomb")
learner = xgb_ubj[ubj_value_at("learner"):-1]
ubj_case("learner-twice", b"{" + ubj_name("learner") + learner + ubj_name("learner") + learner + b"}",
         'member "learner" appears more than once', "duplicate name")
ubj_case("num-nodes-bomb", ubj_splice(ubj_value_at("num_nodes"), 11, b"S" + ubj_name("2147483647")),
         "elements, expected 2147483647", "allocation bomb")

# ---------------------------------------------------------------- LightGBM text
lgbm_text = open(LGBM_MODEL).read()
lgbm_lines = lgbm_text.split("\n")


def lgbm_replace(prefix, replacement):
    index = next(i for i, line in enumerate(lgbm_lines) if line.startswith(prefix))
    lines = list(lgbm_lines)
    lines[index] = replacement(lines[index])
    return "\n".join(lines)


def lgbm_case(name, text, message, defect):
    case("lightgbm-text", name, {"model.txt": text}, explain("model.txt", LGBM_DATA), message, defect)


lgbm_case("truncated-half", lgbm_text[: len(lgbm_text) // 2], "missing (required)", "truncation")
lgbm_case("threshold-not-a-number", lgbm_replace("threshold=", lambda l: "threshold=abc" + l[l.index(" "):]), "threshold[0]", "byte flip")
lgbm_case("left-child-out-of-range", lgbm_replace("left_child=", lambda l: "left_child=-99" + l[l.index(" "):]), "out of range", "out-of-range index")
lgbm_case("split-feature-huge", lgbm_replace("split_feature=", lambda l: "split_feature=2147483647" + l[l.index(" "):]), "splits on feature index 2147483647",
          "out-of-range index")
lgbm_case("threshold-short", lgbm_replace("threshold=", lambda l: " ".join(l.split(" ")[:-1])), "expected", "truncation")
lgbm_case("leaf-value-overflow", lgbm_replace("leaf_value=", lambda l: "leaf_value=1e999" + l[l.index(" "):]), "leaf value inf is not finite",
          "huge number")
lgbm_case("num-leaves-bomb", lgbm_replace("num_leaves=", lambda l: "num_leaves=2147483647"), "num_leaves:", "allocation bomb")
lgbm_case("invalid-utf8", lgbm_text.replace("feature_names=x_one", "feature_names=x_\udcff", 1).encode("utf-8", "surrogateescape"),
          "not valid UTF-8", "byte flip")

# ---------------------------------------------------------------- ShapDrift JSON
sd = json.load(open(SD_MODEL))


def sd_case(name, document_or_text, message, defect):
    text = document_or_text if isinstance(document_or_text, str) else json.dumps(document_or_text)
    case("shapdrift-json", name, {"model.json": text}, explain("model.json", SD_DATA), message, defect)


def sd_edit(edit):
    document = copy.deepcopy(sd)
    edit(document)
    return document


sd_text = json.dumps(sd)
sd_case("truncated", sd_text[: len(sd_text) * 2 // 3], "truncated", "truncation")
sd_case("coefficient-overflow", sd_text.replace(str(sd["linear"]["coefficients"][0][0]), "1e999", 1), "coefficient inf is not finite", "huge number")
sd_case("coefficients-short", sd_edit(lambda d: d["linear"]["coefficients"][0].pop()), "has 5 elements, expected 6", "truncation")
sd_case("n-features-huge", sd_edit(lambda d: d.__setitem__("n_features", 2147483647)), "2147483647 features is more than", "allocation bomb")
sd_case("byte-flip-colon", sd_text.replace(":", ";", 2), "invalid JSON", "byte flip")

# ---------------------------------------------------------------- CSV (check against the drift fixture)
header = "d0,d1,d2,d3,d4,d5,d6,d7"
row = "-0.3793,0.0148,0.7417,-0.577,2.3685,-0.8158,-1.0861,-0.359"


def csv_case(name, text, message, defect, *more, **extra):
    case("csv", name, {"data.csv": text}, check("$CASE/data.csv", *more), message, defect, **extra)


csv_case("non-numeric-cell", f"{header}\n{row}\n{row.replace('0.0148', 'oops')}\n", "data.csv:3:2: d1:", "byte flip")
csv_case("ragged-row", f"{header}\n{row}\n{row.rsplit(',', 1)[0]}\n", "data.csv:3: row has 7 fields", "truncation")
csv_case("infinite-cell", f"{header}\n{row.replace('0.7417', '1e999')}\n", "data.csv:2:3: d2:", "huge number")
csv_case("number-600-digits", f"{header}\n{row.replace('0.7417', '7' * 600)}\n", "data.csv:2:3: d2:", "huge number")
csv_case("too-large-to-profile", f"{header}\n{row}\n{row.replace('2.3685', '1.5e200')}\n", "too large to profile", "huge number")
csv_case("unterminated-quote", f"{header}\n\"{row}\n", "unterminated quoted field", "truncation")
csv_case("text-after-quote", f"{header}\n\"-0.3793\"x,{row.split(',', 1)[1]}\n", "text after the closing quote", "byte flip")
csv_case("duplicate-column", f"{header},d3\n{row},1\n", "column appears more than once", "duplicate name")
case("csv", "missing-column", {"data.csv": f"{header.replace('d4', 'd44')}\n{row}\n"}, baseline("$CASE/data.csv"),
     "missing feature column(s) 'd4'", "truncation")
csv_case("empty-file", "", "the file is empty", "truncation")
csv_case("header-only", f"{header}\n", "no data rows", "truncation")
csv_case("nul-byte", header + "\n" + row.replace("0.0148", "0.0\x0048") + "\n", "data.csv:2:2: d1:", "byte flip")
csv_case("invalid-utf8-cell", (f"{header}\n{row.replace('0.0148', 'X')}\n").replace("X", "\udcff").encode("utf-8", "surrogateescape"),
         "data.csv:2:2: d1:", "byte flip")
csv_case("long-line", f"{header}\n{row},{','.join(['1'] * 100)}\n", "data.csv:2: line is longer than 100 bytes", "long line",
         "--max-line-bytes", "100")
case("csv", "stdin-2gib-line", {}, ["check", "--baseline", "$BASELINE", "--model", DRIFT + "/model.json", "--data", "-",
                                    "--output-dir", "$OUT/report"],
     "<stdin>:2: line is longer than 16777216 bytes", "long line (2 GiB, streamed)",
     generate={"via": "stdin", "prefix": header + "\n", "fill": "1", "bytes": 2147483648})

# ---------------------------------------------------------------- JSON Lines
names = header.split(",")
values = [float(v) for v in row.split(",")]
good = json.dumps(dict(zip(names, values)))


def jsonl_case(name, text, message, defect, *more):
    case("jsonl", name, {"rows.jsonl": text}, check("$CASE/rows.jsonl", *more), message, defect)


jsonl_case("broken-line", good + "\n" + good[:-5] + "\n", "rows.jsonl:2:", "truncation")
jsonl_case("duplicate-key", good + "\n" + good.replace("{", '{"d0": 5.0, ', 1) + "\n", "appears more than once", "duplicate name")
case("jsonl", "missing-feature", {"rows.jsonl": good + "\n" + json.dumps({k: v for k, v in zip(names, values) if k != "d6"}) + "\n"},
     baseline("$CASE/rows.jsonl"), "rows.jsonl:2: d6: feature missing", "truncation")
jsonl_case("infinite-value", good.replace("0.7417", "1e999") + "\n", "rows.jsonl:1: d2:", "huge number")
jsonl_case("string-value", good.replace("0.7417", '"abc"') + "\n", "rows.jsonl:1: d2:", "byte flip")
jsonl_case("boolean-value", good.replace("0.7417", "true") + "\n", "expected a number or null", "byte flip")
jsonl_case("nesting-bomb", good + "\n" + "[" * 2000 + "\n", "nesting deeper than 512", "allocation bomb")
jsonl_case("array-wrong-length", good + "\n" + json.dumps(values[:5]) + "\n", "record has 5 values, the model has 8", "truncation")
jsonl_case("long-line", good + "\n", "rows.jsonl:1: line is longer than 100 bytes", "long line", "--max-line-bytes", "100")
jsonl_case("number-600-digits", good.replace("0.7417", "7" * 600) + "\n", "longer than the 511", "huge number")

# ---------------------------------------------------------------- SageMaker capture
def record(data, encoding="CSV", content_type="text/csv", time="2024-05-01T10:00:00Z", mode="INPUT"):
    return json.dumps({"captureData": {"endpointInput": {"observedContentType": content_type, "mode": mode, "data": data,
                                                         "encoding": encoding}},
                       "eventMetadata": {"eventId": "e-1", "inferenceTime": time}, "eventVersion": "0"})


def capture_case(name, text, message, defect, *more):
    case("capture", name, {"capture.jsonl": text}, check("$CASE/capture.jsonl", *more), message, defect)


capture_case("empty-payload", record(row) + "\n" + record("") + "\n", "capture.jsonl:2: captureData.endpointInput.data: the payload holds no row",
             "empty capture payload")
capture_case("blank-lines-payload", record("\n\n") + "\n", "the payload holds no row", "empty capture payload")
capture_case("empty-instances", record(json.dumps({"instances": []}), "JSON", "application/json") + "\n", "the payload holds no row",
             "empty capture payload")
capture_case("empty-base64", record("", "BASE64") + "\n", "the payload holds no row", "empty capture payload")
capture_case("broken-json", record(row) + "\n" + record(row)[:40] + "\n", "capture.jsonl:2:", "truncation")
capture_case("wrong-column-count", record(row.rsplit(",", 1)[0]) + "\n", "CSV payload row has 7 values", "truncation")
capture_case("unknown-encoding", record(row, "GZIP") + "\n", "unknown encoding GZIP", "byte flip")
capture_case("non-numeric", record(row.replace("0.0148", "x")) + "\n", "capture.jsonl:1:2:", "byte flip")
capture_case("bad-base64", record("abc", "BASE64") + "\n", "not valid base64", "byte flip")
capture_case("base64-unknown-type", record("MSwy", "BASE64", "application/octet-stream") + "\n", "cannot tell a BASE64 payload's type",
             "byte flip")
capture_case("output-only", record(row, mode="OUTPUT") + "\n", "expected INPUT, found OUTPUT", "byte flip")
capture_case("duplicate-key-in-payload", record('{"d0": 1, "d0": 2}', "JSON", "application/json") + "\n", "appears more than once",
             "duplicate name")
capture_case("bad-inference-time", record(row, time="yesterday") + "\n", "eventMetadata.inferenceTime", "byte flip",
             "--since", "2024-05-01T00:00:00Z")
capture_case("infinite-value", record(row.replace("0.7417", "1e999")) + "\n", "capture.jsonl:1:3:", "huge number")
capture_case("long-line", record(row) + "\n", "capture.jsonl:1: line is longer than 200 bytes", "long line", "--max-line-bytes", "200")
case("capture", "fifo-2gib-line", {}, ["check", "--baseline", "$BASELINE", "--model", DRIFT + "/model.json", "--data", "$STREAM",
                                       "--input-format", "capture", "--output-dir", "$OUT/report"],
     "line is longer than 16777216 bytes", "long line (2 GiB, streamed)",
     generate={"via": "fifo", "prefix": '{"captureData":{"endpointInput":{"data":"', "fill": "1,", "bytes": 2147483648})

# ---------------------------------------------------------------- Baseline profiles
def digest(value):
    """SHA-256 of the canonical form of a parsed JSON value (docs/robustness.md)."""
    hasher = hashlib.sha256()

    def add(v):
        if v is None:
            hasher.update(b"n")
        elif v is True:
            hasher.update(b"t")
        elif v is False:
            hasher.update(b"f")
        elif isinstance(v, (int, float)):
            hasher.update(b"d" + struct.pack("<d", float(v)))
        elif isinstance(v, str):
            data = v.encode("utf-8")
            hasher.update(b"s" + struct.pack("<Q", len(data)) + data)
        elif isinstance(v, list):
            hasher.update(b"a" + struct.pack("<Q", len(v)))
            for item in v:
                add(item)
        else:
            hasher.update(b"o" + struct.pack("<Q", len(v)))
            for key in sorted(v, key=lambda k: k.encode("utf-8")):
                add(key)
                add(v[key])

    add(value)
    return hasher.hexdigest()


def with_checksum(document):
    document = copy.deepcopy(document)
    document.pop("integrity", None)
    parts = {}
    for key, value in document.items():
        if not isinstance(value, list):
            parts[key] = digest(value)[:16]
            continue
        for index, item in enumerate(value):
            name = f"{key}[{index}]"
            if isinstance(item, dict) and isinstance(item.get("features"), list):
                rest = {k: v for k, v in item.items() if k != "features"}
                parts[name] = digest(rest)[:16]
                for feature, summary in enumerate(item["features"]):
                    parts[f"{name}.features[{feature}]"] = digest(summary)[:16]
            else:
                parts[name] = digest(item)[:16]
    document["integrity"] = {"parts": parts, "sha256": digest(document)}
    return document


def make_profile(command, data):
    """The profile the built binary's `command` (baseline or profile) makes of the drift fixture's `data` file."""
    scratch = os.path.join(ROOT, f".{command}.json")
    subprocess.run([BIN, command, "--model", os.path.join(FIXTURES, "shap", "drift_xgb_reg", "model.json"),
                    "--data", os.path.join(FIXTURES, "shap", "drift_xgb_reg", data), "--output", scratch],
                   check=True, capture_output=True)
    text = open(scratch).read()
    os.remove(scratch)
    return json.loads(text)


# The summaries block of format 4 (SummaryCoding in Sources/ShapDriftDrift, docs/baseline-profile.md):
# an independent reader and writer, so cases can damage one number inside it and still carry a
# valid checksum and valid compression.
class Bytes:
    def __init__(self, data):
        self.data, self.position = data, 0

    def unsigned(self):
        value, shift = 0, 0
        while True:
            byte = self.data[self.position]
            self.position += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def signed(self):
        raw = self.unsigned()
        return (raw >> 1) ^ -(raw & 1)

    def double(self):
        value = struct.unpack_from("<d", self.data, self.position)[0]
        self.position += 8
        return value


def decode_summaries(document):
    block = document["summaries"]
    reader = Bytes(zlib.decompress(base64.b64decode(block["data"])))
    summaries = []
    for _ in range(block["count"]):
        item = {"count": reader.unsigned(), "missing": reader.unsigned()}
        if item["count"] > 0:
            item["min"], item["max"] = reader.double(), reader.double()
        item["sums"] = [[reader.double() for _ in range(reader.unsigned())] for _ in range(3)]
        item["zero_count"] = reader.unsigned()
        item["stores"] = []
        for _ in range(2):
            span = reader.unsigned()
            if span == 0:
                item["stores"].append(None)
                continue
            first, counts, previous = reader.signed(), [], 0
            for _ in range(span):
                previous = (previous + reader.signed()) % 2 ** 64
                counts.append(previous)
            item["stores"].append([first, counts])
        summaries.append(item)
    assert reader.position == len(reader.data)
    return summaries


def encode_summaries(document, summaries):
    out = bytearray()

    def unsigned(value):
        value %= 2 ** 64
        while value >= 0x80:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)

    def signed(value):
        unsigned((value << 1) ^ (value >> 63))

    for item in summaries:
        unsigned(item["count"])
        unsigned(item["missing"])
        if item["count"] > 0:
            out.extend(struct.pack("<dd", item["min"], item["max"]))
        for terms in item["sums"]:
            unsigned(len(terms))
            for term in terms:
                out.extend(struct.pack("<d", term))
        unsigned(item["zero_count"])
        for store in item["stores"]:
            if store is None:
                unsigned(0)
                continue
            first, counts = store
            unsigned(len(counts))
            signed(first)
            previous = 0
            for count in counts:
                difference = (count - previous) % 2 ** 64
                signed(difference - 2 ** 64 if difference >= 2 ** 63 else difference)
                previous = count
    document["summaries"] = {"count": len(summaries), "encoding": document["summaries"]["encoding"], "size": len(out),
                             "data": base64.b64encode(zlib.compress(bytes(out), 9)).decode()}


base = make_profile("baseline", "baseline.csv")
assert base["format_version"] == 4
recomputed = with_checksum(base)
assert recomputed["integrity"] == base["integrity"], "the Python digest disagrees with the tool's"
round_trip = copy.deepcopy(base)
encode_summaries(round_trip, decode_summaries(base))
assert decode_summaries(round_trip) == decode_summaries(base), "the Python summaries codec disagrees with the tool's"
# Formats 1–3 (read without a checksum) held every summary as JSON: a format-2 profile of the fraud
# model, written by that build, is the base of the cases about JSON bucket stores.
old = json.load(open(os.path.join(FIXTURES, "profiles", "fraud-xgb.format2.json")))
assert old["format_version"] == 2


def tampered(edit):
    """The format-4 baseline with `edit(document, summaries)` applied to its JSON and its decoded
    summaries (feature by feature: values, then each output's φ), re-encoded, with a valid checksum."""
    document = copy.deepcopy(base)
    summaries = decode_summaries(document)
    edit(document, summaries)
    encode_summaries(document, summaries)
    return with_checksum(document)


def tampered_old(edit):
    """The format-2 profile with `edit(document)` applied."""
    document = copy.deepcopy(old)
    edit(document)
    return document


def old_summary(document, output=0, feature=0):
    return document["outputs"][output]["features"][feature]


def profile_case(name, document_or_text, message, defect, command="check"):
    text = document_or_text if isinstance(document_or_text, (str, bytes)) else json.dumps(document_or_text, indent=1)
    if command == "check":
        args = ["check", "--baseline", "$CASE/baseline.json", "--model", DRIFT + "/model.json", "--data", DRIFT + "/current.csv",
                "--output-dir", "$OUT/report"]
    else:
        args = ["merge", "$CASE/baseline.json", "$CASE/baseline.json", "--output", "$OUT/merged.json"]
    case("profile", name, {"baseline.json": text}, args, message, defect)


def set_first_index(value, summary=1):
    def edit(_, summaries):
        summaries[summary]["stores"][0][0] = value
    return edit


def set_old_index(value):
    def edit(document):
        old_summary(document)["sketch"]["positive"]["indices"][0] = value
    return edit


# Format 4: the summaries block.
for command in ["check", "merge"]:
    profile_case(f"bucket-index-int-min-f4-{command}", tampered(set_first_index(-2 ** 63)), "are outside", "abs(Int.min) bucket index", command)
    profile_case(f"bucket-index-int-min-f2-{command}", tampered_old(set_old_index(-2 ** 63)), "bucket index -9.223372036854776e+18 is outside",
                 "abs(Int.min) bucket index", command)
profile_case("bucket-index-far", tampered(set_first_index(-99999)), "bucket indices -99999… of", "out-of-range index")
profile_case("bucket-count-uint64-max", tampered(lambda _, s: s[1]["stores"][0][1].__setitem__(0, 2 ** 64 - 1)), "bucket counts overflow",
             "UInt64 count overflow")
profile_case("rows-uint64-max", tampered(lambda d, _: d.__setitem__("rows", 2 ** 64 - 1)), "rows: 18446744073709551615 rows is more than the 2^53",
             "UInt64 count overflow")
profile_case("count-uint64-max", tampered(lambda _, s: s[1].__setitem__("count", 2 ** 64 - 1)), "the summary 18446744073709551615",
             "UInt64 count overflow")


def all_missing(rows):
    def edit(document, summaries):
        document["rows"] = rows
        for output in document["outputs"]:
            output["mean_abs"] = [0.0] * len(output["mean_abs"])
        for index in range(len(summaries)):
            summaries[index] = {"count": 0, "missing": rows, "sums": [[], [], []], "zero_count": 0, "stores": [None, None]}
    return edit


case("profile", "merge-rows-overflow", {"baseline.json": json.dumps(tampered(all_missing(2 ** 53)), indent=1)},
     ["merge", "$CASE/baseline.json", "$CASE/baseline.json", "--output", "$OUT/merged.json"],
     "merge: 9007199254740992 + 9007199254740992 rows is more than the 2^53", "UInt64 count overflow")
rows = base["rows"]
profile_case("rows-mismatch", tampered(lambda d, _: d.__setitem__("rows", rows - 1)), f"is not the profile's {rows - 1} rows", "tampered baseline")
profile_case("negative-sum-abs", tampered(lambda _, s: s[1]["sums"].__setitem__(1, [-5.0])), "are inconsistent", "tampered baseline")
profile_case("min-above-max", tampered(lambda _, s: s[1].__setitem__("min", s[1]["max"] + 100.0)), "do not bound finite values", "tampered baseline")
profile_case("sketch-above-max", tampered(lambda _, s: s[1].__setitem__("max", s[1]["min"] + (s[1]["max"] - s[1]["min"]) / 8)),
             "values above max", "tampered baseline")
profile_case("sum-term-overflow", tampered(lambda _, s: s[1]["sums"].__setitem__(0, [1e308, 1e308])), "a sum is not finite", "huge number")
profile_case("duplicate-feature-name", tampered(lambda d, _: d["model"]["feature_names"].__setitem__(1, "d0")),
             "feature name 'd0' appears more than once", "duplicate name")
profile_case("prediction-count-mismatch", tampered(lambda d, s: s[-1].__setitem__("missing", s[-1]["missing"] + 1)),
             "predictions[0].value", "tampered baseline")
size_bomb = copy.deepcopy(base)
size_bomb["summaries"]["size"] = 2 ** 40
profile_case("summaries-size-bomb", with_checksum(size_bomb), "cannot hold the 1099511627776 declared", "allocation bomb")

# Format 4: the summaries block's memory, charged against the file's cell budget (2^22 + 8 per byte):
# 2,000 features whose every store spans 2,048 buckets, mostly zero counts that DEFLATE squeezes
# ~1,000 : 1, in a file of a few tens of kilobytes (once accepted with 112 MB allocated).
def cell_bomb(document, summaries):
    features = 2000
    document["model"]["feature_names"] = [f"f{i}" for i in range(features)]
    for output in document["outputs"]:
        output["mean_abs"] = [0.0] * features
    predictions = sum(2 if p["probability"] else 1 for p in document.get("predictions", []))
    wide = {"count": 2, "missing": document["rows"] - 2, "min": 1.0, "max": 2.0, "sums": [[3.0], [3.0], [5.0]], "zero_count": 0,
            "stores": [[0, [1] + [0] * 2046 + [1]], None]}
    summaries[:] = [wide] * (features * (len(document["outputs"]) + 1) + predictions)


for command in ["check", "merge"]:
    profile_case(f"summaries-cell-bomb-{command}", tampered(cell_bomb), "the sketches' bucket stores span more than", "allocation bomb", command)

# Format 4: the checksum.
profile_text = json.dumps(base, indent=1)
profile_case("duplicate-json-member", profile_text.replace('"rows":', '"rows": 1,\n "rows":', 1), "\"rows\" appears more than once", "duplicate name")
changed = json.dumps(dict(base, rows=rows + 1), indent=1)
profile_case("changed-digit-check", changed, "does not match its checksum: rows changed", "tampered baseline")
profile_case("changed-digit-merge", changed, "does not match its checksum", "tampered baseline", "merge")
mean = base["outputs"][0]["mean_abs"][0]
profile_case("changed-mean-digit", profile_text.replace(json.dumps(mean), json.dumps(mean * 1.01), 1), "does not match its checksum: outputs[0]",
             "tampered baseline")
# Top-level members named like the parts of an array member (`outputs[0]` beside `outputs`): the
# part names collided, and the checksum's reader trapped on the duplicate (found by fuzz-profile).
colliding = copy.deepcopy(base)
colliding["outputs[0]"] = {"x": 1}
colliding["outputs[0].features[0]"] = 2
profile_case("part-name-collision", colliding, "does not match its checksum", "tampered baseline")
fingerprint = base["model"]["model_sha256"]
profile_case("changed-model-fingerprint", profile_text.replace(fingerprint, fingerprint[:-1] + ("0" if fingerprint[-1] != "0" else "1")),
             "does not match its checksum: model changed", "tampered baseline")
summaries_text = base["summaries"]["data"]
flipped = summaries_text[:100] + ("A" if summaries_text[100] != "A" else "B") + summaries_text[101:]
profile_case("changed-summaries-byte", profile_text.replace(summaries_text, flipped), "does not match its checksum: summaries changed",
             "byte flip")
no_integrity = copy.deepcopy(base)
no_integrity.pop("integrity")
profile_case("checksum-removed", no_integrity, "integrity: missing", "tampered baseline")
profile_case("format-99", tampered(lambda d, _: d.__setitem__("format_version", 99)), "profile format 99.0 is not supported", "tampered baseline")
profile_case("truncated", profile_text[: len(profile_text) // 2], "truncated", "truncation")
profile_case("outputs-declared-huge", tampered(lambda d, _: d["model"].__setitem__("n_outputs", 2147483647)), "do not match its model description",
             "allocation bomb")
profile_case("not-a-profile", "{}", "format_version: missing", "truncation")

# Formats 1–3: JSON bucket stores and sums, no checksum.
profile_case("bucket-indices-decreasing", tampered_old(lambda d: old_summary(d)["sketch"]["positive"]["indices"].reverse()),
             "bucket indices must increase", "out-of-range index")


def span_bomb(document):
    wide = {"count": 2, "missing": 0, "sum": [0.0], "sum_abs": [2.0], "sum_squares": [2.0], "min": -1.0, "max": 1.0,
            "sketch": {"count": 2, "zero_count": 0, "positive": {"indices": [-34537, 35488], "counts": [1, 0]},
                       "negative": {"indices": [-34537, 35488], "counts": [1, 0]}}}
    document["feature_values"] = [wide] * 200


profile_case("bucket-span-bomb", tampered_old(span_bomb), "bucket ranges span more than", "allocation bomb")
profile_case("bucket-counts-overflow-sum", tampered_old(lambda d: old_summary(d)["sketch"]["positive"]["counts"].__setitem__(0, 2 ** 53)),
             "the sketch's buckets do not add up", "UInt64 count overflow")
profile_case("old-bucket-count-uint64-max", tampered_old(lambda d: old_summary(d)["sketch"]["positive"]["counts"].__setitem__(0, 2 ** 64 - 1)),
             "is not a whole number in 0...2^53", "UInt64 count overflow")
profile_case("rows-beyond-uint64", tampered_old(lambda d: d.__setitem__("rows", 2 ** 64)), "rows", "UInt64 count overflow")
profile_case("old-sum-term-overflow", tampered_old(lambda d: old_summary(d).__setitem__("sum", [1e308, 1e308])), "a sum is not finite",
             "huge number")
old_text = json.dumps(old, indent=1)
old_min = json.dumps(old["feature_values"][0]["min"])
profile_case("nan-min", old_text.replace(f'"min": {old_min}', '"min": NaN', 1), "feature_values[0].min: nan is not a finite number",
             "byte flip")


# ---------------------------------------------------------------- Current profiles
# A current profile (`shapdrift profile`: with its bootstrap, what reading found and the columns the
# rows carried) of the drift fixture's current data, tampered in those members with a recomputed
# checksum, for `check --current-profile` and `merge` (each once trapped: an index past the
# bootstrap's columns, a negative count converted, counts that overflowed when merged).
current = make_profile("profile", "current.csv")
assert current["format_version"] == 4 and "bootstrap" in current and "records" in current and "column_counts" in current
assert with_checksum(current)["integrity"] == current["integrity"]


def varints(text):
    """The bootstrap's sums (VarintCoding in Sources/ShapDriftDrift): zigzag LEB128 varints, in base64."""
    reader, values = Bytes(base64.b64decode(text)), []
    while reader.position < len(reader.data):
        values.append(reader.signed())
    return values


def to_varints(values):
    out = bytearray()
    for value in values:
        raw = ((value << 1) ^ (value >> 63)) % 2 ** 64
        while raw >= 0x80:
            out.append((raw & 0x7F) | 0x80)
            raw >>= 7
        out.append(raw)
    return base64.b64encode(bytes(out)).decode()


def tampered_current(edit):
    document = copy.deepcopy(current)
    edit(document)
    return with_checksum(document)


def current_case(name, document, message, defect, command="check"):
    if command == "check":
        args = ["check", "--baseline", "$BASELINE", "--model", DRIFT + "/model.json", "--current-profile", "$CASE/profile.json",
                "--output-dir", "$OUT/report"]
    else:
        args = ["merge", "$CASE/profile.json", "$CASE/profile.json", "--output", "$OUT/merged.json"]
    case("profile", name, {"profile.json": json.dumps(document, indent=1)}, args, message, defect)


def one_column_bootstrap(document):
    """The bootstrap cut to its first column (width 1, consistent in itself) on an 8-feature model."""
    bootstrap = document["bootstrap"]
    replicates = bootstrap["replicates"]
    bootstrap["width"], bootstrap["top_bins"] = 1, bootstrap["top_bins"][:1]
    bootstrap["sums"] = to_varints(varints(bootstrap["sums"])[: 2 * replicates])


assert len(varints(current["bootstrap"]["sums"])) == 2 * current["bootstrap"]["replicates"] * current["bootstrap"]["width"]
current_rows = current["rows"]
features = len(current["model"]["feature_names"])
for command in ["check", "merge"]:
    current_case(f"current-bootstrap-width-{command}", tampered_current(one_column_bootstrap),
                 f"bootstrap.width: 1 values per row, but the model has {features}", "out-of-range index", command)
current_case("current-bootstrap-rows", tampered_current(lambda d: d["bootstrap"].__setitem__("rows", current_rows - 1)),
             f"bootstrap.rows: {current_rows - 1} rows, but the profile holds {current_rows}", "tampered current profile")
current_case("current-bootstrap-weight-total", tampered_current(lambda d: d["bootstrap"]["weight_totals"].__setitem__(0, 2 ** 40)),
             "bootstrap.weight_totals[0]: 1099511627776 is more than 20", "tampered current profile", "merge")
for command in ["check", "merge"]:
    current_case(f"current-skipped-negative-{command}", tampered_current(lambda d: d["records"].__setitem__("skipped", -1)),
                 "records.skipped: -1 is not a count in 0...2^53", "tampered current profile", command)
current_case("current-by-reason-negative", tampered_current(lambda d: d["records"].__setitem__("by_reason", {"malformed JSON": -1})),
             "records.by_reason.malformed JSON: -1 is not a count in 0...2^53", "tampered current profile")
current_case("current-skipped-above-read", tampered_current(lambda d: d["records"].update(skipped=current_rows + 1,
                                                                                        by_reason={"malformed JSON": current_rows + 1})),
             f"records.skipped: {current_rows + 1} records skipped, more than the {current_rows} read", "tampered current profile")
current_case("current-read-2-62-merge", tampered_current(lambda d: d["records"].__setitem__("read", 2 ** 62)),
             "records.read: 4611686018427387904 is not a count in 0...2^53", "UInt64 count overflow", "merge")
current_case("current-read-merge-overflow", tampered_current(lambda d: d["records"].__setitem__("read", 2 ** 53)),
             "profile.json: records.read: merged: 18014398509481984 is not a count in 0...2^53", "UInt64 count overflow", "merge")
current_case("current-column-rows-uint64-max-merge", tampered_current(lambda d: d["column_counts"].__setitem__("rows", 2 ** 64 - 1)),
             f"column_counts.rows: 18446744073709551615 rows, but the profile's source handed out {current_rows}", "UInt64 count overflow",
             "merge")
current_case("current-absent-rows-above-rows", tampered_current(lambda d: d["column_counts"]["absent_feature_rows"].__setitem__("2", current_rows + 1)),
             f"column_counts.absent_feature_rows.2: {current_rows + 1} rows without the column", "tampered current profile", "merge")
current_case("current-absent-feature-not-an-index", tampered_current(lambda d: d["column_counts"]["absent_feature_rows"].__setitem__("99", 1)),
             f"column_counts.absent_feature_rows.99: not a feature index: the model has {features} features", "out-of-range index")


def write_fuzz_seeds():
    """Small valid profiles (formats 4 and 2) as seeds of Fuzz/'s profile target: the drift
    fixture's profile is larger than the inputs libFuzzer mutates well."""
    directory = os.path.join(REPO, "Fuzz", "seeds", "profile")
    os.makedirs(directory, exist_ok=True)
    scratch = os.path.join(directory, "small.json")
    rules = os.path.join(FIXTURES, "format_rules", "xgb_float32_boundary")
    subprocess.run([BIN, "baseline", "--model", os.path.join(rules, "model.json"), "--data", os.path.join(rules, "data.csv"),
                    "--output", scratch], check=True, capture_output=True)
    shutil.copy(os.path.join(FIXTURES, "profiles", "fraud-xgb.format2.json"), os.path.join(directory, "format-2.json"))


def write_all():
    for reader in sorted({c[0] for c in cases}):
        shutil.rmtree(os.path.join(ROOT, reader), ignore_errors=True)
    for reader, name, files, args, message, defect, extra in cases:
        directory = os.path.join(ROOT, reader, name)
        os.makedirs(directory)
        for file_name, content in files.items():
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(os.path.join(directory, file_name), mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as out:
                out.write(content)
        spec = {"args": args, "exit": 2, "message": message, "class": defect}
        spec.update(extra)
        with open(os.path.join(directory, "case.json"), "w") as out:
            json.dump(spec, out, indent=2)
            out.write("\n")
    print(f"{len(cases)} cases")


write_all()
write_fuzz_seeds()
