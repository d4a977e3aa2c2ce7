"""The official Python MCP SDK against a real Loupe, over Streamable HTTP and
over `loupe mcp` (stdio): search, read a brief, drill into a span, get a tool
error for a bad id, and read the prompt. Run with either SDK line: mcp 1.x
(the `initialize` handshake, protocol 2025-11-25) or mcp 2.x (protocol
2026-07-28, no handshake); scripts/mcp-clients.sh runs both.

Usage: python stock_clients.py path/to/loupe
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from importlib.metadata import version

SDK = version("mcp")
MAJOR = int(SDK.split(".")[0])


def start_loupe(binary, data_dir):
    """`loupe serve --demo` on a port it picks; its base URL once the demo data is in."""
    proc = subprocess.Popen(
        [binary, "serve", "--demo", "--addr", "127.0.0.1:0", "--grpc-addr", "off", "--data-dir", data_dir],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "LOUPE_LOG": "info"},
    )
    base = None
    for line in proc.stderr:
        m = re.search(r"listening on (http://[0-9.:]+)", line)
        if m:
            base = m.group(1)
            break
    assert base, "loupe printed no start-up line"
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    for _ in range(600):
        stats = json.load(urllib.request.urlopen(f"{base}/api/stats/summary"))
        if stats["spans"] >= 10_000:
            break
        time.sleep(0.1)
    # The demo sender finishes with the big trace's root; wait until it is listed.
    for _ in range(600):
        found = json.load(urllib.request.urlopen(f"{base}/api/traces?q=evaluation&limit=1"))["traces"]
        if found and found[0]["span_count"] == 10_000:
            break
        time.sleep(0.1)
    return proc, base


def text_of(result):
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def is_error(result):
    return bool(getattr(result, "isError", None) or getattr(result, "is_error", None))


async def tour(client, base, how):
    """What an assistant does: the same steps whatever the SDK and transport."""
    tools = sorted(t.name for t in (await client.list_tools()).tools)
    for name in ["get_span", "get_trace", "find_spans", "search_traces", "latency_stats", "cost_stats", "list_alert_firings"]:
        assert name in tools, (how, tools)

    found = json.loads(text_of(await client.call_tool("search_traces", {"q": "evaluation", "limit": 1})))
    trace = found["traces"][0]
    assert trace["spans"] == 10_000 and trace["link"] == f"{base}/traces/{trace['trace_id']}", (how, trace)

    brief = text_of(await client.call_tool("get_trace", {"trace_id": trace["trace_id"]}))
    assert len(brief) <= 30_000, (how, len(brief))
    assert "`case {n}` × 2,499 (chain): retrieve → chat * → judge" in brief, (how, brief[:3000])
    assert "## Critical path" in brief and "## Findings" in brief, how

    failed = json.loads(text_of(await client.call_tool("find_spans", {"trace_id": trace["trace_id"], "status": "error", "limit": 5})))
    span_id = failed["spans"][0]["span_id"]
    span = json.loads(text_of(await client.call_tool("get_span", {"trace_id": trace["trace_id"], "span_id": span_id})))
    assert span["span_id"] == span_id and span["status"] == "error", (how, span)
    assert span["link"] == f"{base}/traces/{trace['trace_id']}?span={span_id}", how

    bad = await client.call_tool("get_trace", {"trace_id": "zz"})
    assert is_error(bad) and text_of(bad).startswith('malformed trace id "zz"'), (how, bad)

    prompt = await client.get_prompt("explain_bottleneck", {"trace_id": trace["trace_id"]})
    assert "Propose three fixes" in prompt.messages[0].content.text, how
    print(f"mcp {SDK} over {how}: {len(tools)} tools, a brief of {len(brief):,} characters, span {span_id}: ok")


async def over_v1(binary, base):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.client.streamable_http import streamablehttp_client

    async with streamablehttp_client(f"{base}/mcp") as (read, write, _):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.serverInfo.name == "loupe", init
            await tour(session, base, "Streamable HTTP")
    params = StdioServerParameters(command=binary, args=["mcp", "--url", base])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            await tour(session, base, "stdio (loupe mcp)")


async def over_v2(binary, base):
    from mcp import Client, StdioServerParameters

    async with Client(f"{base}/mcp") as client:
        await tour(client, base, "Streamable HTTP")
    async with Client(StdioServerParameters(command=binary, args=["mcp", "--url", base])) as client:
        await tour(client, base, "stdio (loupe mcp)")


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as data:
        proc, base = start_loupe(binary, data)
        try:
            asyncio.run(over_v1(binary, base) if MAJOR < 2 else over_v2(binary, base))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
