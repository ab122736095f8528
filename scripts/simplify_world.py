"""Make `world.json` (the dashboard's map) from the `@svg-maps/world` npm package.

    npm pack @svg-maps/world@2.0.0 && tar xzf svg-maps-world-2.0.0.tgz
    node -e 'process.stdout.write(require("fs").readFileSync("package/index.js", "utf8")
      .replace("export default ", ""))' > world-source.json
    python scripts/simplify_world.py world-source.json static/geo/world.json

The source (CC BY 4.0, Victor Cazanave, https://github.com/VictorCazanave/svg-maps) is
1.2 MB of paths with three decimals; a map drawn some 1,000 pixels wide needs a tenth
of that. Each outline is simplified with Ramer-Douglas-Peucker at TOLERANCE map units
(one unit is about a pixel at full width), rounded to one decimal, and islands smaller
than a unit are dropped unless they are all a country has. The paths use only relative
moves and lines (`m`, implicit `l`, `z`), which is what this parser reads.
"""

import itertools
import json
import math
import re
import sys

TOLERANCE = 0.6
NUMBER = re.compile(r"[mz]|-?[\d.]+(?:e-?\d+)?", re.IGNORECASE)


def outlines(path: str) -> list[list[tuple[float, float]]]:
    """The closed outlines of an SVG path made of relative `m` and `z` commands."""
    rings, ring = [], []
    x = y = start_x = start_y = 0.0
    tokens = NUMBER.findall(path)
    i, moving = 0, False
    while i < len(tokens):
        token = tokens[i]
        if token in "mM":
            moving = True
            i += 1
            continue
        if token in "zZ":
            if ring:
                rings.append(ring)
            ring = []
            x, y = start_x, start_y
            i += 1
            continue
        dx, dy = float(tokens[i]), float(tokens[i + 1])
        i += 2
        x, y = x + dx, y + dy
        if moving:
            if ring:
                rings.append(ring)
            ring = []
            start_x, start_y = x, y
            moving = False
        ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def _distance_to_segment(point, start, end) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Ramer-Douglas-Peucker, iterative (some outlines have thousands of points)."""
    if len(points) < 3:
        return points
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, None
        for k in range(first + 1, last):
            distance = _distance_to_segment(points[k], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, k
        if index is not None and farthest > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [points[k] for k in sorted(keep)]


def _size(ring) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def to_path(rings) -> str:
    """Relative moves and lines between points rounded to one decimal (the deltas are
    taken between rounded points, so rounding does not drift along an outline)."""
    parts, x, y = [], 0, 0  # tenths of a unit
    for ring in rings:
        points = [(round(px * 10), round(py * 10)) for px, py in ring]
        deduplicated = [points[0]] + [p for a, p in itertools.pairwise(points) if p != a]
        steps = []
        for px, py in deduplicated:
            steps.append(f"{(px - x) / 10:g} {(py - y) / 10:g}")
            x, y = px, py
        parts.append("m" + " ".join(steps) + "z")
        x, y = deduplicated[0]  # z returns to the start of the outline
    return "".join(parts)


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as handle:
        world = json.load(handle)
    countries = {}
    for location in world["locations"]:
        code = location["id"].upper()
        if len(code) != 2:  # the US minor outlying islands come as "um-dq", ...
            code = code[:2]
        rings = [simplify(ring + [ring[0]], TOLERANCE)[:-1] for ring in outlines(location["path"])]
        kept = [ring for ring in rings if len(ring) >= 3 and _size(ring) >= 1.0]
        if not kept:  # a small island state: keep its largest outline, however small
            kept = [max(rings, key=lambda ring: (_size(ring), len(ring)))]
        path = to_path(kept)
        countries[code] = countries.get(code, "") + path
    document = {
        "source": "@svg-maps/world 2.0.0 (npm), CC BY 4.0, Victor Cazanave; simplified",
        "viewBox": world["viewBox"],
        "countries": countries,
    }
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(document, handle, separators=(",", ":"), sort_keys=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
