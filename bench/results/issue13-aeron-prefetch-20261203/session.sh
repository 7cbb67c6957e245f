#!/usr/bin/env bash
# Issue 13, item 4, the Aeron half: the transport's first pass over each inbound poll (TransportConfig.inboundPrefetch)
# on and off, the compare harness's Aeron IPC peer at 1M pending (3 destinations quorum 2, 1% never acked), same jar,
# interleaved, alternating which goes first. Usage: session.sh OUT JAR REPS [WARMUP MEASURE]
set -u
OUT=$1
JAR=$2
REPS=$3
WARMUP=${4:-5}
MEASURE=${5:-15}
FLAGS=$(java -jar $JAR flags)
mkdir -p $OUT
echo "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) jar $(sha1sum $JAR | cut -c1-12)" | tee -a $OUT/session.txt
( while true; do echo "$(date -u +%T) $(cat /proc/loadavg)"; sleep 10; done ) > $OUT/session-load.log &
LOADER=$!
peer_run() { # label on|off rep
  local label=$1 on=$2 rep=$3
  local dir=$OUT/compare-$label
  mkdir -p $dir
  local id=throughput-n1000000-d3q2-never1-acktracker-aeron-ipc-r$rep
  echo "== $label $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  timeout 600 java $FLAGS -Dacktracker.bench.inboundPrefetch=$on -Xms6g -Xmx6g -XX:+AlwaysPreTouch \
    -Xlog:gc:file=$dir/$id.gc.log:uptime,level,tags \
    -cp $JAR io.acktracker.bench.BenchMain _peer-run peer=acktracker-aeron-ipc id=$id out=$dir \
    group=throughput-n1000000-d3q2-never1 warmupSeconds=$WARMUP measureSeconds=$MEASURE pending=1000000 \
    workload=throughput neverAckedPercent=1 destinations=3 > $dir/$id.out 2>&1
  grep -h "^acksPerSecond=\|^cpuMsPerMillionAcks=\|^inboundPrefetch=" $dir/$id.properties 2>/dev/null | tr '\n' ' ' | tee -a $OUT/session.txt
  echo "load after $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
}
for rep in $(seq 1 $REPS); do
  if [ $((rep % 2)) -eq 1 ]; then
    peer_run prefetch-on true $rep; peer_run prefetch-off false $rep
  else
    peer_run prefetch-off false $rep; peer_run prefetch-on true $rep
  fi
done
kill $LOADER
echo "session end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
