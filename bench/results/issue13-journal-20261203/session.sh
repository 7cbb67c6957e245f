#!/usr/bin/env bash
# Issue 13, journal store: the compare harness's 1M row (3 destinations quorum 2, random order, 1% never acked)
# for the engine in memory, with the journal on ext4 (/tmp) and on tmpfs (/dev/shm), with the journal on ext4 and
# a 10 ms group commit, and Netty's wheel, interleaved; then JMH: ack-only service time, steady state at 1M, and
# recovery (journal replay against the table store's rebuild). One jar (/tmp/bench-journal.jar) built from the
# commit named in session.txt; nothing else running.
set -u
OUT=/work/main/bench/results/issue13-journal-20261203
JAR=/tmp/bench-journal.jar
FLAGS=$(java -jar $JAR flags)
echo "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) commit $(git -C /work/main rev-parse --short HEAD)" | tee -a $OUT/session.txt
peer_run() { # label peer rep extra-jvm-options
  local label=$1 peer=$2 rep=$3 extra=$4
  local dir=$OUT/compare-$label
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$peer-r$rep
  echo "== $label $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 600 java $FLAGS $extra -Xms6g -Xmx6g -XX:+AlwaysPreTouch -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $JAR io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "^acksPerSecond\|^cpuMsPerMillionAcks" $dir/$id.properties 2>/dev/null | head -2 | tr '\n' ' ' | tee -a $OUT/session.txt
  echo | tee -a $OUT/session.txt
  rm -rf /tmp/acktracker-bench-dirs /dev/shm/acktracker-bench-dirs
}
for rep in 1 2 3; do
  peer_run memory acktracker-memory $rep ""
  peer_run journal-ext4 acktracker-journal $rep "-Dacktracker.bench.dir=/tmp/acktracker-bench-dirs"
  peer_run journal-tmpfs acktracker-journal $rep "-Dacktracker.bench.dir=/dev/shm/acktracker-bench-dirs"
  peer_run journal-ext4-sync10ms acktracker-journal $rep "-Dacktracker.bench.dir=/tmp/acktracker-bench-dirs -Dacktracker.bench.syncIntervalMs=10"
  peer_run netty netty-wheel $rep ""
done
echo "== jmh ack-only $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar $JAR AckOnlyBenchmark -prof gc -p serviceTime=true -p store=memory,journal -foe true -rf csv \
  -rff $OUT/ack-only.csv > $OUT/ack-only.log 2>&1
echo "== jmh steady-state $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar $JAR SteadyStateBenchmark -prof gc -p pending=1000000 -p destinations=3q2 -p store=memory,journal \
  -foe true -rf csv -rff $OUT/steady-state.csv > $OUT/steady-state.log 2>&1
echo "== jmh recovery $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar $JAR RecoveryBenchmark -p stop=clean -p store=persisted,journal -foe true -rf csv \
  -rff $OUT/recovery.csv > $OUT/recovery.log 2>&1
echo "session end $(date -u +%FT%TZ)" | tee -a $OUT/session.txt
