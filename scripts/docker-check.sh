#!/usr/bin/env bash
# docker-check.sh (make docker-check, after make setup build docker): checks the course image
# (IMAGE, default nmatools:latest) as students and a course use it. Steps (DOCKER_CHECK_STEPS,
# default all, in this order):
#
#   image   uid 1000, HOME /home/jovyan, jupyterhub-singleuser at the version the Dockerfile pins,
#           Go at go.mod's toolchain, the XLA CPU plugin; prints the image size
#   job     the README's main job, `make tutorial` (every notebook headless, verified), inside a
#           container limited to 2 GB of memory (mybinder's size) and without network
#   cache   the instructor notebook up to its first figure, headless, with the image's warm Go
#           build cache and with an empty one (GOCACHE=/tmp/...)
#   volume  a student's answer saved in the student notebook survives a new container when a
#           volume is mounted at the server root (/home/jovyan)
#   lab     `docker run --network host -e JUPYTER_PORT -e JUPYTER_TOKEN IMAGE` serves JupyterLab;
#           the project's browser check (scripts/browser-check.sh) runs against it: every cell,
#           every slider, Stop, the idle timeout, Interrupt
#   class   a real JupyterHub (PyPI jupyterhub, npm configurable-http-proxy, DockerSpawner, the
#           test authenticator) spawns the image for 1, then CLASS_SIZE (default 3) students at
#           once; each logs in in Chromium, runs all cells, moves a slider, saves
#           (scripts/docker-check/class.js); nobody reads another's files. Then one student with
#           an empty Go build cache, up to the first figure.
#
# Ports: DOCKER_CHECK_PORT (default 9100) .. +99: JupyterLab on +10 and +11, the hub on +20..+22,
# the students' servers on +30..+99. Results: build/docker-check/ (report.md, JSON, logs, screenshots).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
IMAGE="${IMAGE:-nmatools:latest}"
P="${DOCKER_CHECK_PORT:-9100}"
STEPS="${DOCKER_CHECK_STEPS:-image job cache volume lab class}"
CLASS_SIZE="${CLASS_SIZE:-3}"
OUT="$ROOT/build/docker-check"
HUBENV="$ROOT/build/docker-hub"            # kept between runs: the hub's venv and proxy
JUPYTERHUB_PIN="$(sed -n 's/^ARG JUPYTERHUB_VERSION=//p' docker/Dockerfile)"
DOCKERSPAWNER_PIN=14.0.0
CHP_PIN=5.0.1
case "$CLASS_SIZE" in ''|*[!0-9]*|0) echo "docker-check: CLASS_SIZE must be a positive number, got '$CLASS_SIZE'" >&2; exit 2 ;; esac
docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "docker-check: no image $IMAGE: run make docker first" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"
log() { echo "docker-check: $*"; }
token() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
REPORT="$OUT/report.md"
{
  echo "# make docker-check, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Image $IMAGE ($(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c8-19)), $(awk "BEGIN { printf \"%.2f\", $(docker image inspect -f '{{.Size}}' "$IMAGE") / 1e9 }") GB."
  echo "Machine: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 2^20 }' /proc/meminfo);" \
       "load average at the start $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
} > "$REPORT"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  docker ps -aq --filter name='^nmatools-check-' --filter name='^nmatools-class-' | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter name='^nmatools-check-' --filter name='^nmatools-class-' | xargs -r docker volume rm -f >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

# memwatch PREFIX FILE: peak memory and CPU of the containers named PREFIX* (background).
memwatch() { python3 "$ROOT/scripts/docker-check/memwatch.py" "$2" "$1" & pids+=($!); }
stop_memwatch() { local p="${pids[-1]}"; kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; unset 'pids[-1]'; }
wait_lab() {  # wait_lab PORT TOKEN NAME
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$1/api/status?token=$2" >/dev/null 2>&1 && return 0
    [ "$(docker inspect -f '{{.State.Running}}' "$3" 2>/dev/null)" = true ] || break
    sleep 1
  done
  docker logs "$3" >&2 || true; echo "docker-check: JupyterLab in $3 did not answer on port $1" >&2; return 1
}
has() { [[ " $STEPS " == *" $1 "* ]]; }

