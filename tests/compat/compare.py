#!/usr/bin/env python3
"""Compares stack's `config --format json` with compose's model, key by key (docs/compatibility.md).

Usage: compare.py SUITE_DIR ACTUAL_DIR CASE...
SUITE_DIR/CASE/expected.json is the model compose-go would print (@CASE_DIR@ stands for the
case's absolute directory); ACTUAL_DIR/CASE.json is what stack printed (absent when it failed).
Differences are allowed only by an entry of SUITE_DIR/allow.json (every case) or
SUITE_DIR/CASE/allow.json: {"path": PATTERN, "reason": TEXT[, "expected": V][, "actual": V]},
where PATTERN is a JSON path with `*` for one key, `[*]` for any index and `**` for anything,
matching the path or a prefix of it, and "expected"/"actual" (optional) pin the two values
("<absent>" for a missing key). A reason starting with "BUG:" marks a known stack bug.
"""
import json
import re
import sys
from pathlib import Path

ABSENT = "<absent>"


def render(path):
    out = ""
    for seg in path:
        if isinstance(seg, int):
            out += f"[{seg}]"
        elif re.fullmatch(r"[A-Za-z0-9_\-]+", seg):
            out += ("." if out else "") + seg
        else:
            out += f"[{json.dumps(seg)}]"
    return out


def show(value):
    return ABSENT if value is ABSENT else json.dumps(value, sort_keys=True)


def leaves(value):
    if isinstance(value, dict) and value:
        return sum(leaves(v) for v in value.values())
    if isinstance(value, list) and value:
        return sum(leaves(v) for v in value)
    return 1


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def compare(expected, actual, path, out):
    """Appends (path, expected, actual, fields, equal) per compared leaf or differing subtree."""
    if isinstance(expected, dict) and isinstance(actual, dict) and (expected or actual):
        for key in sorted(set(expected) | set(actual)):
            compare(expected.get(key, ABSENT), actual.get(key, ABSENT), path + [key], out)
    elif isinstance(expected, list) and isinstance(actual, list) and (expected or actual):
        for i in range(max(len(expected), len(actual))):
            compare(expected[i] if i < len(expected) else ABSENT,
                    actual[i] if i < len(actual) else ABSENT, path + [i], out)
    elif expected is ABSENT or actual is ABSENT:
        out.append((path, expected, actual, leaves(actual if expected is ABSENT else expected), False))
    else:
        out.append((path, expected, actual, 1, same(expected, actual)))


def pattern_regex(pattern):
    rx = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            rx, i = rx + ".*", i + 2
        elif pattern.startswith("[*]", i):
            rx, i = rx + r"\[\d+\]", i + 3
        elif pattern[i] == "*":
            rx, i = rx + r"[^.\[]+", i + 1
        else:
            rx, i = rx + re.escape(pattern[i]), i + 1
    return re.compile(rx + r"(?:$|(?=[.\[]).*)")


def allowed_by(entry, path, expected, actual):
    if not entry["rx"].fullmatch(render(path)):
        return False
    for key, value in (("expected", expected), ("actual", actual)):
        if key in entry:
            want = entry[key]
            if (want == ABSENT) != (value is ABSENT):
                return False
            if value is not ABSENT and not same(want, value):
                return False
    return True


def load_allow(file, origin):
    if not file.exists():
        return []
    entries = json.loads(file.read_text())
    for e in entries:
        if not e.get("path") or not e.get("reason"):
            raise SystemExit(f"compat: {file}: every entry needs a path and a reason")
        e["rx"], e["origin"], e["used"] = pattern_regex(e["path"]), origin, 0
    return entries


def main():
    suite, actual_dir, cases = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    common = load_allow(suite / "allow.json", "allow.json")
    failures = equal_cases = fields = equal_fields = allowed = bugs = 0
    stale = []
    for case in cases:
        case_dir = suite / case
        if not (case_dir / "expected.json").is_file():
            failures += 1
            print(f"compat: MISSING {case}: {case_dir / 'expected.json'}: the case is not compared")
            continue
        expected = json.loads((case_dir / "expected.json").read_text().replace("@CASE_DIR@", str(case_dir)))
        own = load_allow(case_dir / "allow.json", f"{case}/allow.json")
        result = actual_dir / f"{case}.json"
        actual = json.loads(result.read_text()) if result.exists() else ABSENT
        diffs = []
        compare(expected, actual, [], diffs)
        case_equal = True
        for path, exp, act, count, equal in diffs:
            fields += count
            if equal:
                equal_fields += count
                continue
            case_equal = False
            entry = next((e for e in own + common if allowed_by(e, path, exp, act)), None)
            where = render(path) or "(document)"
            if entry is None:
                failures += 1
                print(f"compat: MISMATCH {case}: {where}: expected {show(exp)}, actual {show(act)}")
                continue
            entry["used"] += 1
            allowed += 1
            kind = "known bug" if entry["reason"].startswith("BUG:") else "allowed"
            bugs += kind == "known bug"
            why = entry["reason"] if kind == "known bug" or entry["origin"] != "allow.json" else entry["path"]
            print(f"compat: {kind} {case}: {where}: expected {show(exp)}, actual {show(act)} ({entry['origin']}: {why})")
        equal_cases += case_equal
        stale += [e for e in own if not e["used"]]
    stale += [e for e in common if not e["used"]]
    for e in stale:
        failures += 1
        print(f"compat: STALE {e['origin']}: '{e['path']}' allows nothing any more: remove it")
    print(f"compat: {equal_cases} of {len(cases)} cases, {equal_fields} of {fields} compared fields equal "
          f"({allowed} differences allow-listed, {bugs} of them known bugs; {failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
