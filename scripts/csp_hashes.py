#!/usr/bin/env python3
"""Every inline event handler in app/ must have its hash in the page CSP.

The pages keep a few controls working before hydration through inline
handlers (onclick=, onchange=); the CSP allows exactly those by their sha256
(server/src/http/edge/headers.rs, INLINE_HANDLERS). Edit a handler and forget
the hash, and the browser refuses it: only the browser tests would notice, forty
minutes in. This check fails in a second and prints the hash to put in.
"""
import base64
import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
HANDLER = re.compile(r'\bon[a-z]+=(?:"((?:[^"\\]|\\.)*)"|([A-Z_]{3,}))')
CONST = re.compile(r'const ([A-Z_]+): &str = "((?:[^"\\]|\\.)*)";', re.S)


def rust_str(lit: str) -> str:
    """The value of a Rust string literal body (line continuations, escapes)."""
    lit = re.sub(r"\\\n\s*", "", lit)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), lit)


def sha(s: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()


def main() -> int:
    sources = {p: p.read_text() for p in (ROOT / "app" / "src").rglob("*.rs")}
    consts = {name: rust_str(body) for text in sources.values() for name, body in CONST.findall(text)}
    allowed = set(re.findall(r'"(sha256-[A-Za-z0-9+/=]+)"', (ROOT / "server/src/http/edge/headers.rs").read_text()))
    missing = []
    for path, text in sorted(sources.items()):
        for m in HANDLER.finditer(text):
            literal, name = m.groups()
            if name is not None and name not in consts:
                continue
            body = rust_str(literal) if literal is not None else consts[name]
            if sha(body) not in allowed:
                line = text.count("\n", 0, m.start()) + 1
                missing.append(f"{path.relative_to(ROOT)}:{line}: {sha(body)}")
    if missing:
        print("inline handlers without their hash in INLINE_HANDLERS (server/src/http/edge/headers.rs):")
        print("\n".join(missing))
        return 1
    print("every inline handler's hash is in the CSP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
