#!/usr/bin/env bash
# Records the shedding fixtures of issue #12 (see README.md): HAProxy with a
# queue timeout in front of the built-in target, nginx limit_req (with and
# without nodelay) and limit_conn in front of it, Apache past its workers
# and backlog, gunicorn's sync workers, Varnish's backend connection
# limit, Tomcat's thread pool and connection limit, Node's
# server.maxConnections, and nginx's 502s in front of php-fpm's listen
# backlog and of an upstream server's max_conns, lighttpd's 500s in front
# of php-cgi's, and Go's
# http.TimeoutHandler, alone and around a semaphore, and a semaphore whose
# wait is bounded (503 past 5 ms), and nginx's 502s in front of gunicorn's
# listen backlog on a Unix socket. Run from the repository root:
#
#   bash testdata/shedding/record.sh [NAME]...   (default: all)
#
# NAME: haproxy haproxy-blackbox haproxy-maxconn8 haproxy-server-timeout nginx
# nginx-limit-conn nginx-limit-req-delay apache-backlog gunicorn-sync
# haproxy-queue-unbounded varnish-max-connections haproxy-rate-all
# tomcat-unbounded tomcat-max-connections node-max-connections nginx-php-fpm
# nginx-max-conns go-timeout-handler go-semaphore-timeout go-semaphore-wait
# lighttpd-php-cgi nginx-gunicorn.
# Everything listens on 127.0.0.1 high ports, runs as this user from a
# temporary directory, and is stopped at the end.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/bploadgen" ./cmd/bploadgen

start() { # name, command...
	local name=$1
	shift
	"$@" >"$tmp/$name.log" 2>&1 &
	pids+=($!)
}
wait_up() { # url
	for _ in $(seq 50); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "record: $1 did not come up" >&2
	return 1
}

# measure runs bploadgen against url into NAME.json, then stops what
# the run_* function started.
measure() { # name, url, run flags...
	local name=$1 url=$2
	shift 2
	"$tmp/bploadgen" run "$url" "$@" -q -o "$out/$name.json"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
}

haproxy_cfg() { # extra backend line, maxconn, extra global line, server timeout
	cat <<CFG
global
    maxconn 4096
    $3
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server ${4:-30s}
    timeout queue 20ms
frontend fe
    bind 127.0.0.1:18080
    default_backend be
frontend stats
    bind 127.0.0.1:18084
    http-request use-service prometheus-exporter if { path /metrics }
backend be
    $1
    server s1 127.0.0.1:18081 maxconn $2
CFG
}

run_haproxy() { # name, extra backend line, maxconn, extra global line, server timeout, target flags, run flags...
	local name=$1 extra=$2 maxconn=$3 global=$4 stimeout=$5 target=$6
	shift 6
	start target "$tmp/bploadgen" target --addr 127.0.0.1:18081 $target
	haproxy_cfg "$extra" "$maxconn" "$global" "$stimeout" >"$tmp/haproxy.cfg"
	start haproxy haproxy -f "$tmp/haproxy.cfg" -db
	wait_up http://127.0.0.1:18081/healthz
	wait_up http://127.0.0.1:18080/healthz
	measure "$name" http://127.0.0.1:18080/ "$@"
}

