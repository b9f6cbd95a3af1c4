#!/bin/sh
# Installs the wheels `make wheel` built into a fresh virtual environment, as a user would, and
# checks what they give (make wheel-test):
#
#   wheel-test.sh WHEELDIR VERSION PYTHON
#
# `pip install --find-links WHEELDIR WHEELDIR/shapdrift-VERSION-*.whl` must put a `shapdrift`
# command on the environment's PATH that reports VERSION, install `shapdrift_export` beside it
# (from WHEELDIR; numpy from the package index), run the demo with its expected verdicts, and
# `pip uninstall shapdrift` must remove the command again (the wheel's RECORD lists it).
set -eu

wheels=$(cd "$1" && pwd)
version=$2
python=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "wheel-test: FAILED: $*" >&2; exit 1; }

set -- "$wheels"/shapdrift-"$version"-py3-none-*.whl
[ -f "$1" ] || fail "no shapdrift $version wheel in $wheels"
wheel=$1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
env="$work/venv"
"$env/bin/python" -m pip install -q --disable-pip-version-check --find-links "$wheels" "$wheel"

found=$(PATH="$env/bin:/usr/bin:/bin" command -v shapdrift)
[ "$found" = "$env/bin/shapdrift" ] || fail "shapdrift on the environment's PATH is '$found', not $env/bin/shapdrift"
reported=$("$env/bin/shapdrift" --version)
[ "$reported" = "$version" ] || fail "shapdrift --version says '$reported', expected $version"
echo "wheel-test: shapdrift --version: $reported"

# Run from the work directory so the repository's notebooks-export/src cannot be what is imported.
located=$(cd "$work" && "$env/bin/python" -c 'import shapdrift_export, os; print(os.path.realpath(shapdrift_export.__file__))')
case "$located" in
    "$(cd "$env" && pwd -P)"/*) echo "wheel-test: shapdrift_export from $located" ;;
    *) fail "shapdrift_export imported from $located, not from the environment" ;;
esac

sh "$repo/packaging/dist/demo.sh" "$env/bin/shapdrift" "$repo/models" "$work/demo" > "$work/demo.log" 2>&1 \
    || { cat "$work/demo.log" >&2; fail "the demo failed with the installed shapdrift"; }
tail -1 "$work/demo.log"

"$env/bin/python" -m pip uninstall -q -y shapdrift
[ ! -e "$env/bin/shapdrift" ] || fail "pip uninstall shapdrift left $env/bin/shapdrift behind"
echo "wheel-test: OK: $(basename "$wheel") installs, runs the demo and uninstalls"
