"""Writes a deterministic SageMaker data-capture JSON Lines file for the benchmark.

Rows are drawn like T2's training data (50 standard-normal features f0…f49, make_inputs.py) with
f1 and f3 shifted, one CSV row per record, as a real-time endpoint captures them.
Usage: python make_capture.py ROWS OUTPUT
"""
import json
import random
import sys


def main(rows, path):
    rng = random.Random(20261125)
    with open(path, "w") as out:
        for index in range(rows):
            values = [rng.gauss(0, 1) for _ in range(50)]
            values[1] += 1.0
            values[3] = 0.5 + 1.5 * values[3]
            second = index % 3600
            record = {
                "captureData": {
                    "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                      "data": ",".join(f"{v:.6f}" for v in values), "encoding": "CSV"},
                    "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": "7.3", "encoding": "CSV"},
                },
                "eventMetadata": {"eventId": f"{index:012d}",
                                  "inferenceTime": f"2024-05-01T{10 + index // 360000 % 10:02d}:{second // 60:02d}:{second % 60:02d}Z"},
                "eventVersion": "0",
            }
            out.write(json.dumps(record, separators=(",", ":")))
            out.write("\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
