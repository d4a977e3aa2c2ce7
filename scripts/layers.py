#!/usr/bin/env python3
"""Checks that Loupe's source files import each other in one direction.

Reads every `.rs` file of `server/src` and `app/src`, finds the Loupe paths each
one names (`use crate::…`, `crate::…::` in code, `super::…`, a child module
`foo::` of a `mod.rs`), follows a `mod.rs`'s `pub use` re-exports to the file
that defines the item, and then fails on

  * an import circle between files (printed as the files of each circle), and
  * an import that breaks the layer table below (`domain` may import nothing of
    the server, `store` only `domain`, …).

Usage: scripts/layers.py [--graph]   (--graph prints every edge)
Exit status 0 when the house is one-way, 1 otherwise.
"""
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))

# The server's top-level modules by layer: a module may import its own layer's
# modules only where noted below, and any lower layer. `app::` (the UI crate,
# whose `model` is the vocabulary both crates share) is below all of them.
SERVER_LAYERS = [
    # 0: the vocabulary: span types, ids, step kinds, costs, attribute names, time
    {"domain"},
    # 1: what every layer may use: the error type (with the id parsers) and TLS set-up
    {"error", "tls"},
    # 2: storage
    {"store"},
    # 3: the parts that work on stored data
    {"site", "self_trace", "metrics", "pricing", "auth", "share", "telemetry", "ingest",
     "otlp", "alerts", "retention", "export", "brief", "import", "synth", "fuzzing"},
    # 4: the faces: state, read facade, pages' data source, HTTP edge, gRPC, command line
    {"state", "query", "pages", "http", "grpc", "cli", "startup", "demo", "mcp"},
]
# Within a layer, a module may import those left of it (never right of it).
ORDER = {
    3: ["site", "self_trace", "metrics", "pricing", "auth", "share", "telemetry", "ingest",
        "otlp", "alerts", "retention", "export", "brief", "import", "synth", "fuzzing"],
    4: ["state", "query", "pages", "http", "grpc", "cli", "startup", "demo", "mcp"],
}


def rank(top):
    for i, layer in enumerate(SERVER_LAYERS):
        if top in layer:
            return (i, ORDER[i].index(top) if i in ORDER else 0)
    return None


def modules(crate_dir):
    """Maps module path tuples to files, e.g. ('store', 'write') -> path."""
    src = os.path.join(ROOT, crate_dir, "src")
    mods = {}
    for dirpath, _, files in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        if parts and parts[0] == "bin":
            continue
        for f in files:
            if not f.endswith(".rs"):
                continue
            if f in ("lib.rs", "main.rs") and not parts:
                if f == "lib.rs":
                    mods[()] = os.path.join(dirpath, f)
                continue
            if f == "mod.rs":
                mods[parts] = os.path.join(dirpath, f)
            else:
                mods[parts + (f[:-3],)] = os.path.join(dirpath, f)
    return mods


COMMENT = re.compile(r"//[^\n]*")
PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE = re.compile(r"\buse\s+([^;]+);", re.S)
PUB_USE = re.compile(r"\bpub(?:\([a-z]+\))?\s+use\s+([^;]+);", re.S)
INLINE_MOD = re.compile(r"\bmod\s+([a-z_][a-z0-9_]*)\s*\{")


