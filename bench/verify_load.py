"""Verification API under load: throughput and latency of ``POST /api/v1/verify``.

Usage::

    .venv/bin/python bench/verify_load.py [--seconds 10] [--connections 4] [--workers 2]
                                          [--server granian|gunicorn] [--credentials 200]
                                          [--shapes] [--attack N] [--json]

``--shapes`` posts credentials that each have a JSON-LD shape of their own
(bench/shapes.py's 120 shapes times tag lists of different lengths; give
``--credentials`` more than the run will post, so no shape comes twice)
instead of one typical shape; ``--attack N`` measures twice, quiet and
then while N more connections post credentials crafted to be slow (thousands
of undefined properties, look-alike blank nodes, deep nesting, JSON-LD only
PyLD handles), and reports the normal requests' latency both ways.

What runs, all on loopback:

* an issuer's documents (a ``did:web`` DID document and a signed
  BitstringStatusListCredential) served by a small HTTP server in this
  process, as a district's deployment would serve them;
* the standalone verifier, ``verifier.create_app()``, under a production
  WSGI server with ``--workers`` process workers, each running the app on one
  Python thread (PyLD never runs on two threads at once): granian (Rust HTTP
  handling; the default) or gunicorn (``gthread`` with one thread, keeping
  connections alive, or ``sync``), in development mode so it may fetch
  ``did:web`` documents from loopback over plain HTTP;
* ``wrk`` (Debian's package) in a second process, posting ``--credentials``
  *different* typical district micro-credentials (each with its own id,
  recipient, signing time and signature, and a revocation and a suspension status entry, as
  the issuer service issues them) in turn, so nothing can be remembered per
  input. The DID document and the two status lists are
  fetched once per worker and then served from the fetcher's cache, and each
  status list version's signature is checked once (the state the issue asks
  to measure: "with status lists cached"); every credential is still fully
  verified: schema, JSON-LD safe mode, proof, key binding, dates, status bit.

Every response is checked to be a verified report before the run, and wrk
counts non-2xx answers during it. The run is bounded by ``--seconds``; all
processes are stopped on the way out. The goal is the issue's: at least 1,000
verifications per second with p99 under 20 ms on the project's 2-core machine.

Besides wrk's throughput and latency it prints the CPU time the workers (from
``/proc``) and wrk used per verification, and what the machine's cores would
serve at that cost: a figure other processes on a shared machine disturb far
less than the throughput.
"""

from __future__ import annotations

import argparse
import cProfile
import http.server
import io
import json
import os
import pstats
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from credentials import typical_credential  # noqa: E402
from shapes import shaped_credential  # noqa: E402

from badges import dataintegrity  # noqa: E402
from badges import keys  # noqa: E402
from badges import status_list  # noqa: E402

GOAL_RPS = 1000.0
GOAL_P99_MS = 20.0
CREATED_AT = datetime(2026, 5, 1, 12, tzinfo=UTC)


