#!/usr/bin/env bash
# Issue 17: the latency a replicated tracker adds over the single-process service, at fixed rates, side by side on
# one host. Targets, one at a time (each started, loaded at every rate, stopped by its own pid):
#   memory   acktracker run, no data.dir (in memory), embedded driver; the load over Aeron IPC
#   journal  acktracker run, store=journal in a scratch data.dir, embedded driver; the load over Aeron IPC
#   cluster  three acktracker cluster node members on localhost (leader timeout 3 s); the load over the members'
#            ingress and egress (UDP on loopback) from an embedded driver in its own process
# Every load: two destinations, client sessions, --track-ahead 0 (each message tracked at its due time, its acks
# sent once the tracker confirmed the Track applied), so the latency is Track -> outcome, corrected for coordinated
# omission. Per run: the 1-minute load average every 2 s, each tracker process's user+sys CPU ticks from
# /proc/PID/stat before and after, the load process's own CPU (/usr/bin/time).
# Usage: [RATES="1000 5000 20000"] [DUR=20s] [WARM=5s] [TARGETS="memory journal cluster"] session.sh OUT JAR FLAGS
set -u
OUT=$1; JAR=$2; FLAGSFILE=$3
RATES=${RATES:-1000 5000 20000}; DUR=${DUR:-20s}; WARM=${WARM:-5s}; TARGETS=${TARGETS:-memory journal cluster}
PORT_BASE=${PORT_BASE:-25000}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
FLAGS=$(cat "$FLAGSFILE")
SCRATCH=$(mktemp -d /tmp/acktracker-issue17.XXXXXX)
TICK=$(getconf CLK_TCK)
log() { echo "$*" | tee -a "$OUT/session.txt"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

log "session start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg); jar $(sha1sum "$JAR" | cut -c1-12)"
log "rates $RATES; $WARM warm-up + $DUR measured; targets $TARGETS; scratch $SCRATCH"

cat > "$OUT/tracker.yaml" <<YAML
name: issue17
destinations: [load-a, load-b]
capacity: 300000
max.clients: 8
outbox.capacity: 65536
YAML
{ cat "$OUT/tracker.yaml"; echo "data.dir: $SCRATCH/journal"; echo "store: journal"; } > "$OUT/tracker-journal.yaml"

# load TARGET RATE PIDS... : one load run, its load average and the trackers' CPU around it
load_run() {
  local target=$1 rate=$2; shift 2
  local pids=("$@") id="$target-r$rate" before=() after=()
  log "== $id $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  ( while :; do echo "$(date -u +%T) $(cut -d' ' -f1 /proc/loadavg)"; sleep 2; done ) > "$OUT/$id.loadavg" &
  local sampler=$!
  for p in "${pids[@]}"; do before+=("$(ticks "$p")"); done
  local start=$(date +%s.%N)
  /usr/bin/time -f "load process cpu user %U s sys %S s" java $FLAGS -Xmx1g -jar "$JAR" load "${TARGET_ARGS[@]}" \
    --sessions --track-ahead 0 --rate "$rate" --duration "$DUR" --warmup "$WARM" --drain 30s \
    --connect-timeout 60s --hgrm "$OUT/$id.hgrm" --hlog "$OUT/$id.hlog" > "$OUT/$id.out" 2>&1
  local rc=$? end=$(date +%s.%N)
  for p in "${pids[@]}"; do after+=("$(ticks "$p")"); done
  kill "$sampler"; wait "$sampler" 2>/dev/null
  log "exit $rc, $(echo "$end - $start" | bc) s; $(grep -h '^tracked\|corrected for\|uncorrected\|load process cpu\|cannot\|refused' "$OUT/$id.out" | tr -s ' ' | tr '\n' ' ')"
  log "load average (1 min) during the run: $(awk '{print $2}' "$OUT/$id.loadavg" | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "min %s mean %.1f max %s (%d samples)", a[1], s/NR, a[NR], NR}')"
  local i=0 cpu=""
  for p in "${pids[@]}"; do
    cpu+="pid $p $(echo "scale=2; (${after[$i]} - ${before[$i]}) / $TICK" | bc) s; "
    i=$((i + 1))
  done
  log "tracker CPU (user+sys) during the run: $cpu"
}

await_line() { # file regex seconds
  local deadline=$(( $(date +%s) + $3 ))
  until grep -q -E "$2" "$1" 2>/dev/null; do
    [ "$(date +%s)" -gt $deadline ] && { log "timed out waiting for /$2/ in $1"; return 1; }
    sleep 0.5
  done
}

idle_cpu() { # label seconds PIDS... : what the trackers burn doing nothing
  local label=$1 secs=$2; shift 2
  local before=() i=0 cpu=""
  for p in "$@"; do before+=("$(ticks "$p")"); done
  sleep "$secs"
  for p in "$@"; do cpu+="pid $p $(echo "scale=2; ($(ticks "$p") - ${before[$i]}) / $TICK" | bc) s; "; i=$((i + 1)); done
  log "idle CPU of $label over ${secs} s: $cpu load $(cut -d' ' -f1 /proc/loadavg)"
}

single() { # memory|journal
  local target=$1 config="$OUT/tracker.yaml"
  [ "$target" = journal ] && config="$OUT/tracker-journal.yaml"
  java $FLAGS -Xmx2g -jar "$JAR" run --config "$config" > "$OUT/$target.service.log" 2>&1 &
  local pid=$!
  log "started $target service pid $pid"
  if await_line "$OUT/$target.service.log" "running: driver embedded at" 180; then
    local dir=$(sed -n 's/.*driver embedded at \([^,]*\),.*/\1/p' "$OUT/$target.service.log" | head -1)
    log "$(grep -h 'running: driver' "$OUT/$target.service.log")"
    idle_cpu "$target service" 10 "$pid"
    TARGET_ARGS=(--aeron-dir "$dir")
    for rate in $RATES; do load_run "$target" "$rate" "$pid"; done
  fi
  kill -TERM "$pid"; wait "$pid"
  log "stopped $target service pid $pid: exit $? $(tail -1 "$OUT/$target.service.log")"
}

cluster() {
  local pids=() members=localhost,localhost,localhost
  for i in 0 1 2; do
    java $FLAGS -Xmx2g -jar "$JAR" cluster node --id $i --members $members --port-base "$PORT_BASE" \
      --dir "$SCRATCH/member-$i" --config "$OUT/tracker.yaml" --leader-timeout 3s > "$OUT/member-$i.log" 2>&1 &
    pids+=($!)
  done
  log "started members pids ${pids[*]} (port base $PORT_BASE, leader timeout 3 s)"
  local ok=1
  for i in 0 1 2; do await_line "$OUT/member-$i.log" "^member $i: (LEADER|FOLLOWER)" 300 || ok=0; done
  if [ $ok = 1 ]; then
    log "roles: $(for i in 0 1 2; do grep -h "^member $i: " "$OUT/member-$i.log" | tail -1; done | tr '\n' ' ')"
    idle_cpu "members 0 1 2" 10 "${pids[@]}"
    TARGET_ARGS=(--cluster-ingress "0=localhost:$((PORT_BASE + 2)),1=localhost:$((PORT_BASE + 102)),2=localhost:$((PORT_BASE + 202))")
    for rate in $RATES; do
      load_run cluster "$rate" "${pids[@]}"
      log "roles: $(for i in 0 1 2; do grep -h "^member $i: " "$OUT/member-$i.log" | tail -1; done | tr '\n' ' ')"
    done
  fi
  for p in "${pids[@]}"; do kill -TERM "$p"; done
  for p in "${pids[@]}"; do wait "$p"; log "stopped member pid $p: exit $?"; done
  for i in 0 1 2; do log "member $i: $(tail -1 "$OUT/member-$i.log")"; done
}

for target in $TARGETS; do
  case $target in
    memory|journal) single "$target" ;;
    cluster) cluster ;;
  esac
done
rm -rf "$SCRATCH"
log "session end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
