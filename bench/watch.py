#!/usr/bin/env python3
"""Watch mode and config files, measured (run by bench/run.sh inside its namespace):
    watch.py --dynup BIN --server URL [--ca PEM] --token-file FILE --log FILE
             --iface IFACE --work DIR [--idle SECONDS] [--events N] [--runs N]
Writes a Markdown section to stdout:
  - `dynup --watch` idle for --idle seconds (60): CPU ticks (utime + stime from
    /proc/PID/stat) and wakeups (voluntary + involuntary context switches from
    /proc/PID/status) over that time, and its memory (VmRSS, VmHWM) while idle;
  - the time from an address change (the `ip addr` command returning) to the
    request in the mock's log, --events times (10): median and worst;
  - `dynup --config` with 10 jobs that have nothing to do against one such job,
    --runs times each (30): median and worst wall time.
Every measurement is checked: the watcher must send exactly one request per
address change and none while idle; the no-op runs must send nothing.
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import time


class BenchError(Exception):
    pass


def requests(log):
    with open(log, "rb") as f:
        return sum(1 for line in f if line.startswith(b"REQ "))


def wait_requests(log, n, limit):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if requests(log) >= n:
            return time.monotonic()
        time.sleep(0.001)
    raise BenchError("the mock saw %d requests, expected %d within %ss" % (requests(log), n, limit))


def proc_numbers(pid):
    stat = open("/proc/%d/stat" % pid).read()
    # Fields after the command's closing parenthesis: utime is the 14th, stime the 15th.
    fields = stat[stat.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])
    status = {}
    for line in open("/proc/%d/status" % pid):
        key, _, value = line.partition(":")
        status[key] = value.strip()
    switches = int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
    return ticks, switches, status["VmRSS"], status["VmHWM"]


def job(name, args, host, ipv6_source):
    cacert = "\toption cacert '%s'\n" % args.ca if args.ca else ""
    return (
        "config job '%s'\n\toption enabled '1'\n\toption provider 'dynv6'\n"
        "\toption server '%s'\n%s"
        "\toption token_file '%s'\n\tlist hostname '%s'\n\toption ipv4 'none'\n"
        "\toption ipv6 '%s'\n\n" % (name, args.server, cacert, args.token_file, host, ipv6_source)
    )


def write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def ip(*argv):
    subprocess.run(["ip"] + list(argv), check=True)


def watch_rows(args):
    conf = os.path.join(args.work, "watch.conf")
    cache = os.path.join(args.work, "watch-state")
    write(conf, job("watch", args, "watch.example.test", "if:" + args.iface))
    before = requests(args.log)
    proc = subprocess.Popen([args.dynup, "--watch", "-q", "--cache-dir", cache, "--config", conf],
                            stdin=subprocess.DEVNULL)
    try:
        wait_requests(args.log, before + 1, 10)
        time.sleep(1)
        ticks0, switches0, _, _ = proc_numbers(proc.pid)
        time.sleep(args.idle)
        ticks1, switches1, rss, hwm = proc_numbers(proc.pid)
        if requests(args.log) != before + 1:
            raise BenchError("the watcher sent while idle")
        hz = os.sysconf("SC_CLK_TCK")
        delays = []
        # Each change replaces the published address (the interface's own first).
        current = args.address
        for i in range(args.events):
            address = "2001:db8:0:%x::7/64" % (i + 1)
            sent = requests(args.log)
            ip("-6", "addr", "add", address, "dev", args.iface, "nodad")
            ip("-6", "addr", "del", current, "dev", args.iface)
            changed = time.monotonic()
            arrived = wait_requests(args.log, sent + 1, 5)
            delays.append(arrived - changed)
            current = address
            time.sleep(1.5)
            if requests(args.log) != sent + 1:
                raise BenchError("one address change sent %d requests" % (requests(args.log) - sent))
        ip("-6", "addr", "add", args.address, "dev", args.iface, "nodad")
        ip("-6", "addr", "del", current, "dev", args.iface)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(10)
    if code != 0:
        raise BenchError("dynup --watch exited %d after SIGTERM" % code)
    ms = [d * 1000 for d in delays]
    return [
        "| watch idle %d s: CPU ticks (at %d Hz) | %d |" % (args.idle, hz, ticks1 - ticks0),
        "| watch idle %d s: wakeups (context switches) | %d |" % (args.idle, switches1 - switches0),
        "| watch idle: memory (VmRSS; peak VmHWM) | %s; %s |" % (rss, hwm),
        "| address change to request, %d changes: median; worst | %.0f ms; %.0f ms |"
        % (len(ms), statistics.median(ms), max(ms)),
    ]


def noop_time(argv, log, runs):
    before = requests(log)
    times = []
    for _ in range(runs + 2):
        start = time.perf_counter()
        done = subprocess.run(argv, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise BenchError("%s exited %d" % (" ".join(argv), done.returncode))
    if requests(log) != before:
        raise BenchError("a no-op run sent a request")
    times = [t * 1000 for t in times[2:]]  # two warmup runs
    return statistics.median(times), max(times)


def config_rows(args):
    ten = "".join(job("job%d" % i, args, "noop%d.example.test" % i, "2001:db8::%x" % (i + 1))
                  for i in range(10))
    one = job("job0", args, "noop0.example.test", "2001:db8::1")
    rows = []
    results = {}
    for label, text in (("1 job", one), ("10 jobs", ten)):
        conf = os.path.join(args.work, "noop-%s.conf" % label.replace(" ", ""))
        cache = os.path.join(args.work, "noop-%s-state" % label.replace(" ", ""))
        write(conf, text)
        argv = [args.dynup, "-q", "--cache-dir", cache, "--config", conf]
        # Prime: each job's address recorded, so the timed runs have nothing to do.
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)
        results[label] = noop_time(argv, args.log, args.runs)
        rows.append("| `--config`, %s with nothing to do, %d runs: median; worst | %.2f ms; %.2f ms |"
                    % (label, args.runs, results[label][0], results[label][1]))
    rows.append("| 10 jobs / 1 job (medians) | %.2f |" % (results["10 jobs"][0] / results["1 job"][0]))
    return rows


def main():
    parser = argparse.ArgumentParser()
    for name in ("--dynup", "--server", "--token-file", "--log", "--iface", "--work"):
        parser.add_argument(name, required=True)
    parser.add_argument("--ca", help="the CA an https --server needs")
    parser.add_argument("--address", default="2001:db8::7/64", help="IFACE's IPv6 address, put back at the end")
    parser.add_argument("--idle", type=int, default=60)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rows = watch_rows(args) + config_rows(args)
    print("## Watch mode and config files\n")
    print("Measured by bench/watch.py (`%s`): one watcher on %s; the no-op runs against the"
          % (args.dynup, args.iface))
    print("same mock. Wakeups count every context switch of the process over the idle time.\n")
    print("| | |\n|---|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print("bench/watch.py: " + str(e), file=sys.stderr)
        sys.exit(1)
