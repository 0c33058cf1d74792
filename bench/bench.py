#!/usr/bin/env python3
"""Measures dynup and its peers against bench/mock.py; run by bench/run.sh inside the
bench's network namespace. Writes the raw figures as JSON for bench/report.py.

Every measurement checks what it measures: the exit code of every run and the number
of requests the mock received (a no-op or held run must send none). Anything
unexpected stops the bench with one line saying what; there are no empty cells.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys

HOST = "host.example.test"
HELD = "held.example.test"  # the mock answers fatally for held*.*
IPV4 = "198.51.100.7"
IPV6 = "2001:db8::7"
IFACE = "bench0"
TOKEN = "bench-token"


class BenchError(Exception):
    pass


def run_checked(argv, env, expect_exit=0, what=None):
    """Runs a priming or preparing command, output discarded, exit code checked
    (expect_exit None: any code)."""
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if expect_exit is not None and done.returncode != expect_exit:
        raise BenchError(
            "%s: exit %d, expected %d: %s"
            % (what or shlex.join(argv), done.returncode, expect_exit, done.stderr.decode(errors="replace").strip()[:300])
        )


class Mock:
    def __init__(self, log):
        self.log = log

    def count(self):
        with open(self.log, "rb") as f:
            return sum(1 for line in f if line.startswith(b"REQ "))


# The name of the informative no-op row: starting a static process and no more.
FLOOR = "static process start ²"


class Case:
    """One tool in one scenario: the command, how to reset or prime it, what it must do."""

    def __init__(self, tool, scenario, argv, env, prepare=None, prime=None, requests=0, exit_code=0, prime_exit=0):
        self.tool = tool
        self.scenario = scenario
        self.argv = argv
        self.env = env
        self.prepare = prepare  # argv run before every timed run (not timed)
        self.prime = prime  # argv run once before the measurement
        self.requests = requests  # requests the mock must receive per run
        self.exit_code = exit_code
        self.prime_exit = prime_exit

    def do_prepare(self):
        if self.prepare:
            run_checked(self.prepare, self.env)


def check_requests(case, mock, before, runs, stage):
    got = mock.count() - before
    want = case.requests * runs
    if got != want:
        raise BenchError(
            "%s / %s (%s): the mock received %d requests in %d runs, expected %d"
            % (case.tool, case.scenario, stage, got, runs, want)
        )
    return got


def hyperfine(case, mock, runs, warmup, out_json):
    argv = ["hyperfine", "-N", "--style", "none", "--output", "null", "-w", str(warmup), "-r", str(runs)]
    argv += ["--export-json", out_json, "-n", case.tool]
    if case.prepare:
        argv += ["-p", shlex.join(case.prepare)]
    if case.exit_code != 0:
        argv += ["-i"]  # the held run exits non-zero on purpose; each code is checked below
    argv.append(shlex.join(case.argv))
    before = mock.count()
    done = subprocess.run(argv, env=case.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise BenchError("hyperfine %s / %s failed: %s" % (case.tool, case.scenario, done.stderr.decode().strip()[:500]))
    check_requests(case, mock, before, runs + warmup, "hyperfine")
    with open(out_json) as f:
        result = json.load(f)["results"][0]
    codes = set(result["exit_codes"])
    if codes != {case.exit_code}:
        raise BenchError("%s / %s: exit codes %s under hyperfine, expected %d" % (case.tool, case.scenario, sorted(codes), case.exit_code))
    times = sorted(t * 1000 for t in result["times"])
    q = statistics.quantiles(times, n=4, method="inclusive")
    return {
        "wall_median_ms": statistics.median(times),
        "wall_min_ms": times[0],
        "wall_max_ms": times[-1],
        "wall_q1_ms": q[0],
        "wall_q3_ms": q[2],
        "hyperfine_runs": len(times),
    }


def spawn(argv, env):
    return os.posix_spawnp(
        argv[0],
        argv,
        env,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ],
    )


def check_exit(case, code, stage):
    if code != case.exit_code:
        raise BenchError("%s / %s (%s): exit %d, expected %d" % (case.tool, case.scenario, stage, code, case.exit_code))


def cpu(case, mock, runs):
    """User+sys CPU of the tool and every process it waited for, per run, from
    wait4() at microsecond resolution (GNU time prints it in 10 ms steps)."""
    times = []
    before = mock.count()
    for _ in range(runs):
        case.do_prepare()
        _, status, usage = os.wait4(spawn(case.argv, case.env), 0)
        check_exit(case, os.waitstatus_to_exitcode(status), "cpu")
        times.append((usage.ru_utime + usage.ru_stime) * 1000)
    check_requests(case, mock, before, runs, "cpu")
    return {"cpu_median_ms": statistics.median(times), "cpu_min_ms": min(times), "cpu_max_ms": max(times)}


def rss(case, mock, runs, out):
    """Peak RSS per run from GNU time (%M, KiB). Not from a Python parent: the peak
    before exec counts too, and a posix_spawn/vfork child shares Python's 10 MB; GNU
    time forks from a small C process (floor well under 0.7 MB, see README)."""
    peaks = []
    before = mock.count()
    for _ in range(runs):
        case.do_prepare()
        _, status, _ = os.wait4(spawn(["/usr/bin/time", "-q", "-f", "%x %M", "-o", out] + case.argv, case.env), 0)
        code, peak = open(out).read().split()[-2:]
        check_exit(case, int(code), "rss")
        peaks.append(int(peak))
    check_requests(case, mock, before, runs, "rss")
    return {"rss_median_kib": statistics.median(peaks), "rss_max_kib": max(peaks)}


THREAD_RE = re.compile(r"^\d+ +clone3?\(.*CLONE_THREAD")
EXEC_OK_RE = re.compile(r"(execve\(.*|<\.\.\. execve resumed>.*)\) += 0$")
CONNECT_IP_RE = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?,")


def strace_counts(case, mock, out):
    """Processes, programs executed and IP connects of one run, counted under strace
    (untimed: strace slows every system call)."""
    case.do_prepare()
    before = mock.count()
    argv = ["strace", "-f", "-q", "-e", "signal=none", "-e", "trace=execve,clone,clone3,fork,vfork,connect", "-o", out]
    done = subprocess.run(argv + case.argv, env=case.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if done.returncode != case.exit_code:
        raise BenchError("%s / %s under strace: exit %d, expected %d" % (case.tool, case.scenario, done.returncode, case.exit_code))
    check_requests(case, mock, before, 1, "strace")
    with open(out) as f:
        lines = f.read().splitlines()
    tasks = {line.split()[0] for line in lines if line.strip()}
    threads = sum(1 for line in lines if THREAD_RE.search(line))
    execs = sum(1 for line in lines if EXEC_OK_RE.search(line))
    connects = sum(1 for line in lines if CONNECT_IP_RE.search(line))
    return {"processes": len(tasks) - 1 - threads, "threads": threads, "execs": execs, "connects": connects}


def measure(case, mock, args, work):
    if case.prime:
        run_checked(case.prime, case.env, case.prime_exit, "priming %s / %s" % (case.tool, case.scenario))
    # One checked run first: a misconfigured tool fails here, with its own message.
    case.do_prepare()
    before = mock.count()
    run_checked(case.argv, case.env, case.exit_code, "%s / %s" % (case.tool, case.scenario))
    check_requests(case, mock, before, 1, "first run")
    tag = re.sub(r"[^a-z0-9]+", "-", (case.tool + "-" + case.scenario).lower())
    row = {"tool": case.tool, "scenario": case.scenario, "command": shlex.join(case.argv),
           "requests_per_run": case.requests, "exit_code": case.exit_code}
    row.update(hyperfine(case, mock, args.runs, args.warmup, os.path.join(work, tag + ".json")))
    row.update(cpu(case, mock, args.runs))
    row.update(rss(case, mock, args.runs, os.path.join(work, tag + ".time")))
    row.update(strace_counts(case, mock, os.path.join(work, tag + ".strace")))
    print("bench: %-16s %-8s wall %6.1f ms  cpu %6.1f ms  rss %6d KiB  procs %d  connects %d"
          % (case.tool, case.scenario, row["wall_median_ms"], row["cpu_median_ms"], row["rss_median_kib"],
             row["processes"], row["connects"]), flush=True)
    return row


def after_fatal(tool, env, prime, argv, prime_exit, mock):
    """What a peer does on the run after a fatal answer: the requests it sends again."""
    run_checked(prime, env, prime_exit, "priming %s after a fatal answer" % tool)
    before = mock.count()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"tool": tool, "exit_code": done.returncode, "requests": mock.count() - before}


# Files a router would have to carry for a tool: what its runs execute or open.
CARRIED_DIRS = ("/usr/", "/lib", "/bin/", "/sbin/")
# The call's start is enough: under -f a call can be split into "<unfinished ...>" and
# "<... resumed>" lines; paths that do not exist (failed lookups) are dropped later.
OPEN_RE = re.compile(r'(?:openat|open|execve)\((?:AT_FDCWD, )?"([^"]+)"')


def ldd_libs(path):
    done = subprocess.run(["ldd", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    libs = set()
    for line in done.stdout.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            libs.add(os.path.realpath(m.group(1)))
    return libs


def interpreter(path):
    """The program a #! script runs under (the kernel opens it, strace does not show it)."""
    with open(path, "rb") as f:
        first = f.readline()
    if first.startswith(b"#!"):
        return os.path.realpath(first[2:].split()[0].decode())
    return None