# nginx_server: parameters of the upstream server line (max_conns=8).
run_nginx() { # name, zone, limit (nginx directives), target flags, run flags...
	local name=$1 zone=$2 limit=$3 target=$4
	shift 4
	# shellcheck disable=SC2086 # the target's flags are words
	start target "$tmp/bploadgen" target --addr 127.0.0.1:18091 $target
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx.conf" <<CFG
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    $zone
    upstream backend {
        server 127.0.0.1:18091 ${nginx_server:-};
        keepalive 64;
    }
    server {
        listen 127.0.0.1:18090;
        server_name shed;
        location / {
            $limit
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://backend;
        }
    }
}
CFG
	start nginx nginx -c "$tmp/nginx.conf" -p "$tmp/nginx"
	wait_up http://127.0.0.1:18091/healthz
	sleep 0.5
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# Apache 2.4 (Debian's apache2) with 8 event-MPM workers and a listen
# backlog of 8, proxying to the built-in target: past its workers it sheds
# nothing; connections wait in the backlog, and past that the kernel drops
# their SYNs, so requests time out instead of getting 503s.
run_apache() { # name, run flags...
	local name=$1
	shift
	start target "$tmp/bploadgen" target --addr 127.0.0.1:18091 --workers 64 --queue 1000 --policy unbounded --service exp:5ms
	mkdir -p "$tmp/apache"
	local mods=/usr/lib/apache2/modules
	cat >"$tmp/apache.conf" <<CFG
ServerRoot $tmp/apache
PidFile $tmp/apache/httpd.pid
ErrorLog $tmp/apache/error.log
LogLevel warn
ServerName localhost
Listen 127.0.0.1:18090
ListenBacklog 8
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
StartServers 1
ServerLimit 1
ThreadLimit 8
ThreadsPerChild 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
ProxyPass "/" "http://127.0.0.1:18091/" keepalive=On
CFG
	start apache apache2 -f "$tmp/apache.conf" -DFOREGROUND
	wait_up http://127.0.0.1:18091/healthz
	wait_up http://127.0.0.1:18090/
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# gunicorn (Debian's, 20.1) with 4 sync workers and a listen backlog of
# 64, serving a WSGI app that sleeps an exponential 10 ms and reports it
# in Server-Timing: a worker per request, Connection: close, nothing shed;
# past 400 requests/s the backlog fills and requests time out.
# gunicorn_app writes DIR/app.py: a WSGI app that sleeps an exponential
# 10 ms and says so in Server-Timing.
gunicorn_app() { # dir
	cat >"$1/app.py" <<'APP'
import random
import time

rng = random.Random(1)


def app(environ, start_response):
    t = rng.expovariate(100)  # mean 10 ms
    time.sleep(t)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Server-Timing", "svc;dur=%.3f" % (t * 1000))])
    return [b"ok\n"]
APP
}

run_gunicorn() { # name, run flags...
	local name=$1
	shift
	mkdir -p "$tmp/gunicorn"
	gunicorn_app "$tmp/gunicorn"
	start gunicorn gunicorn --chdir "$tmp/gunicorn" -w 4 -b 127.0.0.1:18090 --backlog 64 app:app
	wait_up http://127.0.0.1:18090/
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# nginx 1.22 in front of gunicorn's 4 sync workers on a Unix socket with a
# listen backlog of 8 (the usual deployment): when the backlog is full
# nginx answers 502 at once.
run_nginx_gunicorn() { # name, run flags...
	local name=$1
	shift
	mkdir -p "$tmp/ngu/nginx"
	chmod o+x "$tmp" "$tmp/ngu" # nginx's workers run as nobody when started as root
	gunicorn_app "$tmp/ngu"
	nginx_front "$tmp/ngu" "proxy_pass http://unix:$tmp/ngu/g.sock;"
	start gunicorn gunicorn --chdir "$tmp/ngu" -w 4 -b "unix:$tmp/ngu/g.sock" --backlog 8 -m 000 app:app
	start nginx nginx -c "$tmp/ngu/nginx.conf" -p "$tmp/ngu/nginx"
	wait_up http://127.0.0.1:18090/
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# Varnish (Debian's, 7.1) passing every request to the built-in target
# (64 workers, exp 5 ms) through a backend of .max_connections = 8:
# past 8 in flight it answers 503 at once (a proxy's concurrency limit).
run_varnish() { # name, run flags...
	local name=$1
	shift
	start target "$tmp/bploadgen" target --addr 127.0.0.1:18091 --workers 64 --queue 1000 --policy unbounded --service exp:5ms
	mkdir -p "$tmp/varnish"
	cat >"$tmp/varnish/default.vcl" <<'VCL'
vcl 4.1;
backend be {
    .host = "127.0.0.1";
    .port = "18091";
    .max_connections = 8;
}
sub vcl_recv { return (pass); }
VCL
	start varnish varnishd -F -j none -a 127.0.0.1:18090 -f "$tmp/varnish/default.vcl" -n "$tmp/varnish/inst" -s malloc,64m
	wait_up http://127.0.0.1:18091/healthz
	wait_up http://127.0.0.1:18090/
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# Tomcat 10 (Debian's; its servlet compiled with the JDK's javac) with
# maxThreads 4 and the given connector attributes: a servlet that sleeps
# an exponential 10 ms and reports it in Server-Timing. With the defaults
# (maxConnections 8192) keep-alive connections are all accepted and their
# requests wait in the executor's queue, which has no bound: nothing shed,
# the latency grows. With maxConnections 8, the connections past 8 wait
# unaccepted (acceptCount in the kernel's backlog) and time out.
run_tomcat() { # name, connector attributes, run flags...
	local name=$1 attrs=$2 base=$tmp/tomcat
	shift 2
	mkdir -p "$base"/{conf,logs,temp,work,src,webapps/ROOT/WEB-INF/classes}
	cp /etc/tomcat10/{web.xml,logging.properties,catalina.properties,context.xml} "$base/conf/"
	cat >"$base/src/Sleep.java" <<'JAVA'
import jakarta.servlet.http.*;
import java.io.IOException;
import java.util.SplittableRandom;

public class Sleep extends HttpServlet {
  private final SplittableRandom rng = new SplittableRandom(1);

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    double t;
    synchronized (rng) {
      t = -Math.log(1 - rng.nextDouble()) * 0.010; // mean 10 ms
    }
    long ns = (long) (t * 1e9);
    try {
      Thread.sleep(ns / 1000000, (int) (ns % 1000000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    resp.setContentType("text/plain");
    resp.setHeader("Server-Timing", String.format("svc;dur=%.3f", t * 1000));
    resp.getWriter().write("ok\n");
  }
}
JAVA
	javac -cp /usr/share/tomcat10/lib/servlet-api.jar -d "$base/webapps/ROOT/WEB-INF/classes" "$base/src/Sleep.java"
	cat >"$base/webapps/ROOT/WEB-INF/web.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="5.0" metadata-complete="true">
  <servlet><servlet-name>s</servlet-name><servlet-class>Sleep</servlet-class></servlet>
  <servlet-mapping><servlet-name>s</servlet-name><url-pattern>/</url-pattern></servlet-mapping>
</web-app>
XML
	cat >"$base/conf/server.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="18090" address="127.0.0.1" protocol="HTTP/1.1" maxThreads="4" minSpareThreads="4" $attrs/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
XML
	CATALINA_BASE=$base CATALINA_HOME=/usr/share/tomcat10 start tomcat /usr/share/tomcat10/bin/catalina.sh run
	for _ in $(seq 4); do wait_up http://127.0.0.1:18090/ && break; done
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# Node.js (20, as installed here) whose handler waits an exponential 10 ms
# on a timer (no CPU, so no worker limit) and reports it in Server-Timing,
# with server.maxConnections = 8: Node closes the connections past 8 as it
# accepts them, so the client's requests on them are reset.
run_node() { # name, run flags...
	local name=$1
	shift
	mkdir -p "$tmp/node"
	cat >"$tmp/node/server.js" <<'JS'
const http = require('http');
let seed = 1;
function rand() { // a seeded LCG in (0, 1)
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return (seed + 0.5) / 2147483648;
}
const server = http.createServer((req, res) => {
  const t = -Math.log(1 - rand()) * 10; // ms, mean 10
  setTimeout(() => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Server-Timing': 'svc;dur=' + t.toFixed(3) });
    res.end('ok\n');
  }, t);
});
server.maxConnections = 8;
server.listen(18090, '127.0.0.1');
JS
	start node node "$tmp/node/server.js"
	wait_up http://127.0.0.1:18090/
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# nginx_front writes DIR/nginx.conf: nginx on 127.0.0.1:18090, its
# temporary files under DIR/nginx, passing / on with the directives given.
nginx_front() { # dir, location directives
	cat >"$1/nginx.conf" <<CFG
worker_processes 1;
daemon off;
pid $1/nginx/nginx.pid;
error_log $1/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $1/nginx/body;
    proxy_temp_path $1/nginx/proxy;
    fastcgi_temp_path $1/nginx/fastcgi;
    uwsgi_temp_path $1/nginx/uwsgi;
    scgi_temp_path $1/nginx/scgi;
    server {
        listen 127.0.0.1:18090;
        location / {
            $2
        }
    }
}
CFG
}

# php_app writes DIR/app.php: a script that sleeps an exponential 10 ms
# and says so in Server-Timing (php-fpm's and lighttpd's php-cgi run it).
php_app() { # dir
	cat >"$1/app.php" <<'PHP'
<?php
$s = -log(1 - mt_rand() / (mt_getrandmax() + 1)) * 0.010; // seconds, mean 10 ms
usleep((int)($s * 1e6));
header("Server-Timing: svc;dur=" . round($s * 1000, 3));
echo "ok\n";
PHP
}

# nginx in front of php-fpm (Debian's, 8.2) on a Unix socket: 4 static
# workers and a listen backlog of 8. When the backlog is full nginx's
# connect fails at once (EAGAIN) and it answers 502: a bounded queue that
# sheds with 502, not 503.
run_php_fpm() { # name, run flags...
	local name=$1
	shift
	mkdir -p "$tmp/php/nginx"
	chmod o+x "$tmp" "$tmp/php" # nginx's workers run as nobody when started as root: they connect to the socket
	php_app "$tmp/php"
	cat >"$tmp/php/fpm.conf" <<CFG
[global]
pid = $tmp/php/fpm.pid
error_log = $tmp/php/fpm.log
daemonize = no
[www]
listen = $tmp/php/php.sock
listen.mode = 0666
listen.backlog = 8
pm = static
pm.max_children = 4
CFG
	nginx_front "$tmp/php" "fastcgi_pass unix:$tmp/php/php.sock;
            fastcgi_param SCRIPT_FILENAME $tmp/php/app.php;
            include /etc/nginx/fastcgi_params;"
	start php-fpm php-fpm8.2 -F -R -y "$tmp/php/fpm.conf"
	start nginx nginx -c "$tmp/php/nginx.conf" -p "$tmp/php/nginx"
	wait_up http://127.0.0.1:18090/
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# Go's net/http with http.TimeoutHandler (-timeout) around a handler that
# sleeps an exponential 10 ms: every request past the timeout is answered
# 503 at the timeout. With -sem N the handler first takes one of N slots
# (a buffered channel, the usual Go concurrency limit), waiting for it
# within the same timeout; without, there is no queue and no worker limit.
run_go_timeout() { # name, server flags, run flags...
	local name=$1 flags=$2
	shift 2
	mkdir -p "$tmp/gotimeout"
	cat >"$tmp/gotimeout/main.go" <<'GO'
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

func main() {
	n := flag.Int("sem", 0, "concurrency limit (0: none)")
	wait := flag.Duration("wait", 0, "the longest wait for a slot, then 503 (0: as long as the request lasts)")
	timeout := flag.Duration("timeout", 20*time.Millisecond, "http.TimeoutHandler's timeout (0: none)")
	flag.Parse()
	var sem chan struct{}
	if *n > 0 {
		sem = make(chan struct{}, *n)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sem != nil {
			var expired <-chan time.Time
			if *wait > 0 {
				t := time.NewTimer(*wait)
				defer t.Stop()
				expired = t.C
			}
			select {
			case sem <- struct{}{}:
			case <-expired:
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			case <-r.Context().Done():
				return
			}
			defer func() { <-sem }()
		}
		s := time.Duration(rand.ExpFloat64() * float64(10*time.Millisecond))
		select {
		case <-time.After(s):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Server-Timing", fmt.Sprintf("svc;dur=%.3f", float64(s)/1e6))
		w.Write([]byte("ok\n"))
	})
	var root http.Handler = h
	if *timeout > 0 {
		root = http.TimeoutHandler(h, *timeout, "timeout\n")
	}
	http.ListenAndServe("127.0.0.1:18090", root)
}
GO
	printf 'module gotimeout\n\ngo 1.22\n' >"$tmp/gotimeout/go.mod"
	(cd "$tmp/gotimeout" && go build -o srv .)
	# shellcheck disable=SC2086 # the server's flags are words
	start gotimeout "$tmp/gotimeout/srv" $flags
	wait_up http://127.0.0.1:18090/
	measure "$name" http://127.0.0.1:18090/ "$@"
}

# lighttpd (Debian's, 1.4) spawning php-cgi through mod_fastcgi on a Unix
# socket: 4 PHP children, a listen backlog of 8. When the backlog is full
# lighttpd answers 500 at once.
run_lighttpd() { # name, run flags...
	local name=$1
	shift
	mkdir -p "$tmp/lighttpd"
	php_app "$tmp/lighttpd"
	cat >"$tmp/lighttpd/lighttpd.conf" <<CFG
server.document-root = "$tmp/lighttpd"
server.port = 18090
server.bind = "127.0.0.1"
server.pid-file = "$tmp/lighttpd/lighttpd.pid"
server.errorlog = "$tmp/lighttpd/error.log"
server.modules = ( "mod_fastcgi" )
fastcgi.server = ( ".php" => ((
  "bin-path" => "/usr/bin/php-cgi",
  "socket" => "$tmp/lighttpd/php.sock",
  "max-procs" => 1,
  "bin-environment" => ( "PHP_FCGI_CHILDREN" => "4", "PHP_FCGI_MAX_REQUESTS" => "100000" ),
  "listen-backlog" => 8
)))
CFG
	start lighttpd lighttpd -D -f "$tmp/lighttpd/lighttpd.conf"
	wait_up http://127.0.0.1:18090/app.php
	measure "$name" http://127.0.0.1:18090/app.php "$@"
}

unbounded="--workers 16 --policy unbounded --service det"
haproxy_step="--profile step --from 200 --to 600 --steps 5 --step-duration 5s --arrival poisson --seed 1"
for what in "${@:-haproxy haproxy-blackbox haproxy-maxconn8 haproxy-server-timeout nginx nginx-limit-conn nginx-limit-req-delay apache-backlog gunicorn-sync haproxy-queue-unbounded varnish-max-connections haproxy-rate-all tomcat-unbounded tomcat-max-connections node-max-connections nginx-php-fpm nginx-max-conns go-timeout-handler go-semaphore-timeout go-semaphore-wait lighttpd-php-cgi nginx-gunicorn}"; do
	for w in $what; do
		case $w in
		haproxy) run_haproxy haproxy-queue-timeout "" 4 "nbthread 1" 30s "$unbounded:10ms" $haproxy_step ;;
		haproxy-blackbox) run_haproxy haproxy-queue-timeout-blackbox "http-response del-header Server-Timing" 4 "nbthread 1" 30s "$unbounded:10ms" $haproxy_step ;;
		haproxy-server-timeout) run_haproxy haproxy-server-timeout "" 9000 "" 30ms "--workers 4 --queue 1000 --service det:5ms" \
			--profile step --from 400 --to 1200 --steps 3 --step-duration 4s ;;
		haproxy-maxconn8) run_haproxy haproxy-maxconn8 "" 8 "" 30s "$unbounded:5ms" --profile step --from 400 --to 2000 --steps 4 --step-duration 4s \
			--scrape http://127.0.0.1:18084/metrics --scrape-metric haproxy_backend_current_queue \
			--scrape-metric haproxy_backend_current_sessions --scrape-metric haproxy_backend_http_responses_total ;;
		haproxy-queue-unbounded) run_haproxy haproxy-queue-unbounded "timeout queue 30s" 4 "nbthread 1" 30s "$unbounded:10ms" $haproxy_step ;;
		haproxy-rate-all) run_haproxy haproxy-rate-all "stick-table type integer size 1 expire 10s store http_req_rate(1s)
    http-request track-sc0 int(1)
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 300 }" 9000 "nbthread 1" 30s \
			"--workers 64 --queue 1000 --policy unbounded --service exp:5ms" \
			--profile step --from 150 --to 600 --steps 4 --step-duration 5s --arrival poisson --seed 1 ;;
		nginx) run_nginx nginx-limit-req 'limit_req_zone $server_name zone=one:1m rate=200r/s;' \
			'limit_req zone=one burst=10 nodelay; limit_req_status 503;' "--workers 8 --policy unbounded --service exp:7ms" \
			--profile step --from 100 --to 500 --steps 5 --step-duration 5s --arrival uniform ;;
		nginx-limit-conn) run_nginx nginx-limit-conn 'limit_conn_zone $server_name zone=conns:1m;' \
			'limit_conn conns 8; limit_conn_status 503;' "--workers 64 --queue 1000 --policy unbounded --service exp:5ms" \
			--profile step --from 800 --to 2800 --steps 4 --step-duration 6s --arrival uniform ;;
		nginx-limit-req-delay) run_nginx nginx-limit-req-delay 'limit_req_zone $server_name zone=one:1m rate=300r/s;' \
			'limit_req zone=one burst=30; limit_req_status 503;' "--workers 64 --queue 1000 --policy unbounded --service exp:5ms" \
			--profile step --from 150 --to 600 --steps 4 --step-duration 5s --arrival poisson --seed 1 ;;
		gunicorn-sync) run_gunicorn gunicorn-sync --profile step --from 100 --to 600 --steps 4 --step-duration 5s \
			--arrival poisson --seed 1 --timeout 3s ;;
		varnish-max-connections) PATH=$PATH:/usr/sbin run_varnish varnish-max-connections --profile step --from 800 --to 2800 \
			--steps 4 --step-duration 6s --arrival uniform ;;
		apache-backlog) PATH=$PATH:/usr/sbin run_apache apache-backlog --profile step --from 800 --to 2400 --steps 3 \
			--step-duration 4s --arrival uniform --timeout 2s ;;
		tomcat-unbounded) run_tomcat tomcat-unbounded "" --profile step --from 100 --to 600 --steps 4 --step-duration 5s \
			--arrival poisson --seed 1 --timeout 3s ;;
		tomcat-max-connections) run_tomcat tomcat-max-connections 'maxConnections="8" acceptCount="8"' --profile step --from 100 \
			--to 600 --steps 4 --step-duration 5s --arrival poisson --seed 1 --timeout 3s ;;
		node-max-connections) run_node node-max-connections --profile step --from 200 --to 1400 --steps 4 --step-duration 5s \
			--arrival poisson --seed 1 --timeout 3s ;;
		nginx-max-conns) nginx_server="max_conns=8" run_nginx nginx-max-conns "" "" \
			"--workers 64 --queue 1000 --policy unbounded --service exp:5ms" \
			--profile step --from 800 --to 2800 --steps 4 --step-duration 6s --arrival poisson --seed 1 --timeout 3s ;;
		go-timeout-handler) run_go_timeout go-timeout-handler "-timeout 20ms" --profile step --from 100 --to 700 --steps 4 --step-duration 5s \
			--arrival poisson --seed 1 --timeout 3s ;;
		go-semaphore-timeout) run_go_timeout go-semaphore-timeout "-sem 4 -timeout 50ms" --profile step --from 100 --to 700 \
			--steps 4 --step-duration 5s --arrival poisson --seed 1 --timeout 3s ;;
		go-semaphore-wait) run_go_timeout go-semaphore-wait "-sem 4 -wait 5ms -timeout 0" --profile step --from 200 --to 600 \
			--steps 5 --step-duration 5s --arrival poisson --seed 1 --timeout 3s ;;
		nginx-gunicorn) PATH=$PATH:/usr/sbin run_nginx_gunicorn nginx-gunicorn --profile step --from 100 --to 600 --steps 5 \
			--step-duration 5s --arrival poisson --seed 1 --timeout 3s ;;
		lighttpd-php-cgi) PATH=$PATH:/usr/sbin run_lighttpd lighttpd-php-cgi --profile step --from 100 --to 600 --steps 5 \
			--step-duration 5s --arrival poisson --seed 1 --timeout 3s ;;
		nginx-php-fpm) PATH=$PATH:/usr/sbin run_php_fpm nginx-php-fpm --profile step --from 100 --to 600 --steps 5 --step-duration 5s \
			--arrival poisson --seed 1 --timeout 3s ;;
		*) echo "record: unknown fixture $w" >&2; exit 2 ;;
		esac
	done
done
