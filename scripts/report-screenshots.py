#!/usr/bin/env python3
"""Renders an HTML report in headless Chromium (Debian's `chromium`) to PNG at a desktop and a
phone width, and fails on a render error, an empty page, or horizontal overflow at the phone
width (`make report-screenshots`, docs/report.md).

The report itself has no script. To measure it, a copy is made beside it with one inline script
appended that writes the page's layout (the viewport's width, the document's scroll width, the
text length, the number of SVG charts, the height) into the DOM; Chromium's --dump-dom prints
the DOM after load, and this script reads the numbers back. The screenshots are of the report
itself, at the document's full height.

    report-screenshots.py REPORT.html OUT_DIR [--name report]   writes OUT_DIR/NAME-desktop.png, NAME-phone.png
    report-screenshots.py --self-test                             a page that overflows must fail, one that does not must pass
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

DESKTOP = 1280
PHONE = 390
MARKER = "shapdrift-layout"
PROBE = """<script>
addEventListener('load', function () {
  var d = document.documentElement, b = document.body;
  var out = document.createElement('pre'); out.id = '%s';
  out.textContent = JSON.stringify({inner: innerWidth, scroll: Math.max(d.scrollWidth, b ? b.scrollWidth : 0),
    text: (b ? b.innerText : '').trim().length, svgs: document.querySelectorAll('svg').length,
    height: Math.max(d.scrollHeight, b ? b.scrollHeight : 0)});
  document.body.appendChild(out);
});
</script>""" % MARKER


class RenderError(Exception):
    pass


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise RenderError("no Chromium found: apt-get install chromium")


def run(arguments, timeout=120):
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
               "--no-first-run", "--disable-extensions", "--virtual-time-budget=5000"] + arguments
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RenderError(f"chromium exited {result.returncode}: {result.stderr.strip()[-400:]}")
    return result.stdout


def layout(page, width):
    """The layout numbers of `page` rendered `width` pixels wide."""
    with open(page, encoding="utf-8") as handle:
        html = handle.read()
    if "</body>" not in html:
        raise RenderError(f"{page}: no </body>: not an HTML page")
    probe_dir = tempfile.mkdtemp(prefix="shapdrift-probe-")
    try:
        probe = os.path.join(probe_dir, "probe.html")
        with open(probe, "w", encoding="utf-8") as handle:
            handle.write(html.replace("</body>", PROBE + "</body>", 1))
        dom = run([f"--window-size={width},900", "--dump-dom", "file://" + os.path.abspath(probe)])
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    match = re.search(r'<pre id="%s">(.*?)</pre>' % MARKER, dom, re.S)
    if not match:
        raise RenderError(f"{page}: the page did not finish loading at {width} px (no layout read back)")
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def check(page, width, narrow):
    numbers = layout(page, width)
    if numbers["text"] < 40:
        raise RenderError(f"{page}: empty page at {width} px ({numbers['text']} characters of text)")
    if narrow and numbers["scroll"] > numbers["inner"]:
        raise RenderError(f"{page}: overflows horizontally at {width} px: {numbers['scroll']} px wide in a {numbers['inner']} px viewport")
    return numbers


def screenshot(page, width, height, target):
    if os.path.exists(target):
        os.remove(target)
    run([f"--window-size={width},{height}", f"--screenshot={os.path.abspath(target)}", "file://" + os.path.abspath(page)])
    if not os.path.exists(target) or os.path.getsize(target) < 1000:
        raise RenderError(f"{page}: no screenshot written at {width} px")


def render(page, out_dir, name):
    os.makedirs(out_dir, exist_ok=True)
    for label, width, narrow in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
        numbers = check(page, width, narrow)
        if numbers["svgs"] == 0:
            raise RenderError(f"{page}: no chart at {width} px")
        target = os.path.join(out_dir, f"{name}-{label}.png")
        screenshot(page, width, min(max(numbers["height"], 600), 16000), target)
        print(f"report-screenshots: {target}: {width} x {numbers['height']} px, {numbers['svgs']} charts, no horizontal overflow")


def self_test():
    """The check must refuse a page that overflows at phone width and accept one that does not."""
    directory = tempfile.mkdtemp(prefix="shapdrift-selftest-")
    try:
        wide = os.path.join(directory, "wide.html")
        with open(wide, "w") as handle:
            handle.write("<!DOCTYPE html><html><head><meta name=viewport content='width=device-width'></head><body>"
                         "<p>A page with a block wider than a phone, which must be reported as overflowing.</p>"
                         "<div style='width:900px;height:20px;background:#888'></div></body></html>")
        narrow = os.path.join(directory, "narrow.html")
        with open(narrow, "w") as handle:
            handle.write("<!DOCTYPE html><html><head><meta name=viewport content='width=device-width'></head><body>"
                         "<p>A page whose content wraps within any width, which must pass the overflow check.</p>"
                         "<div style='max-width:100%;height:20px;background:#888'></div></body></html>")
        empty = os.path.join(directory, "empty.html")
        with open(empty, "w") as handle:
            handle.write("<!DOCTYPE html><html><head></head><body></body></html>")
        for page, expected in ((wide, "overflows horizontally"), (empty, "empty page")):
            try:
                check(page, PHONE, True)
            except RenderError as error:
                if expected not in str(error):
                    raise RenderError(f"self-test: {page} failed for the wrong reason: {error}")
            else:
                raise RenderError(f"self-test: {page} passed the check; it must fail ({expected})")
        check(narrow, PHONE, True)
        print("report-screenshots: self-test passed (an overflowing page and an empty page fail, a fitting page passes)")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", nargs="?")
    parser.add_argument("out_dir", nargs="?")
    parser.add_argument("--name", default="report")
    parser.add_argument("--self-test", action="store_true")
    arguments = parser.parse_args()
    try:
        if arguments.self_test:
            self_test()
        if arguments.page:
            if not arguments.out_dir:
                parser.error("give OUT_DIR")
            render(arguments.page, arguments.out_dir, arguments.name)
    except (RenderError, subprocess.TimeoutExpired) as error:
        print(f"report-screenshots: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
