#!/usr/bin/env python3
"""List functions in crates/*/src longer than a limit, and whether a comment says why.

Usage: scripts/long-functions.py [LIMIT] (default 100). A function counts from its `fn`
line to its closing brace; a function is explained when a comment in the block of
comments and attributes right above its `fn` line says "long" (why it must be). Exits 1
when some long function is not explained. Tests (`tests.rs`) are left out.
"""
import os, re, sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 100
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def blank_out(src):
    """The source with comments, strings and char literals replaced by spaces (newlines kept)."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j])); i = j
        elif re.match(r'r#*"', src[i:i+10]) and (i == 0 or not (src[i-1].isalnum() or src[i-1] == "_")):
            m = re.match(r'r(#*)"', src[i:])
            end = '"' + m.group(1)
            j = src.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", src[i:j])); i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", src[i:j])); i = j
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", src[i:])
            if m:
                out.append(" " * len(m.group(0))); i += len(m.group(0))
            else:
                out.append(c); i += 1  # a lifetime
        else:
            out.append(c); i += 1
    return "".join(out)

def functions(path):
    src = open(path, encoding="utf-8").read()
    lines = src.split("\n")
    code = blank_out(src)
    for m in re.finditer(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)", code):
        start = code.find("{", m.end())
        semi = code.find(";", m.end())
        if start < 0 or (0 <= semi < start):
            continue
        depth, j = 0, start
        while j < len(code):
            if code[j] == "{": depth += 1
            elif code[j] == "}":
                depth -= 1
                if depth == 0: break
            j += 1
        first = code.count("\n", 0, m.start())
        last = code.count("\n", 0, j)
        yield m.group(1), first + 1, last - first + 1, lines

def explained(lines, first):
    k = first - 2
    above = []
    while k >= 0 and lines[k].strip().startswith(("///", "//", "#[")):
        above.append(lines[k]); k -= 1
    return any("long" in l.lower() and l.strip().startswith("//") for l in above)

rows = []
for crate in sorted(os.listdir(os.path.join(ROOT, "crates"))):
    base = os.path.join(ROOT, "crates", crate, "src")
    for d, _, files in os.walk(base):
        for f in files:
            if f.endswith(".rs") and f != "tests.rs":
                p = os.path.join(d, f)
                for name, line, length, lines in functions(p):
                    if length > LIMIT:
                        rows.append((length, os.path.relpath(p, ROOT), line, name, explained(lines, line)))
for length, p, line, name, ok in sorted(rows, reverse=True):
    print(f"{length:4} {p}:{line} {name}{'' if ok else '  (no comment says why)'}")
sys.exit(1 if any(not r[4] for r in rows) else 0)
