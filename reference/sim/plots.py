"""Figures (matplotlib, Agg backend, PNG)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from reference.sim.simulation import PROTOCOLS  # noqa: E402

COLOURS = dict(zip(PROTOCOLS, ("#d62728", "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd")))
MARKERS = "osD^v"


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def price_vs_time(results, out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4.6))
    settings = sorted({r.setting for r in results.comparison})
    for row in results.comparison:
        marker = MARKERS[settings.index(row.setting) % len(MARKERS)]
        ax.errorbar([row.mean_time], [row.price_ratio], xerr=[[0], [row.p99_time - row.mean_time]], fmt=marker,
                    color=COLOURS[row.protocol], capsize=3, label=f"{row.protocol} ({row.setting})")
    ax.set_xlabel("time to proof, s (marker: mean; bar to p99)")
    ax.set_ylabel("price paid / max_price (mean)")
    ax.set_title("Price vs time-to-proof per protocol")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    return _save(fig, out / "price_vs_time.png")


def utilisation(results, out: Path) -> Path:
    rows = [r for r in results.comparison if r.setting == max(x.setting for x in results.comparison)]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    names = [r.protocol for r in rows]
    useful = [r.useful_utilisation for r in rows]
    wasted = [r.utilisation - r.useful_utilisation for r in rows]
    left.bar(names, useful, color=[COLOURS[n] for n in names], label="useful (paid proofs)")
    left.bar(names, wasted, bottom=useful, color="none", edgecolor="black", hatch="//", label="wasted (lost races, crashes)")
    left.set_ylabel("share of online capacity (speed-weighted)")
    left.set_title(f"Prover utilisation ({rows[0].setting})")
    left.legend(fontsize=8)
    right.bar(names, [r.top_share for r in rows], color=[COLOURS[n] for n in names])
    right.set_ylabel("share of proofs won by the top prover")
    right.set_title("Centralisation")
    for ax in (left, right):
        ax.tick_params(axis="x", rotation=25, labelsize=8)
        ax.grid(axis="y", alpha=0.3)
    return _save(fig, out / "utilisation.png")


def censorship(results, out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4.4))
    for protocol in PROTOCOLS:
        rows = [r for r in results.censorship if r.protocol == protocol]
        if rows:
            ax.plot([r.runs[0].coalition * 100 for r in rows], [r.censored * 100 for r in rows], marker="o",
                    color=COLOURS[protocol], label=protocol)
    ax.set_xlabel("coalition size, % of provers")
    ax.set_ylabel("target's asks not proven by deadline, %")
    ax.set_title("Censorship of one requester by a colluding coalition")
    ax.set_ylim(-3, 103)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, out / "censorship.png")


def auto_cancel(results, out: Path) -> Path:
    rows = list(results.auto_cancel)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    metrics = (("useful utilisation", "useful_utilisation"), ("asks missed", "missed"))
    width = 0.35
    for i, row in enumerate(rows):
        xs = [j + i * width for j in range(len(metrics))]
        ax.bar(xs, [getattr(row, attr) for _, attr in metrics], width, label=row.setting)
    ax.set_xticks([j + width / 2 for j in range(len(metrics))], [m for m, _ in metrics])
    ax.set_title("Two orderbook markets, load 0.8, demand alternating between them")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, out / "auto_cancel.png")


def all_figures(results, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [price_vs_time(results, out), utilisation(results, out), censorship(results, out), auto_cancel(results, out)]
