#!/usr/bin/env python3
"""Writes bench/RESULTS.md from the raw figures of bench/bench.py and the size table
of cross/size.sh. Every cell comes from the figures; a missing figure is an error."""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

SCENARIOS = [
    ("update", "(a) update: both families must be sent"),
    ("no-op", "(b) no-op: the address is unchanged, the tool's own cache or state says so"),
    ("held", "(c) held: the run after a fatal answer (dynup only)"),
]
DYNUPS = ["dynup", "dynup static"]
PEERS = ["curl (1 GET)", "dynv6.sh", "inadyn", "ddclient"]
FLOOR = "static process start ²"
INFORMATIVE = ["inadyn, quick-ACK route", FLOOR]
RSS_GOAL_KIB = 3_000_000 / 1024  # 3 MB


def sh(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True).stdout.strip()


def deb_version(pkg):
    return sh(["dpkg-query", "-W", "-f=${Version}", pkg])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    raise SystemExit("report.py: no model name in /proc/cpuinfo")


def ms(v):
    # Sub-millisecond runs need the second digit to be told apart.
    return "%.2f" % v if v < 1 else "%.1f" % v


def kb(kib):
    return "{:,}".format(round(kib * 1024 / 1000))


def num(v):
    return "{:,}".format(v)


def ratio(a, b):
    r = a / b
    return "%.2f" % r if r >= 0.1 else "%.2g" % r  # two significant digits below 0.1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    parser.add_argument("--size", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--dynup", default="target/release/dynup")
    args = parser.parse_args()

    raw = json.load(open(args.raw))
    rows = {(r["tool"], r["scenario"]): r for r in raw["rows"]}

    def row(tool, scenario):
        if (tool, scenario) not in rows:
            raise SystemExit("report.py: no figures for %s / %s" % (tool, scenario))
        return rows[(tool, scenario)]

    size_table = open(args.size).read().strip()
    size_lines = [line for line in size_table.splitlines() if line.startswith("| ") and "OpenWRT arch" not in line]
    built = [line.split("|")[1].strip() for line in size_lines if "not built" not in line]
    missing = [line.split("|")[1].strip() for line in size_lines if "not built" in line]
    if not built:
        raise SystemExit("report.py: the size table has no built target")

    out = []
    w = out.append
    now = datetime.datetime.now(datetime.timezone.utc)
    w("# Benchmark results\n")
    w("Written by `make bench` (bench/run.sh); how to read them: [README.md](README.md).\n")
    w("## Machine and tools\n")
    w("| | |")
    w("|---|---|")
    w("| date | %s |" % now.strftime("%Y-%m-%d %H:%M UTC"))
    w("| nproc | %s |" % os.cpu_count())
    w("| CPU | %s |" % cpu_model())
    w("| kernel | %s %s |" % (platform.system(), platform.release()))
    load_end = open("/proc/loadavg").read().split()[:3]
    w("| load average (1, 5, 15 min) at the start, at the end | %s; %s |" % (" ".join(raw["load_start"]), " ".join(load_end)))
    w("| scheduling | %s |" % raw["sched"])
    w("| runs | per tool and scenario: hyperfine %d timed after %d warmup; CPU %d more; "
      "RSS %d more; 1 under strace |" % (raw["runs"], raw["warmup"], raw["runs"], raw["runs"]))
    w("| dynup | %s: `target/release/dynup` (host, glibc) and `dist/x86_64/dynup` (static, musl) |"
      % sh([args.dynup, "--version"]))
    for pkg in ("inadyn", "ddclient", "curl", "libcurl4", "libgnutls30", "libio-socket-ssl-perl", "perl-base",
                "dash", "iproute2", "hyperfine", "strace", "time", "openssl"):
        w("| %s (Debian) | %s |" % (pkg, deb_version(pkg)))
    w("| python (mock and driver) | %s |" % platform.python_version())
    w("")

    busy = max(float(raw["load_start"][0]), float(load_end[0]))
    if busy > 0.5 * os.cpu_count():
        if raw["sched"].startswith("SCHED_FIFO"):
            w("**The machine was busy** (1-minute load average up to %.1f on %d CPUs). The bench "
              "ran under real-time scheduling, so other work did not delay its runs, but it "
              "still shared caches and memory bandwidth with it; a quiet machine gives the "
              "cleaner figures.\n" % (busy, os.cpu_count()))
        else:
            w("**The machine was busy** (1-minute load average up to %.1f on %d CPUs): other "
              "work competed for the CPUs, so wall times are noisy, and runs well under a "
              "millisecond can take a whole scheduler time slice (about 4 ms here) when they "
              "wait for a CPU. CPU, RSS and the counts are little affected. Rerun on a quiet "
              "machine for wall-time figures.\n" % (busy, os.cpu_count()))
    w("## Figures\n")
    w("Wall: hyperfine, median and the spread of the timed runs (min–max, interquartile "
      "range). CPU: user+sys of the tool and every process it ran, median. RSS: peak "
      "resident set of the largest process, median. Processes: forked by the tool "
      "(threads not counted), programs executed (the tool itself included) and connect() "
      "calls to an IP address, in one run under strace. Requests: what the mock received "
      "per run, checked on every run.\n")
    for scenario, title in SCENARIOS:
        w("### %s\n" % title)
        w("| tool | wall median ms | wall min–max | wall IQR | CPU median ms | peak RSS median kB "
          "| processes | execs | connects | requests/run | exit |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for tool in DYNUPS + PEERS + INFORMATIVE:
            r = rows.get((tool, scenario))
            if r is None:
                continue
            w("| %s%s | %s | %s–%s | %s–%s | %s | %s | %d | %d | %d | %d | %d |" % (
                tool, " ¹" if r.get("informative") and tool != FLOOR else "", ms(r["wall_median_ms"]), ms(r["wall_min_ms"]), ms(r["wall_max_ms"]),
                ms(r["wall_q1_ms"]), ms(r["wall_q3_ms"]), ms(r["cpu_median_ms"]), kb(r["rss_median_kib"]),
                r["processes"], r["execs"], r["connects"], r["requests_per_run"], r["exit_code"]))
        w("")
        if scenario == "update":
            w("¹ For information only, not in the ratios or goals: inadyn's update again with the "
              "namespace's loopback route set to `quickack 1`. inadyn (GnuTLS) sends the TLS "
              "handshake's last two records in two writes without TCP_NODELAY; the second waits "
              "for the server's delayed ACK, about 40 ms per request on Linux. The main inadyn row "
              "keeps that wait, as a real server would impose it too (partly hidden there by the "
              "round trip); its CPU column is its own work either way.\n")
        if scenario == "no-op" and rows.get((FLOOR, "no-op")):
            w("² For information only, not in the ratios: `dist/x86_64/dynup --version`, a static "
              "process that starts, prints a line and exits. No no-op can cost less than this; "
              "dynv6.sh's no-op divided by it is the most any no-op could gain on dynv6.sh here.\n")

    w("## Ratios dynup / peer, pair by pair, from this run\n")
    w("Below 1 means dynup took less. Medians divided. inadyn's wall time includes the "
      "delayed-ACK wait of footnote ¹ and its CPU its two check-IP shells; ddclient and "
      "inadyn send a request per family, dynup one for both.\n")
    w("| scenario | dynup build | peer | wall | CPU | peak RSS |")
    w("|---|---|---|---:|---:|---:|")
    for scenario in ("update", "no-op"):
        for build in DYNUPS:
            d = row(build, scenario)
            for peer in PEERS:
                p = rows.get((peer, scenario))
                if p is None:
                    continue
                w("| %s | %s | %s | %s | %s | %s |" % (
                    scenario, build, peer, ratio(d["wall_median_ms"], p["wall_median_ms"]),
                    ratio(d["cpu_median_ms"], p["cpu_median_ms"]), ratio(d["rss_median_kib"], p["rss_median_kib"])))
    for build in DYNUPS:
        h, n = row(build, "held"), row(build, "no-op")
        w("| held / no-op | %s | %s no-op | %s | %s | %s |" % (
            build, build, ratio(h["wall_median_ms"], n["wall_median_ms"]),
            ratio(h["cpu_median_ms"], n["cpu_median_ms"]), ratio(h["rss_median_kib"], n["rss_median_kib"])))
    w("")

    w("## The run after a fatal answer (peers, not timed)\n")
    w("The mock answers fatally for `held.example.test` (dynv6 API: HTTP 401; dyndns2: "
      "`badauth`). After one such run, the next run of each peer:\n")
    w("| tool | requests sent again | exit |")
    w("|---|---:|---:|")
    for f in raw["after_fatal"]:
        w("| %s | %d | %d |" % (f["tool"], f["requests"], f["exit_code"]))
    for build in DYNUPS:
        h = row(build, "held")
        w("| %s | %d | %d |" % (build, h["requests_per_run"], h["exit_code"]))
    w("")

    w("## What a router carries\n")
    w("dynup, from `make size` (cross/size.sh) over what `dist/` held: built %s%s.\n"
      % (", ".join(built), "; not built: " + ", ".join(missing) if missing else ""))
    w(size_table + "\n")
    w("Each tool on this machine (x86_64, Debian's packages; a router's builds differ). "
      "*Program + ldd*: the main file, its `#!` interpreter if it is a script, and the "
      "distinct shared libraries ldd lists for them (real files, sizes in bytes). *A "
      "run's files*: that, plus every regular file under /usr, /lib, /bin, /sbin that an "
      "update run and a no-op run executed or opened (strace), each program executed "
      "with its own interpreter and ldd libraries: for ddclient that is perl, its "
      "libraries and the Perl modules (and their XS libraries) it loads; for dynv6.sh "
      "the shell and the programs it runs (ip, grep, sed, head, cat, curl). Data files "
      "opened from /etc (configuration, the CA bundle) are not counted.\n")
    w("| tool | main file bytes | program + ldd: files | program + ldd: bytes | a run's files | a run's bytes | of which Perl modules |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for s in raw["sizes"]:
        w("| %s | %s | %d | %s | %d | %s | %s |" % (
            s["tool"], num(s["main_bytes"]), s["static_files"], num(s["static_bytes"]),
            s["run_files"], num(s["run_bytes"]),
            "%d files, %s bytes" % (s["perl_modules"], num(s["perl_module_bytes"])) if s["perl_modules"] else "none"))
    w("")
    for s in raw["sizes"]:
        progs = [os.path.relpath(p) if p.startswith(os.getcwd() + "/") else p for p in s["run_programs"]]
        w("- %s executes: %s" % (s["tool"], ", ".join("`%s`" % p for p in progs)))
    w("")

    w("## Goals (issue 9)\n")
    w("| goal | dynup build | figure | met |")
    w("|---|---|---|---|")
    for build in DYNUPS:
        noop, dsh_noop = row(build, "no-op"), row("dynv6.sh", "no-op")
        factor = dsh_noop["wall_median_ms"] / noop["wall_median_ms"]
        net = noop["connects"] + noop["requests_per_run"]
        floor = rows.get((FLOOR, "no-op"))
        bound = ("; a static process start ² takes %.2f ms, so at most %.1fx is possible here"
                 % (floor["wall_median_ms"], dsh_noop["wall_median_ms"] / floor["wall_median_ms"])) if floor else ""
        w("| no-op at least 20x faster than dynv6.sh's, no network I/O | %s | %.2f ms vs %.1f ms: %.1fx%s; "
          "%d connects, %d requests | %s |" % (
              build, noop["wall_median_ms"], dsh_noop["wall_median_ms"], factor, bound, noop["connects"],
              noop["requests_per_run"], met(factor >= 20 and net == 0, "gap: %.1fx short of 20x" % (20 / factor) if factor < 20 else "network I/O")))
        up, curl, dsh = row(build, "update"), row("curl (1 GET)", "update"), row("dynv6.sh", "update")
        w("| update no slower than one curl GET | %s | %.1f ms vs %.1f ms | %s |" % (
            build, up["wall_median_ms"], curl["wall_median_ms"],
            met(up["wall_median_ms"] <= curl["wall_median_ms"], "gap: %.1f ms" % (up["wall_median_ms"] - curl["wall_median_ms"]))))
        w("| update at most half of dynv6.sh's wall | %s | %.1f ms vs %.1f ms: %.2f | %s |" % (
            build, up["wall_median_ms"], dsh["wall_median_ms"], up["wall_median_ms"] / dsh["wall_median_ms"],
            met(up["wall_median_ms"] <= dsh["wall_median_ms"] / 2,
                "gap: %.1f ms" % (up["wall_median_ms"] - dsh["wall_median_ms"] / 2))))
        ina = row("inadyn", "update")
        w("| CPU per update at most inadyn's | %s | %.1f ms vs %.1f ms | %s |" % (
            build, up["cpu_median_ms"], ina["cpu_median_ms"],
            met(up["cpu_median_ms"] <= ina["cpu_median_ms"], "gap: %.1f ms" % (up["cpu_median_ms"] - ina["cpu_median_ms"]))))
        worst = max(row(build, s)["rss_median_kib"] for s, _ in SCENARIOS)
        w("| peak RSS at most 3 MB (every scenario) | %s | %s kB | %s |" % (
            build, kb(worst), met(worst <= RSS_GOAL_KIB, "gap: %s kB" % kb(worst - RSS_GOAL_KIB))))
        held = row(build, "held")
        w("| held run as cheap as the no-op (within 25 %%), no network I/O | %s | %.1f ms vs %.1f ms; %d connects, %d requests | %s |" % (
            build, held["wall_median_ms"], noop["wall_median_ms"], held["connects"], held["requests_per_run"],
            met(held["wall_median_ms"] <= noop["wall_median_ms"] * 1.25 and held["connects"] == 0,
                "gap: %.1f ms" % (held["wall_median_ms"] - noop["wall_median_ms"]))))
    w("")
    with open(args.out, "w") as f:
        f.write("\n".join(out))


def met(ok, gap):
    return "met" if ok else "not met (%s)" % gap


if __name__ == "__main__":
    sys.exit(main())
