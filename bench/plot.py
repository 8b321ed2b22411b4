"""Draws growth.csv (consents, rows, p50_ms, p99_ms, requests_per_s) as an SVG line chart, with no
library: python3 bench/plot.py growth.csv growth.svg"""
import csv
import math
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
xs = [math.log10(int(r["consents"])) for r in rows]
series = {"p50": [float(r["p50_ms"]) for r in rows], "p99": [float(r["p99_ms"]) for r in rows]}
W, H, L, B, T, R = 640, 360, 70, 50, 30, 20
top = max(max(v) for v in series.values()) * 1.2 or 1
x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1


def px(x):
    return L + (x - x0) / (x1 - x0) * (W - L - R)


def py(y):
    return H - B - y / top * (H - B - T)


out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="#fff"/>',
       f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="14">Decision latency (one client, cache off) by stored consents</text>',
       f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#333"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#333"/>']
for r, x in zip(rows, xs):
    out.append(f'<text x="{px(x)}" y="{H - B + 18}" text-anchor="middle">{int(r["consents"]):,}</text>')
for i in range(5):
    y = top * i / 4
    out.append(f'<text x="{L - 8}" y="{py(y) + 4}" text-anchor="end">{y:.2f}</text>')
    out.append(f'<line x1="{L}" y1="{py(y)}" x2="{W - R}" y2="{py(y)}" stroke="#ddd"/>')
out.append(f'<text x="16" y="{H / 2}" transform="rotate(-90 16 {H / 2})" text-anchor="middle">milliseconds</text>')
for name, color in (("p50", "#1e3a8a"), ("p99", "#b45309")):
    points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, series[name]))
    out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
    for x, y in zip(xs, series[name]):
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
out.append(f'<text x="{W - R - 90}" y="{T + 14}" fill="#1e3a8a">p50</text><text x="{W - R - 50}" y="{T + 14}" fill="#b45309">p99</text>')
out.append("</svg>")
open(sys.argv[2], "w").write("\n".join(out))
