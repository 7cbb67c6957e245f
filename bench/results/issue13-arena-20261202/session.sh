#!/usr/bin/env bash
# Issue 13, step 1 (slot arena): the arena's backing (Chronicle slot-keyed map vs plain off-heap), then the engine
# before the arena (2ca8dcc, /tmp/bench-after.jar) against the arena (/tmp/bench-arena.jar): the compare harness's
# 1M row interleaved with Netty's wheel, and the JMH steady-state and ack-only benchmarks.
set -u
OUT=/work/main/bench/results/issue13-arena-20261202
FLAGS=$(java -jar /tmp/bench-arena.jar flags)
echo "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
echo "== jmh slot-arena $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar /tmp/bench-arena.jar SlotArenaBenchmark -prof gc -foe true -rf csv -rff $OUT/slot-arena.csv > $OUT/slot-arena.log 2>&1
peer_run() { # label jar peer rep
  local label=$1 jar=$2 peer=$3 rep=$4
  local dir=$OUT/compare-$label
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$peer-r$rep
  echo "== $label $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 600 java $FLAGS -Xms6g -Xmx6g -XX:+AlwaysPreTouch -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $jar io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "acksPerSecond" $dir/$id.properties 2>/dev/null | head -1 | tee -a $OUT/session.txt
}
for rep in 1 2 3; do
  for peer in acktracker-memory acktracker-persisted acktracker-queued; do
    if [ $((rep % 2)) -eq 1 ]; then
      peer_run before /tmp/bench-after.jar $peer $rep; peer_run arena /tmp/bench-arena.jar $peer $rep
    else
      peer_run arena /tmp/bench-arena.jar $peer $rep; peer_run before /tmp/bench-after.jar $peer $rep
    fi
  done
  peer_run arena /tmp/bench-arena.jar netty-wheel $rep
done
for pair in "before /tmp/bench-after.jar" "arena /tmp/bench-arena.jar"; do
  set -- $pair
  echo "== jmh steady-state $1 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  java -jar $2 SteadyStateBenchmark -prof gc -p pending=1000000 -p destinations=1,3q2 -p store=memory,persisted \
    -foe true -rf csv -rff $OUT/steady-state-$1.csv > $OUT/steady-state-$1.log 2>&1
  echo "== jmh ack-only $1 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  java -jar $2 AckOnlyBenchmark -prof gc -p serviceTime=true -foe true -rf csv -rff $OUT/ack-only-$1.csv \
    > $OUT/ack-only-$1.log 2>&1
done
echo "session end $(date -u +%FT%TZ)" | tee -a $OUT/session.txt