# --- image ---------------------------------------------------------------------------------
if has image; then
  facts="$(docker run --rm --network none "$IMAGE" bash -c 'echo "$(id -u) $HOME $(jupyterhub-singleuser --version) $(go env GOVERSION)"; nmatools backend | head -1; GOMLX_BACKEND=go nmatools backend | head -1')"
  read -r uid home hubv gov <<<"$(head -1 <<<"$facts")"
  log "in the image: uid $uid, HOME $home, jupyterhub-singleuser $hubv, $gov; $(tail -n +2 <<<"$facts" | paste -sd ';' -)"
  [ "$uid" = 1000 ] || { echo "docker-check: the image runs as uid $uid, not 1000" >&2; exit 1; }
  [ "$home" = /home/jovyan ] || { echo "docker-check: HOME is $home, not /home/jovyan" >&2; exit 1; }
  [ "$hubv" = "$JUPYTERHUB_PIN" ] || { echo "docker-check: jupyterhub-singleuser is $hubv, the Dockerfile pins $JUPYTERHUB_PIN" >&2; exit 1; }
  [ "$gov" = "$(sed -n 's/^toolchain //p' go.mod)" ] || { echo "docker-check: the image has $gov, go.mod names $(sed -n 's/^toolchain //p' go.mod)" >&2; exit 1; }
  grep -q '^Backend: xla' <<<"$facts" || { echo "docker-check: nmatools backend in the image does not find the XLA CPU plugin: $facts" >&2; exit 1; }
  grep -qi '^Backend: go' <<<"$facts" || { echo "docker-check: the pure-Go backend does not answer in the image: $facts" >&2; exit 1; }
  echo "In the image: uid $uid, HOME $home, jupyterhub-singleuser $hubv, $gov; backends: $(tail -n +2 <<<"$facts" | paste -sd ';' -)." >> "$REPORT"
fi

# --- job -----------------------------------------------------------------------------------
if has job; then
  log "make tutorial in a container (--memory 2g, no swap, --network none)"
  memwatch nmatools-check-job "$OUT/job-memory.json"
  t0=$(date +%s)
  docker run -d --name nmatools-check-job --network none --memory 2g --memory-swap 2g "$IMAGE" \
    bash -c 'cd /opt/nmatools && make tutorial' >/dev/null
  rc="$(docker wait nmatools-check-job)"
  t1=$(date +%s)
  docker logs nmatools-check-job > "$OUT/job.log" 2>&1
  oom="$(docker inspect -f '{{.State.OOMKilled}}' nmatools-check-job)"
  sleep 2; stop_memwatch
  docker rm nmatools-check-job >/dev/null
  grep -E '^run-notebooks:|executed in' "$OUT/job.log" | sed 's/^/  /'
  [ "$rc" = 0 ] && [ "$oom" = false ] || { tail -30 "$OUT/job.log" >&2; echo "docker-check: make tutorial in the container failed (exit $rc, OOM-killed: $oom; log $OUT/job.log)" >&2; exit 1; }
  peak="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(max((v["peak_mib"] for v in d.values()), default=0))' "$OUT/job-memory.json")"
  log "make tutorial passed in the container in $((t1 - t0)) s, peak memory ${peak} MiB of 2048"
  echo "Main job: \`make tutorial\` in a container with \`--memory 2g --memory-swap 2g --network none\`: passed in $((t1 - t0)) s, peak memory (working set) $peak MiB." >> "$REPORT"
fi

# --- cache ---------------------------------------------------------------------------------
if has cache; then
  for c in warm cold; do
    env=(); [ $c = cold ] && env=(-e GOCACHE=/tmp/go-cache-empty)
    log "first figure, headless, $c Go build cache"
    docker run --rm --network none "${env[@]}" "$IMAGE" bash -c \
      'd=$(mktemp -d) && cp /opt/nmatools/notebooks/W1D1_Tutorial2.ipynb "$d/" && NMATOOLS_HEADLESS=1 python /opt/nmatools/docker/first-figure.py "$d/W1D1_Tutorial2.ipynb"' \
      > "$OUT/first-figure-$c.json" 2> "$OUT/first-figure-$c.log" ||
      { cat "$OUT/first-figure-$c.log" >&2; echo "docker-check: the notebook did not reach its first figure ($c cache)" >&2; exit 1; }
    log "  $(cat "$OUT/first-figure-$c.json")"
  done
  echo "First figure, headless (kernel start to the first figure): warm cache $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_figure_s"])' "$OUT/first-figure-warm.json") s, empty cache $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_figure_s"])' "$OUT/first-figure-cold.json") s." >> "$REPORT"
fi

# --- volume --------------------------------------------------------------------------------
if has volume; then
  vol=nmatools-check-home T="$(token)" port=$((P + 11)) mark="answer-$(token)"
  nb=student/W1D1_Tutorial2.ipynb
  docker volume create "$vol" >/dev/null
  for round in 1 2; do
    docker run -d --name nmatools-check-vol --network host -e JUPYTER_PORT=$port -e JUPYTER_TOKEN="$T" \
      -v "$vol:/home/jovyan" "$IMAGE" >/dev/null
    wait_lab $port "$T" nmatools-check-vol
    url="http://127.0.0.1:$port/api/contents/$nb?token=$T"
    if [ $round = 1 ]; then
      # The student's answer, saved as JupyterLab saves: the notebook PUT through the contents API.
      curl -fsS "$url&content=1" | python3 -c '
