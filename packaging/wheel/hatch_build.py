"""Adds the shapdrift binary to the wheel and tags the wheel for the platform it runs on.

The binary links the Swift runtime statically but OpenBLAS and LAPACKE dynamically, from the
system (docs/install.md). Libraries outside the manylinux policy's short list make a wheel
ineligible for a ``manylinux_*`` tag, so the tag is the plain platform one, ``linux_<machine>``:
pip installs it on any Linux of that architecture, and the binary then needs glibc >= 2.35 and
the system's libopenblas/liblapacke, as the tarball does.
"""

import os
import platform
import subprocess

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ShapDriftBinaryHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        binary = os.environ.get("SHAPDRIFT_WHEEL_BINARY")
        if not binary or not os.access(binary, os.X_OK):
            raise RuntimeError("set SHAPDRIFT_WHEEL_BINARY to the built shapdrift binary (make wheel does)")
        reported = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
        if reported != self.metadata.version:
            raise RuntimeError(f"{binary} reports version {reported}, the sources say {self.metadata.version}")
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-linux_{platform.machine()}"
        build_data["shared_scripts"][binary] = "shapdrift"
