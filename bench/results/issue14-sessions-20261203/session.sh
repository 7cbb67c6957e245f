#!/usr/bin/env bash
# Issue 14, the cost of client sessions. Variants, interleaved in a rotating order so all see the same load:
#   off  jar B, the plain v2 path (Tracks unnumbered, outcomes told to every subscriber), journal store
#   on   jar B, the sender's Tracks through a client session (numbered, confirmed, outcomes from its outbox),
#        journal store
#   onA  jar A, sessions on, before the outbox entries went out in the duty cycle that wrote them
# Throughput: the compare harness's 1M row (3 destinations quorum 2, random order, 1% never acked; 5 s warm-up,
# 10 s measured) for acktracker-aeron-ipc-journal (off) and acktracker-aeron-ipc-sessions (on). Latency:
# EndToEndLatency at 10,000 and 100,000 acks/s (3 s warm-up, 10 s measured), --store=journal (off) or --sessions.
# Usage: [RATES="10000 100000"] [FIRST_REP=1] session.sh OUT JAR_B JAR_A REPS [throughput|latency|both]
set -u
OUT=$1; JARB=$2; JARA=$3; REPS=$4; WHAT=${5:-both}
mkdir -p $OUT
FLAGS=$(java -jar $JARB flags)
log() { echo "$*" | tee -a $OUT/session.txt; }
log "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
log "jar B $JARB $(sha1sum $JARB | cut -c1-12); jar A $JARA $(sha1sum $JARA | cut -c1-12)"
peer_run() { # variant jar peer rep
  local variant=$1 jar=$2 peer=$3 rep=$4 dir=$OUT/compare
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-$variant-r$rep
  log "== $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  timeout 600 java $FLAGS -Dacktracker.bench.dir=/tmp/acktracker-bench-dirs -Xms6g -Xmx6g -XX:+AlwaysPreTouch \
    -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $jar io.acktracker.bench.BenchMain _peer-run peer=$peer id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=5 measureSeconds=10 pending=1000000 workload=throughput \
    neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  log "$(grep -h '^acksPerSecond\|^cpuMsPerMillionAcks\|^errors\|^sessionResends\|^sessionDeferred\|^sessionOpens\|^duplicateCommands\|^loadAverage\|^driverCpuMs\|^otherThreadsCpuMs\|^fillSeconds' $dir/$id.properties 2>/dev/null | tr '\n' ' ')"
  rm -rf /tmp/acktracker-bench-dirs
}
e2e_run() { # variant jar rate rep
  local variant=$1 jar=$2 rate=$3 rep=$4 dir=$OUT/e2e
  mkdir -p $dir
  local id=e2e-r$rate-$variant-r$rep args="--store=journal"
  [ $variant != off ] && args="--sessions"
  log "== $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  timeout 300 java $FLAGS -Xms2g -Xmx2g -cp $jar io.acktracker.transport.harness.EndToEndLatency --rate=$rate \
    --seconds=10 --warmup=3 $args --hgrm=$dir/$id.hgrm > $dir/$id.out 2>&1
  log "$(grep -h 'load average\|outcomes\|session:\|corrected' $dir/$id.out | tr -s ' ' | tr '\n' ' ')"
}
orders=("off on onA" "on onA off" "onA off on")
for rep in $(seq ${FIRST_REP:-1} $REPS); do
  for variant in ${orders[$(( (rep - 1) % 3 ))]}; do
    jar=$JARB; [ $variant = onA ] && jar=$JARA
    peer=acktracker-aeron-ipc-journal; [ $variant != off ] && peer=acktracker-aeron-ipc-sessions
    if [ $WHAT != latency ]; then peer_run $variant $jar $peer $rep; fi
    if [ $WHAT != throughput ]; then for rate in ${RATES:-10000 100000}; do e2e_run $variant $jar $rate $rep; done; fi
  done
done
log "session end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
