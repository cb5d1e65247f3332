"""Plots of docs/BENCHMARKS.md from what the bench programs print (needs python3-matplotlib).

/usr/bin/python3 lab/plots/plot_benchmarks.py --search SEARCH.log --http LABEL=HTTP.log ... --out DIR

SEARCH.log is the stdout of `npm run bench:search`: for each catalog size, search-latency.png
draws p50 against recall@10 per method (one point per ef_search), without and with the license
filter. Each HTTP.log is the stdout of `npm run bench:http`; http-throughput.png draws requests/s
and p99 against concurrent connections, per log, for the API (suggestBgm and mixed) and for the
bare service call beside it.
"""
import argparse
import os
import re
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIZE_HEADING = re.compile(r"^#+ (\d+) tracks")


def table_rows(line: str) -> list:
    """The cells of a markdown table row, or [] for anything else (headers and rules included)."""
    if not line.startswith("|") or set(line.replace("|", "").strip()) <= set("-: "):
        return []
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_search(path: str) -> dict:
    """{tracks: {(method, filter): [(ef, p50, recall)]}} from bench:search's tables."""
    out, size = {}, None
    with open(path) as fh:
        for line in fh:
            heading = SIZE_HEADING.match(line)
            if heading:
                size = int(heading.group(1))
                out[size] = defaultdict(list)
                continue
            cells = table_rows(line)
            if size is None or len(cells) < 6 or cells[0] == "method":
                continue
            method, ef, licence, p50, _p99, recall = cells[:6]
            out[size][(method, licence)].append((None if ef == "-" else float(ef), float(p50), float(recall)))
    return out


def search_plot(results: dict, out: str) -> None:
    sizes = sorted(results)
    fig, axes = plt.subplots(len(sizes), 2, figsize=(11, 4.2 * len(sizes)), squeeze=False)
    for row, size in enumerate(sizes):
        for col, licence in enumerate(["none", "10% licensed"]):
            ax = axes[row][col]
            for (method, lic), points in sorted(results[size].items()):
                if lic != licence:
                    continue
                points = sorted(points, key=lambda p: p[2])
                xs, ys = [p[2] for p in points], [p[1] for p in points]
                ax.plot(xs, ys, marker="o" if len(points) > 1 else "s", label=method)
                for ef, p50, recall in points:
                    if ef is not None:
                        ax.annotate(f"{ef:.0f}", (recall, p50), fontsize=6, xytext=(2, 2), textcoords="offset points")
            ax.set_yscale("log")
            ax.set_xlabel("recall@10")
            ax.set_ylabel("p50 ms (log)")
            ax.set_title(f"{size:,} tracks, license filter: {licence}")
            ax.grid(True, which="both", lw=0.3)
            ax.legend(fontsize=7)
    fig.suptitle("bench:search: latency against recall (labels: ef_search)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "search-latency.png"), dpi=110)
    plt.close(fig)


def read_http(path: str) -> dict:
    """{series: [(connections, req/s, p99)]} from bench:http's rows."""
    series = defaultdict(list)
    with open(path) as fh:
        for line in fh:
            cells = table_rows(line)
            if len(cells) < 7 or not cells[2].isdigit():
                continue
            api, workload, connections = cells[0], cells[1], int(cells[2])
            series[f"{api}: {workload} over HTTP"].append((connections, float(cells[3]), float(cells[5])))
            # Since the response cache, a "cache hits" column comes before the service call's.
            svc = 8 if len(cells) >= 14 else 7
            if len(cells) >= svc + 3 and cells[svc]:
                series[f"{api}: service call"].append((connections, float(cells[svc]), float(cells[svc + 2])))
    return series


def http_plot(logs: list, out: str) -> None:
    fig, (rps, p99) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, path in logs:
        for name, points in sorted(read_http(path).items()):
            points = sorted(points)
            xs = [p[0] for p in points]
            rps.plot(xs, [p[1] for p in points], marker="o", label=f"{label}, {name}")
            p99.plot(xs, [p[2] for p in points], marker="o", label=f"{label}, {name}")
    rps.axhline(1000, ls="--", color="black", lw=1, label="target: 1,000 requests/s at 64")
    p99.axhline(100, ls="--", color="black", lw=1, label="target: p99 100 ms at 64")
    for ax, ylabel in ((rps, "requests/s (log)"), (p99, "p99 ms (log)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("concurrent connections")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", lw=0.3)
        ax.legend(fontsize=6)
    p99.set_yscale("log")
    # The in-process service call with the cache answers ~10x the HTTP rows: log, so both read.
    rps.set_yscale("log")
    fig.suptitle("bench:http: throughput and p99 against concurrency")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "http-throughput.png"), dpi=110)
    plt.close(fig)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--search", help="stdout of npm run bench:search")
    p.add_argument("--http", nargs="*", default=[], help="LABEL=FILE, stdout of npm run bench:http")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.search:
        search_plot(read_search(a.search), a.out)
    if a.http:
        http_plot([tuple(item.split("=", 1)) for item in a.http], a.out)


if __name__ == "__main__":
    main()
