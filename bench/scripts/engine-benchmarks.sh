#!/usr/bin/env bash
# Runs the engine's JMH benchmarks (BENCHMARKS.md, part 1) from the shaded jar, one JMH run per benchmark family,
# each writing its text log and CSV into OUT.
#   bench/scripts/engine-benchmarks.sh short   # about 5 minutes: checks the harness, not for figures
#   bench/scripts/engine-benchmarks.sh full    # the figures in BENCHMARKS.md (about 45 minutes on 2 cores)
#   bench/scripts/engine-benchmarks.sh retry-lease   # only the retry and lease benchmarks (about 5 minutes)
# Build the jar first: mvn -B -pl bench -am package -DskipTests
# -prof gc (B/op) only on the benchmarks whose setup does not allocate per invocation: on the single-shot burst
# benchmarks the profiler would charge the per-invocation setup (a new index or tracker) to the operation.
set -euo pipefail
mode=${1:-short}
here=$(cd "$(dirname "$0")/.." && pwd)
jar=${JAR:-$here/target/acktracker-bench.jar}
out=${2:-$here/target/results/engine-$mode-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
[ -f "$jar" ] || { echo "no $jar: build with mvn -B -pl bench -am package -DskipTests" >&2; exit 1; }

run() { # name, JMH arguments...
  local name=$1; shift
  echo "== $name: java -jar $jar $*" | tee -a "$out/commands.txt"
  java -jar "$jar" "$@" -foe true -rf csv -rff "$out/$name.csv" 2>&1 | tee "$out/$name.log"
}

case "$mode" in
  short)
    run steady-state SteadyStateBenchmark -prof gc -f 1 -wi 1 -i 1 -w 1s -r 1s -p pending=100000
    run ack-only AckOnlyBenchmark -prof gc -f 1 -wi 1 -i 2 -p store=memory
    run burst-index DeadlineIndexBurstBenchmark -f 1 -wi 1 -i 2
    run burst-agrona AgronaWheelBurstBenchmark -f 1 -wi 8 -i 1 -p timers=10000
    run burst-tracker TrackerBurstBenchmark -f 1 -wi 1 -i 1 -p store=memory
    run recovery RecoveryBenchmark -f 1 -wi 0 -i 1
    run retry RetryBenchmark -prof gc -f 1 -wi 1 -i 1
    run lease LeaseBenchmark -prof gc -f 1 -wi 1 -i 1 -p store=memory
    ;;
  full)
    run steady-state SteadyStateBenchmark -prof gc
    run ack-only AckOnlyBenchmark -prof gc
    run burst-index DeadlineIndexBurstBenchmark
    run burst-agrona-10k AgronaWheelBurstBenchmark -p timers=10000
    run burst-agrona-100k AgronaWheelBurstBenchmark -p timers=100000 -wi 1 -i 2
    run burst-tracker TrackerBurstBenchmark
    run recovery RecoveryBenchmark
    run retry RetryBenchmark -prof gc
    run lease LeaseBenchmark -prof gc
    ;;
  retry-lease)
    run retry RetryBenchmark -prof gc
    run lease LeaseBenchmark -prof gc
    ;;
  *) echo "usage: $0 short|full|retry-lease [out-dir]" >&2; exit 2 ;;
esac
echo "results in $out"