class _Documents(http.server.BaseHTTPRequestHandler):
    documents: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = self.documents.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=600")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def issuer_documents(port: int, count: int, shapes: bool = False,
                     ) -> tuple[dict[str, bytes], list[bytes]]:
    """The issuer's DID document and status list, and ``count`` signed credentials.

    With ``shapes``, every credential has a JSON-LD shape of its own: shape
    ``n % 120`` of bench/shapes.py with a tag list of ``n // 120`` items.
    """
    did = f"did:web:127.0.0.1%3A{port}:issuers:lakeside"
    key = keys.generate("ed25519").with_controller(did, f"{did}#ed-1")
    did_doc = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": f"{did}#ed-1", "type": "Multikey", "controller": did,
                                "publicKeyMultibase": key.public.multibase}],
        "assertionMethod": [f"{did}#ed-1"],
    }
    lists: dict[str, bytes] = {}
    for purpose in ("revocation", "suspension"):
        list_url = f"http://127.0.0.1:{port}/status/{purpose}/1"
        bits = status_list.Bitstring()
        for index in range(0, 131_072, 97):  # a list in use: some credentials withdrawn
            bits.set(index)
        listing = dataintegrity.sign_credential({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": list_url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": did, "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": purpose,
                                  "encodedList": status_list.encode_list(bits)},
        }, key=key, created="2026-01-01T00:00:00Z")
        lists[f"/status/{purpose}/1"] = json.dumps(listing).encode()
    bodies = []
    for n in range(count):
        index = n * 97 + 1  # never a withdrawn one
        if shapes:
            # 120 shapes, times a tag list of n // 120 items: n itself picks a new shape
            cred = shaped_credential(did, n % 120, n)
            cred["credentialSubject"]["achievement"]["tag"] = [
                f"t{i}" for i in range(n // 120)]
        else:
            cred = typical_credential(did, n)
        # as the issuer service issues them: one entry per purpose (revocation, suspension)
        cred["credentialStatus"] = [
            {"id": f"http://127.0.0.1:{port}/status/{purpose}/1#{index}",
             "type": "BitstringStatusListEntry", "statusPurpose": purpose,
             "statusListIndex": str(index),
             "statusListCredential": f"http://127.0.0.1:{port}/status/{purpose}/1"}
            for purpose in ("revocation", "suspension")]
        # each signed at a moment of its own, as a verifier meets them (nothing about the
        # proof is the same twice but its key, suite and purpose)
        created = (CREATED_AT + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        signed = dataintegrity.sign_credential(cred, key=key, created=created)
        bodies.append(json.dumps(signed).encode("utf-8"))
    documents = {"/issuers/lakeside/did.json": json.dumps(did_doc).encode(), **lists}
    return documents, bodies


@contextmanager
def document_server(documents: dict[str, bytes], port: int) -> Iterator[None]:
    _Documents.documents = documents
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Documents)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _server_command(server: str, port: int, workers: int, worker_class: str,
                    root: Path = ROOT) -> list[str]:
    venv = root / ".venv" / "bin" if root != ROOT else Path(sys.executable).parent
    binary = shutil.which(server, path=str(venv)) or shutil.which(server)
    if binary is None:
        sys.exit(f"{server} is not installed: .venv/bin/pip install -e '.[dev]'")
    if server == "granian":
        # one Python thread per worker process: PyLD never runs on two threads at once
        return [binary, "--interface", "wsgi", "--factory", "--workers", str(workers),
                "--blocking-threads", "1", "--runtime-threads", "1", "--host", "127.0.0.1",
                "--port", str(port), "--log-level", "warning", "verifier:create_app"]
    return [binary, "--workers", str(workers), "--worker-class", worker_class, "--threads", "1",
            "--keep-alive", "5", "--bind", f"127.0.0.1:{port}", "--backlog", "256",
            "--log-level", "warning", "verifier:create_app()"]


def known_issuers(folder: Path, port: int) -> Path:
    """A list of known issuers naming the bench's issuer (``BADGES_VERIFIER_REGISTRY``)."""
    path = folder / "known-issuers.json"
    path.write_text(json.dumps({"name": "bench", "issuers": [
        {"id": f"did:web:127.0.0.1%3A{port}:issuers:lakeside",
         "name": "Lakeside Unified School District"}]}))
    return path


@contextmanager
def verifier_server(port: int, workers: int, instance: Path, worker_class: str,
                    server: str = "granian", rate_limit: int = 10**9,
                    registry: Path | None = None,
                    root: Path = ROOT) -> Iterator[subprocess.Popen[bytes]]:
    # the issuer's documents are on a loopback server here, which development mode reaches
    # only when allow-listed; the rate limiter runs (its cost is measured) but never binds
    # unless --rate-limit says so (0 turns it off)
    env = {**os.environ, "BADGES_VERIFIER_ENV": "development",
           "BADGES_VERIFIER_FETCH_ALLOW_HOSTS": "127.0.0.1",
           "BADGES_VERIFIER_RATE_LIMIT": str(rate_limit),
           "BADGES_VERIFIER_INSTANCE_PATH": str(instance), "PYTHONPATH": str(root)}
    if registry is not None:  # the issuer is known, so its credentials read "verified"
        env["BADGES_VERIFIER_REGISTRY"] = str(registry)
    proc = subprocess.Popen(  # noqa: S603 - our own server
        _server_command(server, port, workers, worker_class, root), env=env, cwd=str(root))
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    sys.exit(f"{server} exited during start-up")
                time.sleep(0.2)
        else:
            sys.exit(f"{server} did not start within 30 s")
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _post(url: str, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def warm_up(url: str, bodies: list[bytes], workers: int) -> None:
    """Every worker compiles the shape and fetches the DID document and the list once."""
    for body in bodies[: max(40, workers * 20)]:
        answer = _post(url, body)
        if not answer.get("verified"):
            failures = [c for c in answer["checks"] if c["outcome"] in ("failed", "indeterminate")]
            sys.exit(f"the benchmark credential did not verify: {failures}")


def _lua(bodies: list[bytes], path: Path) -> None:
    parts = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"',
             "local bodies = {"]
    for body in bodies:
        text = body.decode("utf-8")
        assert "]==]" not in text
        parts.append(f"[==[{text}]==],")
    parts += ["}", "local i = 0", "request = function()", "  i = i % #bodies + 1",
              "  return wrk.format(nil, nil, nil, bodies[i])", "end"]
    path.write_text("\n".join(parts) + "\n", "utf-8")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _workers(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in children]


def run_wrk(url: str, script: Path, seconds: int, connections: int,
            master: int) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed: apt-get install wrk (scripts/setup --dev installs it)")
    workers = _workers(master)
    before = _cpu_seconds(workers)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(  # noqa: S603 - Debian's wrk
        [wrk, "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "--timeout", "5s", "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    worker_cpu = _cpu_seconds(workers) - before
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime
                                                             - wrk_before.ru_stime)
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if "99" not in percentiles:
        sys.exit(f"wrk gave no latency distribution (no request answered?):\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"requests": total, "rps": rps, "p50_ms": _ms(percentiles["50"]),
            "worker_cpu_ms": 1000 * worker_cpu / max(total, 1),
            "wrk_cpu_ms": 1000 * wrk_cpu / max(total, 1),
            "p90_ms": _ms(percentiles["90"]), "p99_ms": _ms(percentiles["99"]),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else None, "raw": out}


def crafted_bodies(template: bytes) -> list[bytes]:
    """Credentials built to be slow, from a signed one (their proofs no longer match)."""
    base = json.loads(template)
    out = []
    for build in (
        lambda d: d["credentialSubject"].update({f"p{i}": "v" for i in range(4900)}),
        lambda d: d["credentialSubject"]["achievement"].update(alignment=[
            {"type": ["Alignment"], "targetName": "s", "targetUrl": "https://e.org"}] * 256),
        lambda d: d.update({"@included": [], "evidence": [
            {"type": ["Evidence"], "name": [f"n{j}-{i}" for i in range(200)]}
            for j in range(20)]}),
        lambda d: d["credentialSubject"]["achievement"].update(criteria=_deep(46)),
        lambda d: d.update(evidence=[{"type": ["Evidence"], "name": "a",
                                      "narrative": {"x": {"y": {"z": "q"}}}}] * 250),
    ):
        doc = json.loads(json.dumps(base))
        build(doc)
        out.append(json.dumps(doc).encode("utf-8"))
    return out


def _deep(levels: int) -> Any:
    node: Any = "x"
    for _ in range(levels):
        node = {"narrative": node}
    return node


def attacked(url: str, script: Path, attack_script: Path, seconds: int, connections: int,
             attackers: int, master: int) -> dict[str, Any]:
    """Normal load measured while ``attackers`` connections post crafted credentials."""
    wrk = shutil.which("wrk")
    assert wrk is not None
    attack = subprocess.Popen(  # noqa: S603 - Debian's wrk
        [wrk, "-t", "1", "-c", str(attackers), "-d", f"{seconds + 2}s", "--latency",
         "--timeout", "10s", "-s", str(attack_script), url],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        time.sleep(1)
        result = run_wrk(url, script, seconds, connections, master)
        out, _ = attack.communicate(timeout=seconds + 60)
    finally:
        if attack.poll() is None:
            attack.kill()
    total = re.search(r"(\d+) requests in", out)
    result["attack_requests"] = int(total.group(1)) if total else 0
    # crafted credentials refused while costly ones have had their share (429)
    refused = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["attack_non_2xx"] = int(refused.group(1)) if refused else 0
    return result


def measure(args: argparse.Namespace, bodies: list[bytes], doc_port: int,
            root: Path) -> dict[str, Any]:
    """Start the verifier from the checkout at ``root`` and measure it (quiet, then attacked)."""
    api_port = _free_port()
    url = f"http://127.0.0.1:{api_port}/api/v1/verify"
    with tempfile.TemporaryDirectory() as tmp, \
            verifier_server(api_port, args.workers, Path(tmp) / "instance",
                            args.worker_class, args.server, args.rate_limit,
                            registry=known_issuers(Path(tmp), doc_port), root=root) as server:
        warm_up(url, bodies, args.workers)
        script = Path(tmp) / "post.lua"
        _lua(bodies, script)
        load = os.getloadavg()[0]
        result = run_wrk(url, script, args.seconds, args.connections, server.pid)
        if args.attack:
            attack_script = Path(tmp) / "attack.lua"
            _lua(crafted_bodies(bodies[0]), attack_script)
            under = attacked(url, script, attack_script, args.seconds, args.connections,
                             args.attack, server.pid)
            result["under_attack"] = {k: v for k, v in under.items() if k != "raw"}
    result["load_before"] = round(load, 2)
    return result


def _environ(body: bytes, port: int) -> dict[str, Any]:
    """A WSGI environ for ``POST /api/v1/verify`` with ``body``, as a server would pass it."""
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/verify", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(port), "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": f"127.0.0.1:{port}",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False}


def cpu_in_process(args: argparse.Namespace, bodies: list[bytes], doc_port: int,
                   ) -> dict[str, Any]:
    """CPU time per verification in this process (``--cpu``): the figure a busy host disturbs least.

    The verifier app is called through WSGI (what gunicorn's worker calls, without
    its HTTP parsing) on every credential once, after a warm-up on other
    credentials, and ``time.process_time`` is read around the loop; then the
    core alone (:meth:`verifier.service.Verifier.verify` on the request body),
    and, with ``--attack``, each crafted credential. ``--profile`` prints
    cProfile's top functions of the WSGI loop.
    """
    from verifier import create_app

    warm, measured = bodies[:40], bodies[40:]
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"env": "development", "fetch_allow_hosts": "127.0.0.1",
                          "rate_limit": args.rate_limit, "instance_path": str(Path(tmp) / "i"),
                          "registry": str(known_issuers(Path(tmp), doc_port))})
        statuses: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return lambda data: None

        def call(body: bytes) -> bytes:
            return b"".join(app.wsgi_app(_environ(body, doc_port), start_response))

        for body in warm:
            answer = json.loads(call(body))
            if not answer.get("verified"):
                sys.exit(f"the benchmark credential did not verify: {answer['checks']}")
        statuses.clear()
        profile = cProfile.Profile() if args.profile else None
        start = time.process_time()
        if profile is not None:
            profile.enable()
        for body in measured:
            call(body)
        if profile is not None:
            profile.disable()
        wsgi = time.process_time() - start
        bad = [s for s in statuses if not s.startswith("200")]
        with app.app_context():
            from verifier.web import _state
            verifier = _state().verifier
        start = time.process_time()
        for body in measured:
            verifier.verify(body)
        core = time.process_time() - start
        result: dict[str, Any] = {
            "credentials": len(measured), "non_200": len(bad),
            "wsgi_cpu_ms": round(1000 * wsgi / len(measured), 3),
            "core_cpu_ms": round(1000 * core / len(measured), 3)}
        if args.attack:
            crafted = []
            for body in crafted_bodies(bodies[0]):
                call(body)  # once before: what a process builds on first use is not counted
                statuses.clear()
                start = time.process_time()
                for _ in range(3):
                    answer = json.loads(call(body))
                spent = (time.process_time() - start) / 3
                crafted.append({"cpu_ms": round(1000 * spent, 2), "status": statuses[-1],
                                "bytes": len(body), "verdict": answer.get("verdict")})
            result["crafted"] = crafted
        if profile is not None:
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats(args.profile)
            stats.print_stats(args.profile_lines)
            result["profile"] = out.getvalue()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--credentials", type=int, default=200)
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"],
                        help="granian (Rust HTTP, WSGI process workers) or gunicorn")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"],
                        help="for gunicorn: gthread (one thread, keep-alive) or sync")
    parser.add_argument("--rate-limit", type=int, default=10**9,
                        help="verifications a minute per client (default: on, never binding; "
                             "0: the limiter off, to measure what it costs)")
    parser.add_argument("--shapes", action="store_true",
                        help="credentials of 120 different JSON-LD shapes")
    parser.add_argument("--attack", type=int, default=0, metavar="N",
                        help="also measure while N connections post crafted slow credentials")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="then measure the same credentials against the verifier of another "
                             "checkout (its own .venv), e.g. a worktree at an older commit")
    parser.add_argument("--cpu", action="store_true",
                        help="no servers: CPU time per verification in this process (WSGI and "
                             "core), and per crafted credential with --attack")
    parser.add_argument("--profile", metavar="SORT", choices=["tottime", "cumulative"],
                        help="with --cpu: print cProfile's top functions, sorted by SORT")
    parser.add_argument("--profile-lines", type=int, default=40, metavar="N",
                        help="with --profile: how many functions to print")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    doc_port = _free_port()
    documents, bodies = issuer_documents(doc_port, args.credentials, args.shapes)
    if args.cpu:
        with document_server(documents, doc_port):
            found = cpu_in_process(args, bodies, doc_port)
        profile = found.pop("profile", None)
        print(json.dumps(found, indent=2))
        if profile:
            print(profile)
        return
    with document_server(documents, doc_port):
        result = measure(args, bodies, doc_port, ROOT)
        baseline = measure(args, bodies, doc_port, args.baseline) if args.baseline else None
    cores = os.cpu_count() or 1
    per_request = result["worker_cpu_ms"] + result["wrk_cpu_ms"]
    result.update(capacity_rps=round(1000 * cores / per_request) if per_request else None)
    result.update(server=args.server, workers=args.workers,
                  worker_class=args.worker_class if args.server == "gunicorn" else None,
                  connections=args.connections, seconds=args.seconds,
                  credentials=len(bodies), cores=os.cpu_count(), shapes=args.shapes,
                  rps_vs_goal=round(result["rps"] / GOAL_RPS, 2),
                  p99_vs_goal=round(result["p99_ms"] / GOAL_P99_MS, 2))
    if baseline is not None:
        result["baseline"] = {k: v for k, v in baseline.items() if k != "raw"}
        result["baseline"]["checkout"] = str(args.baseline)
        result["vs_baseline"] = {
            "rps": round(result["rps"] / baseline["rps"], 2),
            "worker_cpu": round(baseline["worker_cpu_ms"] / result["worker_cpu_ms"], 2)}
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "raw"}, indent=2))
        return
    kind = f"{args.worker_class} " if args.server == "gunicorn" else ""
    print(f"POST /api/v1/verify, {args.server} {args.workers} {kind}worker processes (1 Python "
          f"thread each), wrk 1 thread "
          f"{args.connections} connections, {args.seconds} s, {len(bodies)} distinct "
          f"credentials{', each of its own JSON-LD shape' if args.shapes else ''}, "
          f"{os.cpu_count()} cores (wrk on the same machine)")
    print(f"  requests     {result['requests']:>10,}   non-2xx {result['non_2xx']}"
          + (f"   {result['socket_errors']}" if result["socket_errors"] else ""))
    print(f"  throughput   {result['rps']:>10,.0f} verifications/s   "
          f"(goal {GOAL_RPS:,.0f}: {result['rps_vs_goal']:.2f}x)")
    print(f"  latency p50  {result['p50_ms']:>10.2f} ms")
    print(f"  latency p90  {result['p90_ms']:>10.2f} ms")
    print(f"  latency p99  {result['p99_ms']:>10.2f} ms   (goal < {GOAL_P99_MS:.0f} ms: "
          f"{result['p99_vs_goal']:.2f}x of the limit)")
    print(f"  CPU per verification: {result['worker_cpu_ms']:.2f} ms in the workers + "
          f"{result['wrk_cpu_ms']:.2f} ms in wrk; all {cores} cores would serve about "
          f"{result['capacity_rps']:,}/s")
    print(f"  load average before the run: {result['load_before']} (other processes on the "
          "machine lower the measured throughput, not the CPU per verification)")
    if args.attack:
        under = result["under_attack"]
        print(f"  under attack ({args.attack} more connections posting crafted slow credentials, "
              f"{under['attack_requests']:,} of them answered, {under['attack_non_2xx']:,} "
              "with 429 while costly ones had had their share):")
        print(f"    throughput {under['rps']:>10,.0f} verifications/s; "
              f"p50 {under['p50_ms']:.2f} ms, p99 {under['p99_ms']:.2f} ms "
              f"({under['p99_ms'] / result['p99_ms']:.2f}x the quiet p99); "
              f"non-2xx {under['non_2xx']}")

    if baseline is not None:
        print(f"  baseline {args.baseline}, the same credentials just after "
              f"(load average {baseline['load_before']}):")
        print(f"    throughput {baseline['rps']:>10,.0f} verifications/s; "
              f"p50 {baseline['p50_ms']:.2f} ms, p99 {baseline['p99_ms']:.2f} ms; "
              f"CPU {baseline['worker_cpu_ms']:.2f} ms per verification in the workers")
        if args.attack:
            b_under = baseline["under_attack"]
            print(f"    under attack: {b_under['rps']:,.0f}/s, p99 {b_under['p99_ms']:.2f} ms")
        ratio = result["vs_baseline"]
        print(f"  this checkout vs the baseline: {ratio['rps']:.2f}x the throughput, "
              f"{ratio['worker_cpu']:.2f}x less worker CPU per verification")


if __name__ == "__main__":
    main()
