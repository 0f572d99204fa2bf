#!/usr/bin/env bash
# A real Apache Kafka 4.x broker for development and tests: single node, KRaft mode
# (combined broker + controller), run from the broker jars that Maven fetches from
# Maven Central into a cache outside the repository.
#
#   kafka.sh start                              start (or find running) and print host:port
#   kafka.sh stop [--clean]                     SIGTERM, then SIGKILL after a timeout;
#                                               --clean also deletes the data directory
#   kafka.sh status                             print the address and pid; exit 3 if stopped
#   kafka.sh create-topic <name> <partitions>   idempotent; topics are never auto-created
#   kafka.sh fetch                              only download the jars into the cache
#
# Environment (all optional):
#   KAFKA_VERSION          broker version, default 4.4.0 (any 4.x served by Maven Central)
#   C360_CACHE_DIR         jar cache root, default $HOME/.cache/c360 (jars in kafka-<v>/libs)
#   C360_KAFKA_STATE       state dir (data, config, log, pid, brokers file),
#                          default <repo>/.cache/kafka
#   KAFKA_PORT             client port; default: the port used before in this state dir,
#                          else a free one
#   KAFKA_CONTROLLER_PORT  KRaft controller port; same defaulting
#   KAFKA_HEAP_OPTS        default "-Xms128m -Xmx512m"
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to answer, default 90
#   KAFKA_STOP_TIMEOUT     seconds between SIGTERM and SIGKILL, default 30
#   KAFKA_EXTRA_CONFIG     extra server.properties lines (newline separated)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="${KAFKA_VERSION:-4.4.0}"
cache_root="${C360_CACHE_DIR:-${HOME:-/tmp}/.cache/c360}"
dist="$cache_root/kafka-$version"
libs="$dist/libs"
state="${C360_KAFKA_STATE:-$repo/.cache/kafka}"
heap="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
start_timeout="${KAFKA_START_TIMEOUT:-90}"
stop_timeout="${KAFKA_STOP_TIMEOUT:-30}"

log() { echo "kafka.sh: $*" >&2; }
die() { log "$*"; exit 1; }

mkdir -p "$state"
state="$(cd "$state" && pwd)"
pid_file="$state/pid"
brokers_file="$state/brokers"
ports_file="$state/ports"
data_dir="$state/data"
log_file="$state/broker.log"

# --- jars -------------------------------------------------------------------------

