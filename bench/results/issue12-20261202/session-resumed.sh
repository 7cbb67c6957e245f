#!/usr/bin/env bash
set -u
OUT=/work/main/bench/results/issue12-20261202
echo "session resumed (after an environment restart) $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT/session.txt
for label in after; do
  jar=/tmp/bench-$label.jar
  echo "== jmh steady-state $label $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  java -jar $jar SteadyStateBenchmark -prof gc -p pending=1000000 -p destinations=1,3q2 -p store=memory,persisted \
    -foe true -rf csv -rff $OUT/steady-state-$label.csv > $OUT/steady-state-$label.log 2>&1
  echo "== jmh ack-only $label $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
  java -jar $jar AckOnlyBenchmark -prof gc -p serviceTime=true \
    -foe true -rf csv -rff $OUT/ack-only-$label.csv > $OUT/ack-only-$label.log 2>&1
done
FLAGS=$(java -jar /tmp/bench-after.jar flags)
for held in 2000 300000; do
  for label in before after; do
    echo "== held-idle $label held=$held $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $OUT/session.txt
    timeout 600 java $FLAGS -Xms4g -Xmx4g -cp /tmp/bench-$label.jar:/tmp/qbench/$label HeldIdle $held 2>&1 | tee -a $OUT/held-idle-$label.txt | tail -5 | tee -a $OUT/session.txt
  done
done
echo "session end $(date -u +%FT%TZ)" | tee -a $OUT/session.txt
