#!/usr/bin/env bash
# Issue 13, 4 Dec 2026, late session: the targets not yet measured on the current code, nothing else running.
# Two jars: OLD = bcfde0f (the start of the session), NEW = 26af682 (journal segments reserved with
# fallocate instead of written with zeros; a lookahead in the journal replay).
# 1. the compare harness's 1M row (3 destinations quorum 2, random order, 1% never acked, 1% duplicate and 1% late
#    acks), batched: with the journal on ext4 (OLD and NEW), with the journal on tmpfs (/dev/shm,
#    NEW), Netty's wheel, and the journal on ext4 with group commit every 10 ms (OLD and NEW: fallocate leaves
#    unwritten extents, which an msync must convert); three runs each, interleaved;
# 2. the same row at 10M pending (the 10m mode's windows: 10 s warm-up, 20 s measured, 14 GiB heaps), batched with
#    the journal on ext4 (NEW), and Netty's wheel; two runs each, interleaved;
# 3. JMH RecoveryBenchmark (NEW): a start replaying 1M tracks and 1M acks from the journal, acks in id order and
#    shuffled, with the replay's lookahead on and off.
set -u
OUT=/work/main/bench/results/issue13-targets-20261204
OLD=/tmp/bench-13b.jar
NEW=/tmp/bench-13d.jar
FLAGS=$(java -jar $NEW flags)
echo "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) OLD bcfde0f NEW 26af682, $(nproc) cores, kernel $(uname -r)" | tee -a $OUT/session.txt
run() { # label jar peer rep pending heap warmup measure extra
  local label=$1 JAR=$2 peer=$3 rep=$4 pending=$5 heap=$6 warmup=$7 measure=$8 extra=$9
  local dir=$OUT/$label
  mkdir -p $dir
  local group=throughput-n$pending-d3q2-never1
  local id=$group-$peer-r$rep
  printf "%-22s %-28s r%s %s load %s " $label $peer $rep $(date -u +%T) "$(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 1200 java $FLAGS $extra -Xms$heap -Xmx$heap -XX:+AlwaysPreTouch -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $JAR io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=$group warmupSeconds=$warmup measureSeconds=$measure pending=$pending workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "^acksPerSecond\|^cpuMsPerMillionAcks\|^driverCpuMsPerMillionAcks\|^errors" $dir/$id.properties 2>/dev/null | tr '\n' ' ' | tee -a $OUT/session.txt
  echo | tee -a $OUT/session.txt
  rm -rf /tmp/acktracker-bench-dirs /dev/shm/acktracker-bench-dirs
}
EXT4="-Dacktracker.bench.dir=/tmp/acktracker-bench-dirs"
TMPFS="-Dacktracker.bench.dir=/dev/shm/acktracker-bench-dirs"
for rep in 1 2 3; do
  run 1m-journal-batched-ext4-old $OLD acktracker-journal-batched $rep 1000000 6g 5 10 "$EXT4"
  run 1m-journal-batched-ext4 $NEW acktracker-journal-batched $rep 1000000 6g 5 10 "$EXT4"
  run 1m-journal-batched-tmpfs $NEW acktracker-journal-batched $rep 1000000 6g 5 10 "$TMPFS"
  run 1m-netty $NEW netty-wheel $rep 1000000 6g 5 10 ""
  run 1m-journal-batched-ext4-sync10ms-old $OLD acktracker-journal-batched $rep 1000000 6g 5 10 "$EXT4 -Dacktracker.bench.syncIntervalMs=10"
  run 1m-journal-batched-ext4-sync10ms $NEW acktracker-journal-batched $rep 1000000 6g 5 10 "$EXT4 -Dacktracker.bench.syncIntervalMs=10"
done
for rep in 1 2; do
  run 10m-journal-batched-ext4 $NEW acktracker-journal-batched $rep 10000000 14g 10 20 "$EXT4"
  run 10m-netty $NEW netty-wheel $rep 10000000 14g 10 20 ""
done
echo "== jmh recovery $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar $NEW RecoveryBenchmark -p pending=1000000 -p store=journal -p stop=clean -p ackOrder=random,sequential \
  -p prefetch=true,false -foe true -rf csv -rff $OUT/recovery.csv > $OUT/recovery.log 2>&1
tail -6 $OUT/recovery.log | tee -a $OUT/session.txt
rm -rf /tmp/acktracker-bench-dirs
echo "session end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