fetch_jars() {
  [[ -f "$libs/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn is not installed (needed once to fetch the Kafka jars)"
  mkdir -p "$cache_root"
  # One download at a time per cache (parallel CI jobs, several checkouts).
  exec 8>"$cache_root/kafka-$version.lock"
  flock 8
  if [[ ! -f "$libs/.complete" ]]; then
    log "fetching org.apache.kafka:kafka_2.13:$version and its dependencies into $libs"
    rm -rf "$libs.tmp"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$version" -Dkafka.libs="$libs.tmp" >&2 \
      || die "mvn could not fetch kafka_2.13:$version (is Maven Central reachable?)"
    ls "$libs.tmp"/kafka_2.13-"$version".jar >/dev/null 2>&1 || die "kafka_2.13-$version.jar missing after mvn"
    rm -rf "$libs"
    mv "$libs.tmp" "$libs"
    touch "$libs/.complete"
  fi
  flock -u 8
  exec 8>&-
}

# KafkaAdmin.java compiled once per cache (and again whenever the source changes).
admin_classes() {
  local out="$dist/admin" sum
  sum="$(sha1sum "$here/KafkaAdmin.java" | cut -c1-12)"
  if [[ ! -f "$out/$sum/KafkaAdmin.class" ]]; then
    mkdir -p "$out"
    rm -rf "$out/$sum.tmp"
    javac -nowarn -cp "$libs/*" -d "$out/$sum.tmp" "$here/KafkaAdmin.java" >&2
    rm -rf "$out/$sum" && mv "$out/$sum.tmp" "$out/$sum"
  fi
  echo "$out/$sum"
}

kafka_admin() {
  local classes
  classes="$(admin_classes)"
  java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$state/log4j2-tools.properties" \
    -cp "$classes:$libs/*" KafkaAdmin "$@"
}

# --- process state -----------------------------------------------------------------

running_pid() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: it must be our broker, on our config.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $state/server.properties" || return 1
  echo "$pid"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports are drawn from below the kernel's ephemeral range: a port in that range can be
# the local end of some outgoing connection at the moment the broker binds it
# (connect-probing cannot see that), which fails the start with "Address already in use".
ephemeral_low() {
  local low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
  echo "$low"
}

free_port() {
  local p low span
  low="$(ephemeral_low)"
  span=$((low > 12000 ? low - 11000 : 1000))
  for _ in $(seq 1 200); do
    p=$((10000 + RANDOM % span))
    [[ "$p" != "${1:-}" ]] && port_free "$p" && { echo "$p"; return 0; }
  done
  die "no free port found"
}

choose_ports() {
  local old_client="" old_controller=""
  if [[ -f "$ports_file" ]]; then read -r old_client old_controller <"$ports_file" || true; fi
  client_port="${KAFKA_PORT:-${old_client:-}}"
  controller_port="${KAFKA_CONTROLLER_PORT:-${old_controller:-}}"
  if [[ -n "$old_controller" && -f "$data_dir/meta.properties" && "$controller_port" != "$old_controller" ]]; then
    # The controller's address is part of the formatted KRaft voter set.
    log "controller port changes ($old_controller -> $controller_port): reformatting $data_dir"
    rm -rf "$data_dir"
  fi
  ports_fresh=0
  [[ -n "$client_port" && -n "$controller_port" ]] || ports_fresh=1
  [[ -n "$client_port" ]] || client_port="$(free_port)"
  [[ -n "$controller_port" ]] || controller_port="$(free_port "$client_port")"
  port_free "$client_port" || die "port $client_port is in use (set KAFKA_PORT, or stop what holds it)"
  port_free "$controller_port" || die "port $controller_port is in use (set KAFKA_CONTROLLER_PORT)"
  echo "$client_port $controller_port" >"$ports_file"
}

write_config() {
  cat >"$state/server.properties" <<EOF
# Generated by scripts/kafka/kafka.sh: single-node KRaft broker for development and tests.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$client_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$client_port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data_dir
# Topics are created explicitly (kafka.sh create-topic, or the application's admin).
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fast tests: no join delay, and short session timeouts allowed for fault tests.
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
# Two cores shared by many processes: few threads.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
log.retention.hours=24
log.segment.bytes=67108864
${KAFKA_EXTRA_CONFIG:-}
EOF
  cat >"$state/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $log_file
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  cat >"$state/log4j2-tools.properties" <<EOF
status = warn
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m%n
rootLogger.level = ERROR
rootLogger.appenderRef.err.ref = ERR
EOF
}

format_storage() {
  [[ -f "$data_dir/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(java -Xmx128m -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
  [[ -n "$cluster_id" ]] || die "could not generate a cluster id"
  mkdir -p "$data_dir"
  java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$state/log4j2-tools.properties" \
    -cp "$libs/*" kafka.tools.StorageTool format --standalone \
    -t "$cluster_id" -c "$state/server.properties" >>"$log_file" 2>&1 \
    || { tail -n 20 "$log_file" >&2; die "storage format failed"; }
}

# --- commands --------------------------------------------------------------------------

cmd_start() {
  fetch_jars
  exec 9>"$state/.lock"
  flock 9
  local pid
  if pid="$(running_pid)" && [[ -f "$brokers_file" ]]; then
    cat "$brokers_file"
    return 0
  fi
  command -v java >/dev/null || die "java (17+) is not installed"
  rm -f "$brokers_file" "$pid_file"
  local attempt addr deadline
  for attempt in 1 2 3 4 5; do
    choose_ports
    write_config
    format_storage
    echo "---- start $(date -Is) ----" >>"$log_file"
    # setsid: the broker outlives the shell, jest or npm that started it, and a Ctrl-C
    # aimed at them; `stop` ends it.
    # shellcheck disable=SC2086
    setsid java $heap -XX:+UseSerialGC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$state/log4j2.properties" \
      -cp "$libs/*" kafka.Kafka "$state/server.properties" \
      >>"$state/stdout.log" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$pid_file"
    addr="127.0.0.1:$client_port"
    deadline=$((SECONDS + start_timeout))
    until ! port_free "$client_port"; do
      kill -0 "$pid" 2>/dev/null || break
      ((SECONDS < deadline)) || { cmd_stop >/dev/null; die "broker did not listen on $addr within ${start_timeout}s (log: $log_file)"; }
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && break
    rm -f "$pid_file"
    # Ports this start chose itself can be taken between the check and the bind: choose
    # others (the data directory goes too, the controller port is in its voter set).
    if ((ports_fresh)) && ((attempt < 5)) && tail -n 200 "$log_file" "$state/stdout.log" 2>/dev/null | grep -q 'Address already in use'; then
      log "port $client_port or $controller_port was taken during start-up: trying other ports"
      rm -rf "$data_dir" "$ports_file"
      continue
    fi
    tail -n 30 "$log_file" "$state/stdout.log" >&2
    die "broker exited during start-up (log: $log_file)"
  done
  kafka_admin wait "$addr" "$(((deadline - SECONDS) * 1000))" \
    || { kill -0 "$pid" 2>/dev/null && cmd_stop >/dev/null; die "broker did not answer on $addr (log: $log_file)"; }
  echo "$addr" >"$brokers_file"
  log "broker $version running at $addr (pid $pid, state $state)"
  echo "$addr"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file" "$brokers_file"
    log "not running"
  else
    rm -f "$brokers_file"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + stop_timeout))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "broker pid $pid ignored SIGTERM for ${stop_timeout}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$pid_file"
    log "stopped (pid $pid)"
  fi
  if [[ "${1:-}" == "--clean" ]]; then
    rm -rf "$data_dir" "$ports_file"
    log "data removed ($data_dir)"
  fi
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && [[ -f "$brokers_file" ]]; then
    echo "running $(cat "$brokers_file") pid $pid state $state"
  else
    echo "stopped (state $state)"
    return 3
  fi
}

cmd_create_topic() {
  [[ $# -eq 2 && "$2" =~ ^[0-9]+$ ]] || die "usage: kafka.sh create-topic <name> <partitions>"
  [[ -f "$brokers_file" ]] && running_pid >/dev/null || die "broker not running (kafka.sh start)"
  fetch_jars
  kafka_admin create-topic "$(cat "$brokers_file")" "$1" "$2"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) shift; cmd_stop "$@" ;;
  status) cmd_status ;;
  create-topic) shift; cmd_create_topic "$@" ;;
  fetch) fetch_jars; echo "$libs" ;;
  *) echo "usage: kafka.sh start | stop [--clean] | status | create-topic <name> <partitions> | fetch" >&2; exit 64 ;;
esac
