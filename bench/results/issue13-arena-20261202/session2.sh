#!/usr/bin/env bash
# Issue 13, second sitting: the slot arena's backing again (the first run's teardown failed), and the first pass over
# each batch of queued commands (prefetchCommands) on and off, the queued peer of the compare harness, interleaved.
set -u
OUT=/work/main/bench/results/issue13-arena-20261202
JAR=/tmp/bench-prefetch.jar
FLAGS=$(java -jar $JAR flags)
echo "session 2 start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
echo "== jmh slot-arena $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
java -jar $JAR SlotArenaBenchmark -prof gc -foe true -rf csv -rff $OUT/slot-arena.csv > $OUT/slot-arena.log 2>&1
peer_run() { # label extra-flag peer rep
  local label=$1 extra=$2 peer=$3 rep=$4
  local dir=$OUT/compare-$label
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$peer-r$rep
  echo "== $label $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 600 java $FLAGS $extra -Xms6g -Xmx6g -XX:+AlwaysPreTouch -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $JAR io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "acksPerSecond" $dir/$id.properties 2>/dev/null | head -1 | tee -a $OUT/session.txt
}
for rep in 1 2 3 4; do
  if [ $((rep % 2)) -eq 1 ]; then
    peer_run prefetch-on "" acktracker-queued $rep; peer_run prefetch-off "-Dacktracker.bench.noPrefetch=true" acktracker-queued $rep
  else
    peer_run prefetch-off "-Dacktracker.bench.noPrefetch=true" acktracker-queued $rep; peer_run prefetch-on "" acktracker-queued $rep
  fi
done
echo "session 2 end $(date -u +%FT%TZ)" | tee -a $OUT/session.txt
