#!/usr/bin/env bash
# Issue 14, the cost of client sessions: the same jar, sessions off (the plain v2 path) and on, the journal store
# both ways, interleaved (the order alternates each repetition so both see the same load). Throughput: the compare
# harness's 1M row (3 destinations quorum 2, random order, 1% never acked) for acktracker-aeron-ipc-journal and
# acktracker-aeron-ipc-sessions. Latency: EndToEndLatency at fixed rates, --store=journal against --sessions.
# Usage: session.sh OUT JAR REPS [throughput|latency|both]
set -u
OUT=$1; JAR=$2; REPS=$3; WHAT=${4:-both}
mkdir -p $OUT
FLAGS=$(java -jar $JAR flags)
log() { echo "$*" | tee -a $OUT/session.txt; }
log "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) jar $JAR $(sha1sum $JAR | cut -c1-12)"
peer_run() { # peer rep
  local peer=$1 rep=$2 dir=$OUT/compare
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$peer-r$rep
  log "== $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  timeout 600 java $FLAGS -Dacktracker.bench.dir=/tmp/acktracker-bench-dirs -Xms6g -Xmx6g -XX:+AlwaysPreTouch \
    -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $JAR io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  log "$(grep -h '^acksPerSecond\|^cpuMsPerMillionAcks\|^errors\|^sessionResends\|^sessionOpens' $dir/$id.properties 2>/dev/null | tr '\n' ' ')"
  rm -rf /tmp/acktracker-bench-dirs
}
e2e_run() { # mode rate rep
  local mode=$1 rate=$2 rep=$3 dir=$OUT/e2e
  mkdir -p $dir
  local id=e2e-r$rate-$mode-r$rep args="--store=journal"
  [ $mode = on ] && args="--sessions"
  log "== $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  timeout 300 java $FLAGS -Xms2g -Xmx2g -cp $JAR io.acktracker.transport.harness.EndToEndLatency --rate=$rate \
    --seconds=10 --warmup=3 $args --hgrm=$dir/$id.hgrm > $dir/$id.out 2>&1
  log "$(grep -h 'load average\|outcomes\|session:\|corrected' $dir/$id.out | tr -s ' ' | tr '\n' ' ')"
}
for rep in $(seq 1 $REPS); do
  if [ $((rep % 2)) = 1 ]; then order="off on"; else order="on off"; fi
  for mode in $order; do
    peer=acktracker-aeron-ipc-journal; [ $mode = on ] && peer=acktracker-aeron-ipc-sessions
    if [ $WHAT != latency ]; then peer_run $peer $rep; fi
    if [ $WHAT != throughput ]; then e2e_run $mode 10000 $rep; e2e_run $mode 100000 $rep; fi
  done
done
log "session end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
