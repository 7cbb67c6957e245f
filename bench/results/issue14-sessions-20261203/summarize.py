#!/usr/bin/env python3
"""Tables of an issue 14 session: throughput (compare harness) and latency (EndToEndLatency) per variant."""
import glob, os, re, statistics, sys

out = sys.argv[1]
variants = ["off", "on", "onA"]

def props(path):
    d = {}
    for line in open(path):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            d[k] = v
    return d

print("throughput, 1M pending, 3q2, 1% never acked")
print("| variant | runs: acks/s (load at start) | mean acks/s | CPU ms / 1M acks (mean; driver, other threads) |")
base = None
for v in variants:
    files = sorted(glob.glob(f"{out}/compare/throughput-n1000000-d3q2-never1-{v}-r*.properties"))
    if not files:
        continue
    rows = [props(f) for f in files]
    rows = [r for r in rows if r.get("errors") == "none" and "acksPerSecond" in r]
    acks = [float(r["acksPerSecond"]) for r in rows]
    cpu = [float(r["cpuMsPerMillionAcks"]) for r in rows]
    drv = [float(r["driverCpuMsPerMillionAcks"]) for r in rows]
    oth = [float(r["otherThreadsCpuMsPerMillionAcks"]) for r in rows]
    runs = " ".join(f"{a/1000:.0f}k ({r['loadAverageAtStart']})" for a, r in zip(acks, rows))
    mean = statistics.mean(acks)
    if v == "off":
        base = (mean, statistics.mean(cpu))
    rel = f" ({(mean / base[0] - 1) * 100:+.1f}%)" if base and v != "off" else ""
    relc = f" ({(statistics.mean(cpu) / base[1] - 1) * 100:+.1f}%)" if base and v != "off" else ""
    print(f"| {v} | {runs} | {mean/1000:.0f}k{rel} | {statistics.mean(cpu):,.0f}{relc}; {statistics.mean(drv):,.0f}, {statistics.mean(oth):,.0f} |")
    extra = [f"resends {r.get('sessionResends','-')} deferred {r.get('sessionDeferredSends','-')} dupCmds {r.get('duplicateCommands','-')} opens {r.get('sessionOpens','-')}" for r in rows]
    print("  ", "; ".join(extra))

pat = re.compile(r"corrected\s+p50\s+([\d.]+) us\s+p90\s+([\d.]+) us\s+p99\s+([\d.]+) us\s+p99.9\s+([\d.]+) us")
for rate in ["10000", "100000"]:
    print(f"\nlatency, {rate}/s, corrected (us): runs p50 | median p50 | p99 runs | p99.9 runs")
    for v in variants:
        files = sorted(glob.glob(f"{out}/e2e/e2e-r{rate}-{v}-r*.out"))
        if not files:
            continue
        p50, p99, p999, loads, notes = [], [], [], [], []
        for f in files:
            text = open(f).read()
            m = pat.search(text)
            if not m:
                notes.append(os.path.basename(f) + ": no result (did not finish within the script's limit)")
                continue
            p50.append(float(m.group(1))); p99.append(float(m.group(3))); p999.append(float(m.group(4)))
            lm = re.search(r"before: ([\d.]+)", text)
            loads.append(lm.group(1) if lm else "?")
            sm = re.search(r"session: (.*)", text)
            om = re.search(r"outcomes (\d+) \(not completed: (\d+)\), measured (\d+)", text)
            notes.append((om.group(0) if om else "") + ("; " + sm.group(1) if sm else ""))
        if not p50:
            print(f"| {v} | no run finished | | | | |")
            for n in notes:
                print("   ", n)
            continue
        print(f"| {v} | {' '.join(f'{x:.1f}' for x in p50)} | {statistics.median(p50):.1f} | "
              f"{' '.join(f'{x:,.0f}' for x in p99)} | {' '.join(f'{x:,.0f}' for x in p999)} | load {' '.join(loads)} |")
        for n in notes:
            print("   ", n)
