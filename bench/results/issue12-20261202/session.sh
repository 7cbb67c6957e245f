#!/usr/bin/env bash
# Before/after session for issue 12: the 1M throughput row of the compare harness and the JMH steady-state and
# ack-only benchmarks, the engine at 9ac0c27 (before) and at the state-machine refactor (after), interleaved.
set -u
OUT=/work/main/bench/results/issue12-20261202
FLAGS=$(java -jar /tmp/bench-after.jar flags)
echo "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
peer_run() { # jar-label jar peer rep
  local label=$1 jar=$2 peer=$3 rep=$4
  local dir=$OUT/compare-$label
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$peer-r$rep
  echo "== $label $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 600 java $FLAGS -Xms6g -Xmx6g -XX:+AlwaysPreTouch -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $jar io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "acksPerSecond\|acks/s" $dir/$id.properties $dir/$id.out 2>/dev/null | head -2 | tee -a $OUT/session.txt
}
for rep in 1 2 3 4; do
  for peer in acktracker-memory acktracker-persisted acktracker-queued; do
    # alternate which goes first, so neither is always the second JVM of a pair
    if [ $((rep % 2)) -eq 1 ]; then
      peer_run before /tmp/bench-before.jar $peer $rep
      peer_run after /tmp/bench-after.jar $peer $rep
    else
      peer_run after /tmp/bench-after.jar $peer $rep
      peer_run before /tmp/bench-before.jar $peer $rep
    fi
  done
  peer_run after /tmp/bench-after.jar netty-wheel $rep
  peer_run after /tmp/bench-after.jar jdk-baseline $rep
done
for label in before after; do
  jar=/tmp/bench-$label.jar
  echo "== jmh steady-state $label $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  java -jar $jar SteadyStateBenchmark -prof gc -p pending=1000000 -p destinations=1,3q2 -p store=memory,persisted \
    -foe true -rf csv -rff $OUT/steady-state-$label.csv > $OUT/steady-state-$label.log 2>&1
  echo "== jmh ack-only $label $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  java -jar $jar AckOnlyBenchmark -prof gc -p serviceTime=true \
    -foe true -rf csv -rff $OUT/ack-only-$label.csv > $OUT/ack-only-$label.log 2>&1
done
echo "session end $(date -u +%FT%TZ)" | tee -a $OUT/session.txt