def closure(path):
    """A program, its #! interpreter and their shared libraries."""
    path = os.path.realpath(path)
    files = {path} | ldd_libs(path)
    interp = interpreter(path)
    if interp:
        files |= closure(interp)
    return files


def size_of(paths):
    return sum(os.path.getsize(p) for p in paths)


def carried(tool, main, cases, work):
    """The main program with its interpreter and ldd libraries; and every file under
    /usr /lib /bin /sbin that an update run and a no-op run of the tool executed or
    opened (Perl modules, the programs a script runs, dlopen'ed libraries), with the
    same closure for each program executed."""
    main = os.path.realpath(main)
    static = closure(main)
    opened = set(static)
    executed = {main}
    for i, case in enumerate(cases):
        case.do_prepare()
        out = os.path.join(work, "files-%s-%d.strace" % (re.sub(r"[^a-z0-9]+", "-", tool.lower()), i))
        argv = ["strace", "-f", "-q", "-e", "signal=none", "-e", "trace=open,openat,execve", "-o", out]
        subprocess.run(argv + case.argv, env=case.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            for line in f:
                m = OPEN_RE.search(line)
                if not m or not os.path.isfile(m.group(1)):
                    continue
                path = os.path.realpath(m.group(1))
                if "execve(" in line:
                    executed.add(path)
                    opened |= closure(path)
                elif path.startswith(CARRIED_DIRS):
                    opened.add(path)
    perl_modules = sorted(p for p in opened if p.endswith(".pm") or ("/perl" in p and p.endswith(".so")))
    programs = set()
    for path in executed:
        programs.add(path)
        interp = interpreter(path)
        if interp:
            programs.add(interp)
    return {
        "tool": tool,
        "main": main,
        "main_bytes": os.path.getsize(main),
        "static_files": len(static),
        "static_bytes": size_of(static),
        "run_files": len(opened),
        "run_bytes": size_of(opened),
        "perl_modules": len(perl_modules),
        "perl_module_bytes": size_of(perl_modules),
        "run_programs": sorted(programs),
    }


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--ports", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--dynup", required=True)
    parser.add_argument("--dynup-static", required=True)
    parser.add_argument("--dynv6-sh", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sched", required=True, help="how the bench was scheduled, for the report")
    args = parser.parse_args()

    for tool in ("/usr/bin/time", "hyperfine", "strace", "curl", "inadyn", "ddclient", "ip", "ldd"):
        if shutil.which(tool) is None:
            raise BenchError("%s is missing: run bench/deps.sh" % tool)
    ports = dict(line.split() for line in open(args.ports).read().splitlines())
    https = "https://127.0.0.1:%s" % ports["https"]
    work = args.work
    mock = Mock(args.log)
    base_env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "HOME": work}

    def d(name):
        path = os.path.join(work, name)
        os.makedirs(path, exist_ok=True)
        return path

    token_file = os.path.join(work, "token")
    write(token_file, TOKEN + "\n", 0o600)
    cases = []

    # The floor: one HTTPS GET with curl, answer discarded.
    curl = ["curl", "-sS", "-o", "/dev/null", "--cacert", args.ca,
            "%s/nic/update?hostname=%s&myip=%s" % (https, HOST, IPV4)]
    cases.append(Case("curl (1 GET)", "update", curl, base_env, requests=1))

    # dynup: both families from the interface, one request to the dynv6 API.
    for tool, binary in (("dynup", args.dynup), ("dynup static", args.dynup_static)):
        def dynup(state, host):
            return [os.path.realpath(binary), "-p", "dynv6", "--server", https, "--cacert", args.ca, "--token-file", token_file,
                    "-i", IFACE, "--cache-dir", state, host]
        s = d(tool.replace(" ", "-") + "-update")
        cases.append(Case(tool, "update", dynup(s, HOST), base_env, prepare=["rm", "-rf", s], requests=1))
        s = d(tool.replace(" ", "-") + "-noop")
        cases.append(Case(tool, "no-op", dynup(s, HOST), base_env, prime=dynup(s, HOST)))
        s = d(tool.replace(" ", "-") + "-held")
        cases.append(Case(tool, "held", dynup(s, HELD), base_env, prime=dynup(s, HELD), prime_exit=10, exit_code=10))

    # dynv6.sh: IPv6 from the interface, then ipv4=auto: two requests.
    def dynv6_env(home, extra=None):
        env = dict(base_env, HOME=home, token=TOKEN, CURL_CA_BUNDLE=args.ca, DYNV6_URL=https, DYNV6_IPV4_URL=https)
        env.update(extra or {})
        return env
    dynv6 = [args.dynv6_sh, HOST, IFACE]
    h = d("dynv6sh-update")
    cases.append(Case("dynv6.sh", "update", dynv6, dynv6_env(h), prepare=["rm", "-f", h + "/.dynv6.addr6"], requests=2))
    h = d("dynv6sh-noop")
    cases.append(Case("dynv6.sh", "no-op", dynv6, dynv6_env(h), prime=dynv6))

    # inadyn: one process, a dyndns2 block per family (a host name each: two blocks with
    # one name share one cache file and the IPv6 update would be re-sent every run).
    def inadyn_conf(name, host):
        blocks = []
        for family, addr in (("4", IPV4), ("6", IPV6)):
            blocks.append(
                'custom bench%s {\n  ssl = true\n  username = user\n  password = pass\n'
                '  checkip-command = "echo %s"\n  ddns-server = "127.0.0.1:%s"\n'
                '  ddns-path = "/nic/update?hostname=%%h&myip=%%i"\n  hostname = "%s"\n}\n'
                % (family, addr, ports["https"], host.replace(".example", family + ".example")))
        path = os.path.join(work, name)
        write(path, "verify-address = false\nallow-ipv6 = true\nca-trust-file = %s\n%s" % (args.ca, "".join(blocks)))
        return path

    def inadyn(conf, cache):
        return ["inadyn", "-1", "-n", "--no-pidfile", "-f", conf, "--cache-dir", cache]
    conf = inadyn_conf("inadyn.conf", HOST)
    c = d("inadyn-update")
    cache_files = [os.path.join(c, HOST.replace(".example", f + ".example") + ".cache") for f in "46"]
    cases.append(Case("inadyn", "update", inadyn(conf, c), base_env, prepare=["rm", "-f"] + cache_files, requests=2))
    c = d("inadyn-noop")
    cases.append(Case("inadyn", "no-op", inadyn(conf, c), base_env, prime=inadyn(conf, c)))

    # ddclient: one process, the two families as two hosts (3.10's dyndns2 sends one
    # address per host), addresses given literally.
    def ddclient_conf(name, host):
        path = os.path.join(work, name)
        write(path,
              "ssl=yes\nssl_ca_file=%s\nprotocol=dyndns2\nserver=127.0.0.1:%s\nlogin=user\npassword=pass\n"
              "use=ip, ip=%s %s\nuse=ip, ip=%s %s\n"
              % (args.ca, ports["https"], IPV4, host.replace(".example", "4.example"),
                 IPV6, host.replace(".example", "6.example")), 0o600)
        return path

    def ddclient(conf, cache):
        return ["ddclient", "-daemon=0", "-foreground", "-file", conf, "-cache", cache]
    conf = ddclient_conf("ddclient.conf", HOST)
    f = os.path.join(d("ddclient-update"), "cache")
    cases.append(Case("ddclient", "update", ddclient(conf, f), base_env, prepare=["rm", "-f", f], requests=2))
    f = os.path.join(d("ddclient-noop"), "cache")
    cases.append(Case("ddclient", "no-op", ddclient(conf, f), base_env, prime=ddclient(conf, f)))

    def by(tool, scenario):
        return next(c for c in cases if c.tool == tool and c.scenario == scenario)

    load_start = open("/proc/loadavg").read().split()[:3]
    rows = [measure(case, mock, args, work) for case in cases]

    # For information, outside the ratios and goals: inadyn's update once more with
    # the loopback route ACKing at once. Its TLS library sends the handshake's last two
    # records in two writes without TCP_NODELAY, and the second waits for the mock's
    # delayed ACK (about 40 ms per request); this row shows what that costs it.
    route = ["ip", "route", "change", "local", "127.0.0.1", "dev", "lo", "proto", "kernel", "scope", "host",
             "src", "127.0.0.1", "table", "local"]
    quick = by("inadyn", "update")
    run_checked(route + ["quickack", "1"], base_env)
    try:
        row = measure(Case("inadyn, quick-ACK route", "update", quick.argv, quick.env, prepare=quick.prepare,
                           requests=quick.requests), mock, args, work)
    finally:
        run_checked(route, base_env)
    row["informative"] = True
    rows.append(row)

    # For information, outside the ratios: the floor under every no-op, a static
    # process that starts, prints one line and exits (no files, no network).
    row = measure(Case(FLOOR, "no-op", [os.path.realpath(args.dynup_static), "--version"], base_env),
                  mock, args, work)
    row["informative"] = True
    rows.append(row)

    # The peers after a fatal answer (not timed): do they contact the provider again?
    fatal = []
    h = d("dynv6sh-fatal")
    fatal.append(after_fatal("dynv6.sh", dynv6_env(h), [args.dynv6_sh, HELD, IFACE], [args.dynv6_sh, HELD, IFACE], 22, mock))
    conf = inadyn_conf("inadyn-fatal.conf", HELD)
    c = d("inadyn-fatal")
    fatal.append(after_fatal("inadyn", base_env, inadyn(conf, c), inadyn(conf, c), 48, mock))
    conf = ddclient_conf("ddclient-fatal.conf", HELD)
    f = os.path.join(d("ddclient-fatal"), "cache")
    fatal.append(after_fatal("ddclient", base_env, ddclient(conf, f), ddclient(conf, f), 1, mock))

    sizes = [
        carried("dynup static", args.dynup_static, [by("dynup static", "update"), by("dynup static", "no-op")], work),
        carried("dynup", args.dynup, [by("dynup", "update"), by("dynup", "no-op")], work),
        carried("curl (1 GET)", shutil.which("curl"), [by("curl (1 GET)", "update")], work),
        carried("dynv6.sh", args.dynv6_sh, [by("dynv6.sh", "update"), by("dynv6.sh", "no-op")], work),
        carried("inadyn", shutil.which("inadyn"), [by("inadyn", "update"), by("inadyn", "no-op")], work),
        carried("ddclient", shutil.which("ddclient"), [by("ddclient", "update"), by("ddclient", "no-op")], work),
    ]

    with open(args.out, "w") as out:
        json.dump({"sched": args.sched, "load_start": load_start, "runs": args.runs, "warmup": args.warmup, "rows": rows, "after_fatal": fatal, "sizes": sizes}, out, indent=1)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print("bench: " + str(e), file=sys.stderr)
        sys.exit(1)
