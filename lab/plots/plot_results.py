"""Plots of docs/RESULTS.md from the measured files (needs matplotlib: apt-get install python3-matplotlib).

/usr/bin/python3 lab/plots/plot_results.py --pooled POOLED.json --probe-r3 25.0 --runs RUN_DIR ... --out docs/img/results
    [--sweep SWEEP.json --sweep-title TEXT]

POOLED.json is `npm run eval:pool -- ... --json`; each RUN_DIR is a training run (log.json).
Writes heldout-recall.png (catalog R@1 / R@3 / R@10 per arm with 95 % intervals, chance and the
probe's rule row) and training-curves.png (training loss per epoch of each run). SWEEP.json is an
eval:pool --json of reports made with `eval --reference-beta ...`: beta-sweep.png draws each model
family's mean rank (95 % interval) and largest top-1 share against beta.
"""
import argparse
import json
import os
import re
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def recall_plot(pooled: dict, probe_r3: float, out: str) -> None:
    arms = pooled["arms"]
    ks = ["R@1", "R@3", "R@10"]
    # About an inch per arm, so that the longer labels of swept arms do not run into each other.
    fig, ax = plt.subplots(figsize=(max(9.0, 1.05 * len(arms)), 4.2))
    width = 0.8 / len(ks)
    for j, k in enumerate(ks):
        xs = [i + (j - 1) * width for i in range(len(arms))]
        vals = [a["recall"][k]["value"] for a in arms]
        errs = [[a["recall"][k]["value"] - a["recall"][k]["low"] for a in arms],
                [a["recall"][k]["high"] - a["recall"][k]["value"] for a in arms]]
        ax.bar(xs, vals, width, yerr=errs, capsize=3, label=f"catalog {k}")
        ax.axhline(pooled["chance"][k], ls=":", lw=1, color=f"C{j}")
    ax.axhline(probe_r3, ls="--", color="black", lw=1, label=f"probe 'rule' R@3 ({probe_r3:.1f})")
    ax.set_xticks(range(len(arms)))
    # Without the version's date, so that neighbouring labels do not run into each other.
    # Long versions wrapped at their dashes, so that neighbouring labels do not overlap either.
    ax.set_xticklabels([f"{textwrap.fill(re.sub(r'^[0-9.]+-', '', a['arm']), 22)}"
                        f"\n({a['seeds']} seed{'s' if a['seeds'] > 1 else ''})"
                        for a in arms],
                       fontsize=7)
    ax.set_ylabel("% of held-out videos")
    ax.set_title(f"Held-out package, {arms[0]['videos']} videos: recall with 95 % bootstrap intervals "
                 "(dotted: chance)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "heldout-recall.png"), dpi=110)


def curves_plot(runs: list, out: str) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for run in runs:
        with open(os.path.join(run, "log.json")) as fh:
            log = json.load(fh)
        epochs = [e["epoch"] for e in log["epochs"]]
        ax.plot(epochs, [e["loss"] for e in log["epochs"]], marker="o", ms=3, label=os.path.basename(run))
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (L1 + 0.1 L2, mean)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "training-curves.png"), dpi=110)


def sweep_plot(pooled: dict, title: str, out: str) -> None:
    """Arms named `<family>-b<beta>` (eval --reference-beta), one line per family."""
    families: dict = {}
    for arm in pooled["arms"]:
        match = re.fullmatch(r"(.*)-b([0-9.]+)", arm["arm"])
        if match:
            families.setdefault(match.group(1), []).append((float(match.group(2)), arm))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (family, points) in enumerate(sorted(families.items())):
        points.sort(key=lambda p: p[0])
        betas = [b for b, _ in points]
        ranks = [a["meanRank"] for _, a in points]
        left.errorbar(betas, [r["value"] for r in ranks],
                      yerr=[[r["value"] - r["low"] for r in ranks], [r["high"] - r["value"] for r in ranks]],
                      marker="o", ms=3, capsize=3, color=f"C{i}", label=family)
        right.plot(betas, [sum(a["maxTop1Share"]) / len(a["maxTop1Share"]) for _, a in points], marker="o", ms=3,
                   color=f"C{i}", label=family)
    left.set_xlabel("beta (0: centred on the mean)")
    left.set_ylabel("mean rank of the video's own track")
    right.set_xlabel("beta")
    right.set_ylabel("largest top-1 share (mean over seeds)")
    right.axhline(3, ls="--", color="black", lw=1, label="3x fair share")
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "beta-sweep.png"), dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pooled", help="eval:pool --json of the held-out reports")
    p.add_argument("--probe-r3", type=float, help="the probe's rule R@3 (with --pooled)")
    p.add_argument("--runs", nargs="*", default=[])
    p.add_argument("--out", required=True)
    p.add_argument("--sweep", help="eval:pool --json of an --reference-beta sweep")
    p.add_argument("--sweep-title", default="hubness reduction's sharpness")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.pooled:
        if args.probe_r3 is None:
            p.error("--pooled needs --probe-r3")
        with open(args.pooled) as fh:
            recall_plot(json.load(fh), args.probe_r3, args.out)
    if args.runs:
        curves_plot(args.runs, args.out)
    if args.sweep:
        with open(args.sweep) as fh:
            sweep_plot(json.load(fh), args.sweep_title, args.out)


if __name__ == "__main__":
    main()
