"""Draws the fan-out runs of a summary (lines "LABEL fanout instances=N ... p99_ms=X ...") as an SVG
chart of p99 delivery by connected instances, one line per setup, with no library:
python3 bench/plot_fanout.py summary.txt fanout.svg"""
import math
import re
import sys

runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) fanout instances=(\d+) .*p50_ms=([\d.]+) p99_ms=([\d.]+)", line)
    if m:
        runs.setdefault(m.group(1), []).append((int(m.group(2)), float(m.group(4))))
W, H, L, B, T, R = 640, 360, 70, 50, 30, 20
xs = sorted({n for points in runs.values() for n, _ in points})
top = max(p for points in runs.values() for _, p in points) * 1.2 or 1
x0, x1 = math.log10(xs[0]), math.log10(xs[-1]) if len(xs) > 1 else math.log10(xs[0]) + 1


def px(n):
    return L + (math.log10(n) - x0) / (x1 - x0) * (W - L - R)


def py(y):
    return H - B - y / top * (H - B - T)


out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="#fff"/>',
       f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="14">p99 delivery of a change to every connected instance</text>',
       f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#333"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#333"/>']
for n in xs:
    out.append(f'<text x="{px(n)}" y="{H - B + 18}" text-anchor="middle">{n:,}</text>')
out.append(f'<text x="{W / 2}" y="{H - 10}" text-anchor="middle">connected instances</text>')
for i in range(5):
    y = top * i / 4
    out.append(f'<text x="{L - 8}" y="{py(y) + 4}" text-anchor="end">{y:.0f}</text>')
    out.append(f'<line x1="{L}" y1="{py(y)}" x2="{W - R}" y2="{py(y)}" stroke="#ddd"/>')
out.append(f'<text x="16" y="{H / 2}" transform="rotate(-90 16 {H / 2})" text-anchor="middle">milliseconds</text>')
colors = ["#1e3a8a", "#b45309", "#166534"]
for i, (label, points) in enumerate(sorted(runs.items())):
    color = colors[i % len(colors)]
    points.sort()
    out.append(f'<polyline points="{" ".join(f"{px(n):.1f},{py(p):.1f}" for n, p in points)}" fill="none" '
               f'stroke="{color}" stroke-width="2"/>')
    for n, p in points:
        out.append(f'<circle cx="{px(n):.1f}" cy="{py(p):.1f}" r="3" fill="{color}"/>')
    out.append(f'<text x="{L + 10}" y="{T + 14 + 16 * i}" fill="{color}">{label}</text>')
out.append('</svg>')
open(sys.argv[2], "w").write("\n".join(out))
