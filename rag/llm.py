"""The client for an OpenAI-compatible model server: one deadline per answer, retries, a circuit breaker.

It uses the official `openai` client (async, streaming, structured outputs, typed errors, Retry-After
parsing) rather than hand-written HTTP. All requests run on one event loop in a background thread, so the
blocking callers (CLI, eval) and the async API share one connection pool, one concurrency bound and one
breaker, and an API request waiting on the model holds no worker thread: slow models never starve health
checks or extractive answers.

The deadline covers everything: waiting for a slot, connecting, retries and generation. When it passes
the request task is cancelled, which closes the HTTP stream, so the server stops generating instead of
building a backlog. 429 and 503 are retried with backoff (the server's Retry-After when it gives one)
while the deadline allows. After repeated endpoint failures the breaker opens: answers fall back at once,
and one probe per cooldown tries the endpoint again.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import openai

from rag.config import Settings
from rag.errors import LLMUnavailable
from rag.llm_reply import ANSWER_SCHEMA

_RETRIED = (429, 503)
_FORMATS = ("json_schema", "json_object")  # how a schema is asked for, most widely supported first
Messages = dict[bool, list[dict]]  # the prompt with structured output (True) and with citation markers (False)


@dataclass(frozen=True)
class Reply:
    content: str
    finish_reason: str | None
    structured: bool  # the request asked for the JSON schema
    reasoning_only: bool = False  # the model produced reasoning_content and no answer
    first_token_ms: float | None = None


class CircuitBreaker:
    """closed -> open after `threshold` consecutive endpoint failures -> one probe after `cooldown_s`."""

    def __init__(self, threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._probing = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return True
            if self.clock() - self.opened_at >= self.cooldown_s and not self._probing:
                self._probing = True  # one request probes the endpoint; the others keep falling back
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self.failures, self.opened_at, self._probing = 0, None, False

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self._probing or self.failures >= self.threshold:
                self.opened_at = self.clock()
            self._probing = False


class LLMClient:
    def __init__(self, settings: Settings) -> None:
        s = self.settings = settings
        self._format: str | None = _FORMATS[0] if s.llm_structured_output else None  # narrowed when refused
        self.breaker = CircuitBreaker(s.llm_breaker_failures, s.llm_breaker_cooldown_s)
        self.last_error: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: openai.AsyncOpenAI | None = None
        self._slots: asyncio.Semaphore | None = None
        self._start_lock = threading.Lock()

    @property
    def structured(self) -> bool:
        """Whether answers are asked for as JSON (False once the server has refused every schema form)."""
        return self._format is not None

    @structured.setter
    def structured(self, on: bool) -> None:
        self._format = _FORMATS[0] if on else None

    # ---- public: blocking and async entry points onto the client's own loop ------------------------
    def complete(self, messages: Messages, deadline: float) -> Reply:
        """Blocks the calling thread until the reply or the deadline (time.monotonic() seconds)."""
        future = asyncio.run_coroutine_threadsafe(self._run(messages, deadline), self._ensure_loop())
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()) + 1.0)
        except TimeoutError:
            future.cancel()
            raise LLMUnavailable("timeout", f"no answer within {self.settings.llm_timeout_s:g}s") from None

    async def acomplete(self, messages: Messages, deadline: float,
                        on_text: Callable[[str], None] | None = None) -> Reply:
        """Awaits the reply without holding a thread; cancelling the caller cancels the request. on_text is
        called (on the client's loop) with each piece of answer text as it streams in."""
        future = asyncio.run_coroutine_threadsafe(self._run(messages, deadline, on_text), self._ensure_loop())
        return await asyncio.wrap_future(future)

    def start(self) -> None:
        """Opens the client's loop and connection pool now: the server calls it at startup, because creating
        the client (TLS context, thread) inside the first request would stall every request on the server's
        event loop meanwhile."""
        self._ensure_loop()

    def status(self) -> dict:
        return {"model": self.settings.llm_model, "circuit": self.breaker.state, "structured": self._format,
                "last_error": self.last_error}

    def close(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            if self._client is not None:
                asyncio.run_coroutine_threadsafe(self._client.close(), loop).result(timeout=5)
            loop.call_soon_threadsafe(loop.stop)

    # ---- the request ------------------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="clinrag-llm", daemon=True).start()
                s = self.settings
                self._client = openai.AsyncOpenAI(
                    base_url=s.llm_base_url, api_key=s.llm_api_key.get_secret_value(), max_retries=0,
                    timeout=openai.Timeout(s.llm_timeout_s, connect=min(s.llm_connect_timeout_s, s.llm_timeout_s)))
                self._slots = asyncio.Semaphore(s.llm_max_concurrent)
                self._loop = loop
            return self._loop

    async def _run(self, messages: Messages, deadline: float, on_text: Callable[[str], None] | None = None) -> Reply:
        if not self.breaker.allow():
            raise LLMUnavailable("circuit_open", "the endpoint failed repeatedly; retrying it after a cooldown",
                                 endpoint_fault=False)
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                assert self._slots is not None
                async with self._slots:
                    reply = await self._with_retries(messages, deadline, on_text)
        except TimeoutError:
            return self._failed(LLMUnavailable("timeout", f"no complete answer within the "
                                                          f"{self.settings.llm_timeout_s:g}s deadline"))
        except LLMUnavailable as exc:
            return self._failed(exc)
        except openai.APIConnectionError as exc:
            return self._failed(LLMUnavailable("unreachable", type(exc).__name__))
        except openai.APIStatusError as exc:
            server = exc.status_code >= 500
            return self._failed(LLMUnavailable("server_error" if server else "rejected",
                                               f"HTTP {exc.status_code}", endpoint_fault=server))
        except (openai.OpenAIError, ValueError, KeyError, TypeError) as exc:
            return self._failed(LLMUnavailable("malformed", type(exc).__name__, endpoint_fault=False))
        self.breaker.success()
        return reply

    def _failed(self, exc: LLMUnavailable) -> Reply:
        self.last_error = str(exc)
        if exc.endpoint_fault:
            self.breaker.failure()
        else:
            self.breaker.success()  # it answered, if badly: the endpoint is up
        raise exc

    async def _with_retries(self, messages: Messages, deadline: float, on_text=None) -> Reply:
        attempt = 0
        while True:
            try:
                return await self._ladder(messages, on_text)
            except openai.APIStatusError as exc:
                if exc.status_code not in _RETRIED:
                    raise
                wait = _retry_after(exc.response.headers) or min(4.0, 0.25 * 2 ** attempt) * (1 + random.random() / 4)
                if time.monotonic() + wait >= deadline or attempt >= self.settings.llm_retries:
                    label = "rate_limited" if exc.status_code == 429 else "unavailable"
                    raise LLMUnavailable(label, f"HTTP {exc.status_code} after {attempt + 1} attempts") from None
                attempt += 1
                await asyncio.sleep(wait)

    async def _ladder(self, messages: Messages, on_text=None) -> Reply:
        """Servers differ in how they take a schema (vLLM, Ollama and llama.cpp's server: json_schema;
        llama-cpp-python: json_object with a schema) and in how they refuse one (400, 422, or a 500 naming
        response_format). A refused form is dropped for good and the next tried, down to plain [n] markers."""
        forms = list(_FORMATS[_FORMATS.index(self._format):]) + [None] if self._format else [None]
        for i, form in enumerate(forms):
            try:
                reply = await self._attempt(messages[form is not None], form, on_text)
            except openai.APIStatusError as exc:
                if form is None or i == len(forms) - 1 or not _refuses_format(exc):
                    raise
                continue
            self._format = form
            return reply
        raise AssertionError("unreachable: the last form raises or returns")

    async def _attempt(self, messages: list[dict], form: str | None, on_text=None) -> Reply:
        s = self.settings
        assert self._client is not None
        request: dict = {"model": s.llm_model, "messages": messages, "temperature": 0, "max_tokens": s.llm_max_tokens}
        if s.llm_stop:
            request["stop"] = s.llm_stop
        if s.llm_extra_body:
            request["extra_body"] = s.llm_extra_body
        structured = form is not None
        if form == "json_schema":
            request["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "cited_answer", "schema": ANSWER_SCHEMA, "strict": True}}
        elif form == "json_object":
            request["response_format"] = {"type": "json_object", "schema": ANSWER_SCHEMA}
        started = time.perf_counter()
        if not s.llm_stream:
            r = await self._client.chat.completions.create(**request)
            if not r.choices:
                raise LLMUnavailable("empty", "the reply had no choices", endpoint_fault=False)
            message = r.choices[0].message
            reasoning = bool((message.model_extra or {}).get("reasoning_content"))
            if on_text and message.content:
                on_text(message.content)
            return Reply(message.content or "", r.choices[0].finish_reason, structured,
                         reasoning and not message.content)
        parts: list[str] = []
        finish: str | None = None
        reasoning, first = False, None
        stream = await self._client.chat.completions.create(stream=True, **request)
        try:
            async for chunk in stream:
                if not chunk.choices:  # usage or keep-alive chunks carry no choice
                    continue
                choice = chunk.choices[0]
                if choice.delta and choice.delta.content:
                    first = first if first is not None else (time.perf_counter() - started) * 1000
                    parts.append(choice.delta.content)
                    if on_text:
                        on_text(choice.delta.content)
                elif choice.delta and (choice.delta.model_extra or {}).get("reasoning_content"):
                    reasoning = True
                finish = choice.finish_reason or finish
        finally:
            await stream.close()  # on the deadline too: the server sees the stream closed and stops generating
        content = "".join(parts)
        return Reply(content, finish, structured, reasoning and not content.strip(), first)


def _refuses_format(exc: openai.APIStatusError) -> bool:
    return exc.status_code in (400, 422) or (exc.status_code == 500 and "response_format" in str(exc).lower())


def _retry_after(headers) -> float | None:
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue  # an HTTP date: rare from model servers; the backoff applies
    return None