import json, sys
model = json.load(sys.stdin)
nb = model["content"]
cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
cell["source"] += "\n// " + sys.argv[1]
print(json.dumps({"type": "notebook", "format": "json", "content": nb}))' "$mark" |
        curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- "$url" >/dev/null
    else
      curl -fsS "$url&content=1" | grep -q "$mark" ||
        { echo "docker-check: the answer saved in $nb did not survive a new container with the same volume" >&2; exit 1; }
      curl -fsS "http://127.0.0.1:$port/api/contents/W1D1_Tutorial2.ipynb?token=$T&content=0" >/dev/null ||
        { echo "docker-check: the instructor working copy is missing in the second container" >&2; exit 1; }
    fi
    docker rm -f nmatools-check-vol >/dev/null
  done
  docker volume rm "$vol" >/dev/null
  log "a saved answer in $nb survived a new container (volume at /home/jovyan)"
  echo "Volume: an answer saved in \`$nb\` through JupyterLab's contents API survived a new container with the same volume at /home/jovyan." >> "$REPORT"
fi

# --- lab -----------------------------------------------------------------------------------
if has lab; then
  T="$(token)" port=$((P + 10))
  log "JupyterLab from the image on port $port; the browser check against it"
  docker run -d --name nmatools-check-lab --network host -e JUPYTER_PORT=$port -e JUPYTER_TOKEN="$T" "$IMAGE" >/dev/null
  wait_lab $port "$T" nmatools-check-lab
  memwatch nmatools-check-lab "$OUT/lab-memory.json"
  t0=$(date +%s)
  if ! BROWSER_CHECK_SERVER="http://127.0.0.1:$port" BROWSER_CHECK_TOKEN="$T" bash scripts/browser-check.sh 2>&1 | tee "$OUT/browser-check.log"; then
    docker logs nmatools-check-lab > "$OUT/lab.log" 2>&1
    echo "docker-check: the browser check against the container failed (logs $OUT/browser-check.log, $OUT/lab.log)" >&2; exit 1
  fi
  t1=$(date +%s)
  stop_memwatch
  docker logs nmatools-check-lab > "$OUT/lab.log" 2>&1
  docker rm -f nmatools-check-lab >/dev/null
  peak="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(max((v["peak_mib"] for v in d.values()), default=0))' "$OUT/lab-memory.json")"
  echo "Browser check against \`docker run --network host -e JUPYTER_PORT=$port -e JUPYTER_TOKEN=… $IMAGE\`: passed in $((t1 - t0)) s, peak memory $peak MiB;" \
       "redraws: $(grep -o '[a-z]* slider [a-z]* [0-9]* → [0-9]* ([a-z]* setting)[^"]*"[^"]*" and "[^"]*" after [0-9.]* s' "$OUT/browser-check.log" | sed 's/: figures.*after / /' | paste -sd ';' -)." >> "$REPORT"
fi

# --- class ---------------------------------------------------------------------------------
if has class; then
  if [ ! -x "$HUBENV/bin/jupyterhub" ] || [ "$(cat "$HUBENV/.pins" 2>/dev/null)" != "$JUPYTERHUB_PIN $DOCKERSPAWNER_PIN $CHP_PIN" ]; then
    log "installing jupyterhub==$JUPYTERHUB_PIN, dockerspawner==$DOCKERSPAWNER_PIN (PyPI) and configurable-http-proxy@$CHP_PIN (npm) into $HUBENV"
    rm -rf "$HUBENV"
    python3 -m venv "$HUBENV"
    "$HUBENV/bin/pip" install --quiet --disable-pip-version-check "jupyterhub==$JUPYTERHUB_PIN" "dockerspawner==$DOCKERSPAWNER_PIN"
    npm install --silent --no-audit --no-fund --prefix "$HUBENV" "configurable-http-proxy@$CHP_PIN" >/dev/null
    echo "$JUPYTERHUB_PIN $DOCKERSPAWNER_PIN $CHP_PIN" > "$HUBENV/.pins"
  fi
  BC="$ROOT/build/browser-check"
  PW="$(sed -n 's/^PLAYWRIGHT_VERSION=//p' scripts/browser-check.sh)"
  command -v chromium >/dev/null || { echo "docker-check: chromium is missing (make browser-check installs it)" >&2; exit 1; }
  if ! grep -qs "\"version\": \"$PW\"" "$BC/node_modules/playwright-core/package.json"; then
    mkdir -p "$BC" && npm install --silent --no-audit --no-fund --prefix "$BC" "playwright-core@$PW" >/dev/null
  fi
  PASSWORD="$(token)"
  # run_class NAME MODE COLD STUDENTS...: one hub, the students at once, their results in NAME.json.
  run_class() {
    local name="$1" mode="$2" cold="$3"; shift 3
    local students; students="$(IFS=,; echo "$*")"
    local state="$OUT/hub-$name"; mkdir -p "$state"
    log "class $name: $# student(s) at once ($students), mode $mode${cold:+, empty Go build cache}"
    (cd "$state" && PATH="$HUBENV/node_modules/.bin:$HUBENV/bin:$PATH" CLASS_IMAGE="$IMAGE" CLASS_PORT=$((P + 20)) \
      CLASS_SERVER_PORTS="$((P + 30))-$((P + 99))" CLASS_PASSWORD="$PASSWORD" CLASS_STATE="$state" CLASS_COLD_CACHE="$cold" \
      exec "$HUBENV/bin/jupyterhub" -f "$ROOT/scripts/docker-check/jupyterhub_config.py") > "$state/hub.log" 2>&1 &
    local hubpid=$!; pids+=($hubpid)
    for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$((P + 20))/hub/health" >/dev/null 2>&1 && break; sleep 1; done
    curl -fs "http://127.0.0.1:$((P + 20))/hub/health" >/dev/null || { tail -30 "$state/hub.log" >&2; echo "docker-check: the hub did not start" >&2; return 1; }
    memwatch nmatools-class- "$OUT/$name-memory.json"
    local rc=0
    local result="$OUT/$name.json" shots="$OUT"
    HUB="http://127.0.0.1:$((P + 20))" STUDENTS="$students" PASSWORD="$PASSWORD" MODE="$mode" OUT="$result" \
      SHOTS="$shots" CHROMIUM="$(command -v chromium)" PLAYWRIGHT_CORE="$BC/node_modules/playwright-core" \
      node scripts/docker-check/class.js 2>&1 | tee "$OUT/$name.log" || rc=$?
    stop_memwatch
    kill "$hubpid" 2>/dev/null || true; wait "$hubpid" 2>/dev/null || true; unset 'pids[-1]'
    docker ps -aq --filter name='^nmatools-class-' | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker volume ls -q --filter name='^nmatools-class-' | xargs -r docker volume rm -f >/dev/null 2>&1 || true
    [ $rc = 0 ] || { tail -20 "$state/hub.log" >&2; echo "docker-check: class $name failed (logs $OUT/$name.log, $state/hub.log)" >&2; return 1; }
  }
  many=(); for i in $(seq 1 "$CLASS_SIZE"); do many+=("student$i"); done
  run_class class-1 full "" student1
  run_class "class-$CLASS_SIZE" full "" "${many[@]}"
  run_class class-1-cold-cache first-figure 1 student1
  python3 - "$OUT" "$CLASS_SIZE" >> "$REPORT" <<'PYEOF'
import json, os, statistics, sys
out, n = sys.argv[1], sys.argv[2]
print()
print("Class on JupyterHub (DockerSpawner, one container per student, each logged in in Chromium at the same time):")
print()
print("| students at once | student | login → running notebook, s | login → first figure, s | Run All → sliders live, s | slider redraw (new setting), s | Run All → all cells, s | peak memory, MiB | CPU, s |")
print("|---|---|---|---|---|---|---|---|---|")
for name, label in [("class-1", "1"), (f"class-{n}", n), ("class-1-cold-cache", "1, empty Go build cache")]:
    res = json.load(open(os.path.join(out, name + ".json")))
    mem = json.load(open(os.path.join(out, name + "-memory.json")))
    for r in res:
        m = mem.get("nmatools-class-" + r["student"], {})
        f = lambda k: r.get(k, "–")
        redraw = ", ".join(str(x) for x in r.get("slider_redraw_s", [])) or "–"
        print(f"| {label} | {r['student']} | {f('login_to_running_s')} | {f('login_to_first_figure_s')} | {f('run_all_to_interactive_s')} | {redraw} | {f('run_all_to_all_cells_s')} | {m.get('peak_mib', '–')} | {m.get('cpu_s', '–')} |")
res = json.load(open(os.path.join(out, f"class-{n}.json")))
iso = [f"{r['student']}→{i['other']}: HTTP {i['status']}" for r in res for i in r.get("isolation", [])]
print()
print("Isolation: no student read another's file (" + "; ".join(iso) + ").")
settled = [f"{r['student']} ({name}): {', '.join(r['slider_settled'])}" for name in ("class-1", f"class-{n}")
           for r in json.load(open(os.path.join(out, name + ".json"))) if r.get("slider_settled")]
if settled:
    print()
    print("Sliders that settled short of the drag (GoNB echoed a value the drag passed through; the figure shows the "
          "slider's final value): " + "; ".join(settled) + ".")
PYEOF
fi

log "passed; report: $REPORT"
cat "$REPORT"
