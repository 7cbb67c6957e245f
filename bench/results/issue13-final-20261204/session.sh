#!/usr/bin/env bash
# Issue 13, 4 Dec 2026, the session's final jar (named in session.txt), nothing else running:
# 1. the compare harness's 1M row (3 destinations quorum 2, random order, 1% never acked, 1% duplicate and 1% late
#    acks), host-driven and batched, in memory and with the journal on ext4, and Netty's wheel; three runs each,
#    interleaved; the batched journal peer twice more without checkpoints (what they cost now);
# 2. CheckpointPauseMain at 1M pending with 32 B of metadata each, 6 checkpoints per run (the 4th on are written
#    into the spare table of a retired one), three runs: the agent's longest ack during a checkpoint on a quiet
#    machine, and each checkpoint's write time;
# 3. JMH: ack-only service time and the steady state at 1M pending, memory and journal, with -prof gc.
set -u
OUT=/work/main/bench/results/issue13-final-20261204
JAR=/tmp/bench-final.jar
FLAGS=$(java -jar $JAR flags)
echo "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) commit $(git -C /work/main rev-parse --short HEAD)" | tee -a $OUT/session.txt
run() { # label peer rep extra
  local label=$1 peer=$2 rep=$3 extra=$4
  local dir=$OUT/$label
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$peer-r$rep
  printf "%-28s %-24s r%s %s load %s " $label $peer $rep $(date -u +%T) "$(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 600 java $FLAGS $extra -Xms6g -Xmx6g -XX:+AlwaysPreTouch -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $JAR io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "^acksPerSecond\|^cpuMsPerMillionAcks\|^driverCpuMsPerMillionAcks\|^errors" $dir/$id.properties 2>/dev/null | tr '\n' ' ' | tee -a $OUT/session.txt
  echo | tee -a $OUT/session.txt
  rm -rf /tmp/acktracker-bench-dirs
}
J="-Dacktracker.bench.dir=/tmp/acktracker-bench-dirs"
for rep in 1 2 3; do
  run memory acktracker-memory $rep ""
  run memory-batched acktracker-memory-batched $rep ""
  run journal acktracker-journal $rep "$J"
  run journal-batched acktracker-journal-batched $rep "$J"
  run netty netty-wheel $rep ""
done
for rep in 1 2; do
  run journal-batched-no-checkpoints acktracker-journal-batched $rep "$J -Dacktracker.bench.checkpointMiB=0"
done
for rep in 1 2 3; do
  echo "== checkpoint-pause r$rep $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 900 java $FLAGS -Xms3g -Xmx3g -XX:+UseParallelGC -Xlog:gc,safepoint:file=$OUT/checkpoint-pause-r$rep.gc.log \
    -Dacktracker.bench.dir=/tmp/acktracker-bench-dirs -cp $JAR io.acktracker.bench.engine.CheckpointPauseMain \
    1000000 6 metadata=32 > $OUT/checkpoint-pause-r$rep.txt 2>&1
  tail -25 $OUT/checkpoint-pause-r$rep.txt | tee -a $OUT/session.txt
  rm -rf /tmp/acktracker-bench-dirs
done
echo "== jmh ack-only $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar $JAR AckOnlyBenchmark -prof gc -p serviceTime=true -p store=memory,journal -foe true -rf csv \
  -rff $OUT/ack-only.csv > $OUT/ack-only.log 2>&1
echo "== jmh steady-state $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar $JAR SteadyStateBenchmark -prof gc -p pending=1000000 -p destinations=3q2 -p store=memory,journal \
  -foe true -rf csv -rff $OUT/steady-state.csv > $OUT/steady-state.log 2>&1
echo "session end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
