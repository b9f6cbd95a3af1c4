#!/usr/bin/env python3
"""Fails unless the package's module graph is the documented layering (docs/architecture.md):
every library target imports only the targets allowed below it, and no target uses unsafeFlags.
Reads `swift package dump-package`, so it checks what SwiftPM builds, not what the docs say."""
import json
import subprocess
import sys

ALLOWED = {
    "ShapDriftCore": {"CBLAS", "Crypto"},
    "ShapDriftFormats": {"ShapDriftCore"},
    "ShapDriftAttribution": {"ShapDriftCore", "CBLAS"},
    "ShapDriftDrift": {"ShapDriftCore", "CBLAS", "CZlib"},
    "ShapDriftMonitor": {"ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftDrift", "Yams"},
    "ShapDriftReports": {"ShapDriftCore", "ShapDriftDrift", "Mustache"},
    "ShapDrift": {"ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftDrift",
                  "ShapDriftMonitor", "ShapDriftReports"},
}


def dependency_names(target):
    for dependency in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                yield dependency[kind][0]


def main():
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True,
                                        capture_output=True, text=True).stdout)
    problems = []
    for target in package["targets"]:
        name = target["name"]
        for setting in target.get("settings", []):
            if "unsafeFlags" in json.dumps(setting):
                problems.append(f"{name}: uses unsafeFlags")
        if name in ALLOWED:
            extra = set(dependency_names(target)) - ALLOWED[name]
            if extra:
                problems.append(f"{name}: imports {sorted(extra)}, outside its layer (allowed: {sorted(ALLOWED[name])})")
        elif target["type"] == "regular" and not target.get("path", "").startswith("Tests"):
            problems.append(f"{name}: a library target missing from the layering table")
    for problem in problems:
        print(f"check-layering: {problem}", file=sys.stderr)
    if not problems:
        print("check-layering: the module graph is the documented layering; no unsafeFlags")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
