#!/usr/bin/env bash
# Issue 13, 4 Dec 2026: the compare harness's 1M row (3 destinations quorum 2, random order, 1% never acked, 1%
# duplicate and 1% late acks), before (03ba783) and after (the index entry with the address, the first pass over
# every record line and deadline links, the recorders' phaser per batch) the engine changes, host-driven and
# batched (commands through the queue, applied by doWork in batches), in memory and with the journal on ext4, and
# Netty's wheel; three runs each, interleaved. Nothing else running.
set -u
OUT=/work/main/bench/results/issue13-batched-20261204
FLAGS=$(java -jar /tmp/bench-after.jar flags)
echo "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
run() { # label jar peer rep extra
  local label=$1 jar=$2 peer=$3 rep=$4 extra=$5
  local dir=$OUT/$label
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$peer-r$rep
  printf "%-28s %-24s r%s %s load %s " $label $peer $rep $(date -u +%T) "$(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 600 java $FLAGS $extra -Xms6g -Xmx6g -XX:+AlwaysPreTouch -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $jar io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "^acksPerSecond\|^cpuMsPerMillionAcks\|^driverCpuMsPerMillionAcks\|^errors" $dir/$id.properties 2>/dev/null | tr '\n' ' ' | tee -a $OUT/session.txt
  echo | tee -a $OUT/session.txt
  rm -rf /tmp/acktracker-bench-dirs
}
J="-Dacktracker.bench.dir=/tmp/acktracker-bench-dirs"
for rep in 1 2 3; do
  run before-memory /tmp/bench-before.jar acktracker-memory $rep ""
  run after-memory /tmp/bench-after.jar acktracker-memory $rep ""
  run after-memory-batched /tmp/bench-after.jar acktracker-memory-batched $rep ""
  run before-journal /tmp/bench-before.jar acktracker-journal $rep "$J"
  run after-journal /tmp/bench-after.jar acktracker-journal $rep "$J"
  run after-journal-batched /tmp/bench-after.jar acktracker-journal-batched $rep "$J"
  run netty /tmp/bench-after.jar netty-wheel $rep ""
done
echo "session end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
