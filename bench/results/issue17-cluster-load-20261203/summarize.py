#!/usr/bin/env python3
"""One markdown table row per load run of session.sh's session.txt: latency (Track -> outcome, corrected), samples,
load average, and each tracker process's CPU (user+sys) per acknowledged message. Usage: summarize.py session.txt"""
import re
import sys

UNITS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def us(text):
    value, unit = re.match(r"([\d.]+)(ns|us|ms|s)", text).groups()
    return float(value) * UNITS[unit]


def fmt(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


rows = []
run = None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("== "):
        run = {"id": line.split()[1]}
        rows.append(run)
    elif run is not None and line.startswith("exit "):
        run["exit"] = line.split(",")[0]
        run["tracked"] = int(re.search(r"tracked ([\d,]+)", line).group(1).replace(",", ""))
        run["completed"] = int(re.search(r"completed ([\d,]+)", line).group(1).replace(",", ""))
        run["missing"] = int(re.search(r"no outcome ([\d,]+)", line).group(1).replace(",", ""))
        corrected = re.search(r"corrected for coordinated omission.*?: n=([\d,]+) p50 (\S+) p90 (\S+) p99 (\S+) "
                              r"p99.9 (\S+) p99.99 (\S+) max (\S+)", line)
        run["n"] = corrected.group(1)
        run["lat"] = [us(corrected.group(i)) for i in (2, 3, 4, 5, 7)]
        client = re.search(r"load process cpu user ([\d.]+) s sys ([\d.]+) s", line)
        run["client"] = float(client.group(1)) + float(client.group(2))
    elif run is not None and line.startswith("load average"):
        m = re.search(r"min ([\d.]+) mean ([\d.]+) max ([\d.]+)", line)
        run["load"] = f"{m.group(2)} ({m.group(1)}-{m.group(3)})"
    elif run is not None and line.startswith("tracker CPU"):
        run["cpu"] = [float(x) for x in re.findall(r"pid \d+ ([\d.]+) s", line)]

print("| run | load avg, mean (min-max) | n | p50 | p90 | p99 | p99.9 | max | completed / no outcome | "
      "tracker CPU s (per process) | us CPU per message (per process) | load process CPU s |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|")
for r in rows:
    if "lat" not in r:
        print(f"| {r['id']} | failed: {r.get('exit', '?')} |")
        continue
    per = ", ".join(f"{c * 1e6 / r['tracked']:.0f}" for c in r["cpu"])
    print(f"| {r['id']} | {r['load']} | {r['n']} | " + " | ".join(fmt(v) for v in r["lat"]) +
          f" | {r['completed']:,} / {r['missing']} | {', '.join(f'{c:.1f}' for c in r['cpu'])} | {per} | "
          f"{r['client']:.1f} |")
