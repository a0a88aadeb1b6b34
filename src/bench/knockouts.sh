#!/usr/bin/env bash
# Knock-out runs of the data-plane section (DATA-PLANE.md, "A fourth look"): builds apps that each
# lack one extension or one Micrometer binder into target/knockouts/, then runs section 3 with them
# measured beside Quiesce and the two peers in every launch (-Dbench.extraJars).
#
#   src/bench/knockouts.sh echo    [bench options]   the echo with extensions, one extension removed at a time
#   src/bench/knockouts.sh quiesce [bench options]   Quiesce with the HTTP binder back on, and without the gRPC binder
#
# Options are passed to the bench run, e.g. -Dbench.launches=8 -Dbench.warmupSeconds=30.
set -euo pipefail
cd "$(dirname "$0")/../.."

set_name=${1:-}
case "$set_name" in
  echo | quiesce) shift ;;
  *) echo "usage: $0 echo|quiesce [-Dbench.option=value ...]" >&2; exit 2 ;;
esac

out=$PWD/target/knockouts/$set_name
rm -rf "$out"
mkdir -p "$out"
all=ext-scheduler,ext-health,ext-jackson,ext-rest,ext-micrometer
http_off=-Dquarkus.micrometer.binder.http-server.enabled=false
http_on=-Dquarkus.micrometer.binder.http-server.enabled=true
grpc_off=-Dquarkus.micrometer.binder.grpc-server.enabled=false
extra=()

# A build of the echo peer (src/bench/bare) with the given profiles and build-time settings.
peer() {
  local label=$1 name=$2
  shift 2
  ./mvnw -B -q -f src/bench/bare/pom.xml -Dbench.bare.target="$out/$name" "$@" package
  extra+=("$label=$out/$name/quarkus-app/quarkus-run.jar")
}

# A build of the gateway with the given build-time settings, copied out of target/quarkus-app.
gateway() {
  local label=$1 name=$2
  shift 2
  ./mvnw -B -q package -DskipTests "$@"
  cp -r target/quarkus-app "$out/$name"
  extra+=("$label=$out/$name/quarkus-run.jar")
}

if [ "$set_name" = echo ]; then
  peer "ext − Micrometer" no-micrometer -Pext-scheduler,ext-health,ext-jackson,ext-rest
  peer "ext − HTTP binder" no-http-binder -P"$all" "$http_off"
  peer "ext − gRPC binder" no-grpc-binder -P"$all" "$grpc_off"
  peer "ext − REST" no-rest -Pext-scheduler,ext-health,ext-jackson,ext-micrometer
  peer "ext − health & scheduler" no-health-scheduler -Pext-jackson,ext-rest,ext-micrometer
else
  # The shipped build has the HTTP binder off (application.properties); these put it back, or take
  # the gRPC binder away too.
  gateway "Quiesce + HTTP binder" with-http-binder "$http_on"
  gateway "Quiesce − gRPC binder" no-grpc-binder "$grpc_off"
fi

jars=$(IFS=,; echo "${extra[*]}")
exec ./mvnw -B -Pbench verify -Dbench.sections=data "-Dbench.extraJars=$jars" "$@"
