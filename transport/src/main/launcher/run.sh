#!/bin/sh
# Run a main class of the transport module with the project's JVM flags and the module's runtime classpath.
# Generated into transport/target by `mvn package`; usage:
#   sh transport/target/run.sh io.acktracker.transport.service.TrackerServiceMain --help
#   sh transport/target/run.sh io.acktracker.transport.harness.EndToEndLatency --rate=10000
here=$(cd "$(dirname "$0")" && pwd)
exec java ${acktracker.jvm.flags} ${ACKTRACKER_JAVA_OPTS} -cp "$here/classes:$(cat "$here/classpath.txt")" "$@"
