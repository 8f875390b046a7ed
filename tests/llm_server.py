"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat protocol with scripted, often hostile, replies.

Each request is answered by the next `Act` (the last one repeats), or by `script.reply(request)` when set.
It replays what real model servers do: JSON or SSE, reasoning_content with null content, chunks with no
choices, trickling tokens, 429/503 with Retry-After, finish_reason=length; and it records when a client
closed a stream early (a server that notices stops generating).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Act:
    content: str | None = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    finish: str | None = "stop"
    reasoning: str | None = None  # sent as reasoning_content
    delay: float = 0.0  # before the status line
    piece_delay: float = 0.0  # between streamed pieces (a trickle)
    empty_choices: bool = False  # a stream chunk with "choices": [] first (usage / keep-alive)
    no_choices: bool = False  # a non-streaming reply with "choices": []
    error: str = "scripted failure"  # the error message of a non-200 reply


@dataclass
class Script:
    acts: list[Act] = field(default_factory=lambda: [Act()])
    reply: Callable[[dict], Act | str] | None = None
    requests: list[dict] = field(default_factory=list)
    closed_early: list[float] = field(default_factory=list)  # when a client hung up mid-stream
    pieces_sent: list[int] = field(default_factory=list)

    def reset(self, *acts: Act, reply: Callable[[dict], Act | str] | None = None) -> None:
        self.acts = list(acts) or [Act()]
        self.reply = reply
        self.requests.clear()
        self.closed_early.clear()
        self.pieces_sent.clear()

    def next(self, request: dict) -> Act:
        if self.reply is not None:
            out = self.reply(request)
            return out if isinstance(out, Act) else Act(content=out)
        index = min(len(self.requests) - 1, len(self.acts) - 1)
        return self.acts[index]


def passage(request: dict, n: int) -> str:
    """Passage [n] as the server received it in the prompt."""
    prompt = request["messages"][-1]["content"]
    m = re.search(rf"^\[{n}\] \([^)]*\)\n(.*?)(?=\n\n\[\d+\] \(|\n\n(?:Conversation so far|Question):)", prompt,
                  re.MULTILINE | re.DOTALL)
    return m.group(1) if m else ""


def find(request: dict, words: str) -> tuple[int, str]:
    """The number of the first passage that contains `words`, and the line of it that does."""
    for n in range(1, 20):
        for line in passage(request, n).splitlines():
            if words.lower() in line.lower():
                return n, line.lstrip("- ").strip()
    raise AssertionError(f"no passage in the prompt contains {words!r}")


def first_sentence(request: dict, n: int = 1) -> str:
    text = passage(request, n).splitlines()[0].lstrip("- ")
    return re.split(r"(?<=[.!?])\s", text)[0].rstrip(".")


def as_json(*sentences: tuple[str, list[int]], covered: bool = True) -> str:
    return json.dumps({"covered": covered, "sentences": [{"text": t, "passages": p} for t, p in sentences]})


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def log_message(self, *args):
        pass

    def do_GET(self):  # /v1/models
        self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.script.requests.append(body)
        act = self.script.next(body)
        time.sleep(act.delay)
        if act.status != 200:
            self._json(act.status, {"error": {"message": act.error, "type": "server_error"}}, act.headers)
            return
        if body.get("stream"):
            self._stream(act)
            return
        message = {"role": "assistant", "content": act.content}
        if act.reasoning is not None:
            message["reasoning_content"] = act.reasoning
        choices = [] if act.no_choices else [{"index": 0, "message": message, "finish_reason": act.finish}]
        self._json(200, {"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
                         "choices": choices})

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, act: Act) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

        def chunk(delta: dict | None, finish: str | None = None) -> bytes:
            choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
            return f"data: {json.dumps({'id': 'x', 'object': 'chat.completion.chunk', 'created': 0, 'model': 's', 'choices': choices})}\n\n".encode()  # noqa: E501

        events = [chunk({"role": "assistant", "content": ""})]
        if act.empty_choices:
            events.append(chunk(None))
        if act.reasoning:
            events += [chunk({"content": None, "reasoning_content": p}) for p in re.findall(r"\S+\s*", act.reasoning)]
        events += [chunk({"content": p}) for p in re.findall(r"\S+\s*", act.content or "")]
        events += [chunk({}, act.finish), chunk(None), b"data: [DONE]\n\n"]
        sent = 0
        try:
            for e in events:
                self.wfile.write(e)
                self.wfile.flush()
                sent += 1
                if act.piece_delay:
                    time.sleep(act.piece_delay)
        except (BrokenPipeError, ConnectionResetError):
            self.script.closed_early.append(time.monotonic())
        self.script.pieces_sent.append(sent)


class ScriptedServer:
    def __init__(self) -> None:
        self.script = Script()
        handler = type("Handler", (_Handler,), {"script": self.script})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