def strip(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = COMMENT.sub("", text)
    # String literals: SQL and messages may contain `::`.
    text = re.sub(r'r#"(?:.|\n)*?"#', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    # Visibility paths (`pub(in crate::store)`) name a module, not an import.
    text = re.sub(r"pub\(in [^)]*\)", "pub", text)
    return text


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, t):
        if "{" not in t:
            for part in split_top(t):
                p = part.split(" as ")[0]
                out.append(prefix + p)
            return
        i = t.index("{")
        head = t[:i]
        body = t[i + 1:t.rindex("}")]
        for part in split_top(body):
            walk(prefix + head, part)

    for part in split_top(tree):
        walk("", part)
    return [o for o in out if o]


def split_top(t):
    parts, depth, cur = [], 0, ""
    for ch in t:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def module_of(path_tuple):
    return path_tuple


def analyse(crate_dir):
    mods = modules(crate_dir)
    texts = {m: strip(open(f, encoding="utf-8").read()) for m, f in mods.items()}

    # Re-exports of each mod.rs / lib.rs: item name -> absolute path it names.
    reexports = {}
    for m, text in texts.items():
        is_dir_module = mods[m].endswith("mod.rs") or mods[m].endswith("lib.rs")
        if not is_dir_module:
            continue
        table = {}
        for tree in PUB_USE.findall(text):
            for p in expand_use(tree):
                segs = p.split("::")
                name = segs[-1]
                table[name] = absolute(m, segs, mods, True)
        reexports[m] = table

    def resolve(segs):
        """Absolute module path of segs -> the file module that defines it."""
        best = ()
        for i in range(len(segs), -1, -1):
            if tuple(segs[:i]) in mods:
                best = tuple(segs[:i])
                rest = segs[i:]
                break
        seen = 0
        while rest and best in reexports and rest[0] in reexports[best] and seen < 10:
            target = reexports[best][rest[0]]
            if target is None:
                break
            seen += 1
            # target names the item: find its file.
            tsegs = list(target)
            nb = ()
            for i in range(len(tsegs), -1, -1):
                if tuple(tsegs[:i]) in mods:
                    nb = tuple(tsegs[:i])
                    nrest = tsegs[i:]
                    break
            if nb == best:
                break
            best, rest = nb, nrest + rest[1:]
        return best

    edges = defaultdict(set)
    for m, text in texts.items():
        # Inline modules (`mod tests { … }`): `super` inside them is the file.
        inline_spans = []
        for mm in INLINE_MOD.finditer(text):
            start = mm.end()
            depth, j = 1, start
            while j < len(text) and depth:
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                j += 1
            inline_spans.append((mm.start(), j))

        def in_inline(pos):
            return any(a <= pos < b for a, b in inline_spans)

        names = []
        for mm in PATH.finditer(text):
            segs = [mm.group(1)] + mm.group(2).strip(":").split("::")
            names.append((mm.start(), segs))
        for mm in USE.finditer(text):
            for p in expand_use(mm.group(1)):
                segs = p.split("::")
                if segs[0] in ("crate", "super", "self"):
                    continue  # found by PATH already
                names.append((mm.start(), segs))
        for pos, segs in names:
            a = absolute(m, segs, mods, False, in_inline(pos))
            if a is None:
                continue
            target = resolve(list(a))
            if target != m:
                edges[m].add(target)
    return mods, edges


def absolute(m, segs, mods, is_reexport, inline=False):
    """The absolute path tuple `segs` names from inside module m, or None when it
    names nothing of this crate."""
    segs = [s for s in segs if s not in ("*",)]
    if not segs:
        return None
    if segs[0] == "crate":
        return tuple(segs[1:])
    if segs[0] in ("super", "self"):
        base = list(m)
        if inline:
            # `super` inside an inline module is the file's module itself.
            if segs[0] == "super":
                segs = segs[1:]
            else:
                return None
        while segs and segs[0] == "super":
            base = base[:-1]
            segs = segs[1:]
        if segs and segs[0] == "self":
            segs = segs[1:]
        return tuple(base + segs)
    # A child module of m named first (2018 paths).
    if tuple(list(m) + [segs[0]]) in mods:
        return tuple(list(m) + segs)
    return None


def circles(nodes, edges):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def name(crate_dir, m):
    return crate_dir + ":" + ("::".join(m) if m else "(root)")


def main():
    show = "--graph" in sys.argv
    bad = 0
    for crate_dir in ("server", "app"):
        mods, edges = analyse(crate_dir)
        if show:
            for a in sorted(edges):
                for b in sorted(edges[a]):
                    print(f"{name(crate_dir, a)} -> {name(crate_dir, b)}")
        for comp in circles(sorted(mods), edges):
            bad += 1
            print(f"import circle in {crate_dir}/src between {len(comp)} files:")
            for m in sorted(comp):
                inside = sorted(name(crate_dir, t) for t in edges[m] if t in comp)
                print(f"  {name(crate_dir, m)} -> {', '.join(inside)}")
        if crate_dir != "server":
            continue
        for a, targets in sorted(edges.items()):
            if not a:
                continue  # lib.rs wires everything together
            ra = rank(a[0])
            if ra is None:
                bad += 1
                print(f"server/src/{a[0]}: a top-level module missing from the layer table in scripts/layers.py")
                continue
            for b in sorted(targets):
                if not b:
                    bad += 1
                    print(f"{name(crate_dir, a)} imports from lib.rs, which only wires the layers together")
                    continue
                if b[0] == a[0]:
                    continue
                rb = rank(b[0])
                if rb is None:
                    continue
                if rb > ra:
                    bad += 1
                    print(f"{name(crate_dir, a)} (layer {ra[0]}) imports {name(crate_dir, b)} (layer {rb[0]}), which sits above it")
    if bad:
        print(f"\n{bad} problem(s): imports must point down the layers (see docs/architecture.md)")
        return 1
    print("imports point one way: no circles, no layer reaching up")
    return 0


if __name__ == "__main__":
    sys.exit(main())
