"""The chat page in a real headless Chromium (Debian's package, driven by Playwright) against a real uvicorn.

No browser is downloaded: Playwright drives /usr/bin/chromium. A machine without it fails here loudly;
.ci/run installs it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bench import common

pytestmark = pytest.mark.e2e
CHROMIUM = Path(os.environ.get("CLINRAG_CHROMIUM", "/usr/bin/chromium"))
ADMIN, CLINICIAN = "page-admin-key", "page-clinician-key"
IMAGING = "What imaging should I order for a palpable mid-lumbar mass?"
FOLLOW_UP = "Why not just do the post-contrast sequences?"
OUT_OF_SCOPE = "What is the first-line treatment for an acute gout flare in the big toe?"  # pub-oos-gout
EMERGENCY = ("A patient with a known mid-lumbar mass now has urinary retention and numbness in the saddle area. "
             "What should happen next?")  # pub-esc-cauda-equina
ANSWER_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def server(library, session_settings, tmp_path_factory):
    """`python -m rag serve` over a copy of the session's built index (ready in seconds), keys configured."""
    data = tmp_path_factory.mktemp("page") / "data"
    shutil.copytree(session_settings.data_dir, data)
    env = {"CLINRAG_API_KEYS": f"admin:{ADMIN},clinician:{CLINICIAN}"}
    with common.server(data, env=env, timeout=120) as (base, _proc, _ready):
        yield base


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


# Records what the page showed between two assertions, so a fast answer cannot hide its working state.
WATCH = """
window.__seen = {working: 0, disabled: 0};
new MutationObserver(() => {
  if (document.querySelector('.working')) window.__seen.working++;
  const send = document.getElementById('send');
  if (send && send.disabled) window.__seen.disabled++;
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    pg = context.new_page()
    pg.add_init_script(WATCH)
    pg.set_default_timeout(ANSWER_TIMEOUT_MS)
    pg.goto(server + "/")
    yield pg
    context.close()


def use_key(pg, key: str) -> None:
    pg.click("summary")
    pg.fill("#key", key)


def ask(pg, question: str):
    """Type, press Enter, wait for the turn to settle; returns the new turn."""
    before = pg.locator("article.turn").count()
    pg.fill("#message", question)
    pg.press("#message", "Enter")
    turn = pg.locator("article.turn").nth(before)
    turn.locator(".reply[aria-busy=false]").wait_for()
    return turn


def test_ask_shows_cited_answer_working_state_and_plain_guardrail_words(page):
    use_key(page, CLINICIAN)
    turn = ask(page, IMAGING)
    answer = turn.locator("p.answer")
    assert "without and with" in answer.inner_text()
    assert turn.locator("p.answer a.cite").count() >= 1
    assert turn.locator("ol.sources li").count() == turn.locator("p.answer a.cite").evaluate_all(
        "links => new Set(links.map(a => a.textContent)).size")
    for source in turn.locator("ol.sources li").all_inner_texts():  # the document's title once, then the section
        assert source.count("Evaluation and Management of Mid-Lumbar Mass") == 1, source
    assert page.evaluate("window.__seen.working") > 0 and page.evaluate("window.__seen.disabled") > 0
    assert page.locator(".working").count() == 0 and not page.locator("#send").is_disabled()
    guard = turn.locator("p.guard").inner_text()
    assert guard.startswith("Checked against the safety rules") and "RF-" not in guard
    assert page.locator(".urgent").count() == 0 and page.locator(".problem").count() == 0
    assert page.locator("#message").input_value() == ""


def test_follow_up_reads_top_to_bottom_and_the_disclaimer_shows_once(page):
    use_key(page, CLINICIAN)
    first = ask(page, IMAGING)
    second = ask(page, FOLLOW_UP)
    assert "enhancement" in second.locator("p.answer").inner_text()
    assert first.bounding_box()["y"] < second.bounding_box()["y"]
    assert page.locator("article.turn").first.locator(".q").inner_text().endswith(IMAGING)
    assert second.is_visible() and page.evaluate(
        "(() => { const r = document.querySelector('article.turn:last-of-type').getBoundingClientRect();"
        " return r.bottom <= window.innerHeight + 1 && r.bottom > 0; })()")
    disclaimer = page.locator("#service-disclaimer").inner_text()
    assert disclaimer and page.locator("#about").is_visible()
    assert page.evaluate("t => document.body.innerText.split(t).length - 1", disclaimer) == 1


def test_a_citation_opens_its_passage_with_document_section_and_references(page):
    use_key(page, CLINICIAN)
    citations = []
    page.on("response", lambda r: r.url.endswith("/v1/chat/completions") and citations.append(r))
    turn = ask(page, IMAGING)
    body = _final_chunk(citations[-1].text())
    first = body["citations"][0]
    turn.locator("p.answer a.cite").first.click()
    dialog = page.locator("dialog#passage")
    assert dialog.is_visible()
    assert dialog.locator("#passage-title").inner_text() == first["title"]
    part = first["section"].removeprefix(first["title"]).removeprefix(" > ")
    assert dialog.locator("#passage-section").inner_text() == (f"Section: {part}" if part else "Opening section")
    shown = dialog.locator("#passage-text").inner_text()
    assert shown.split() == first["text"].split()
    # bulleted passages keep their line breaks: every line of the passage is a line on screen
    assert shown.count("\n") == first["text"].count("\n")
    refs = dialog.locator("#passage-refs li")
    assert refs.count() == len(first["references"])
    if first["references"]:
        assert first["references"][0]["title"] in refs.first.inner_text()
    dialog.locator("#whole").click()  # a clinician key may not read whole documents: said plainly
    assert "may not read whole documents" in dialog.locator("#doc .problem").inner_text()
    dialog.locator(".close").click()
    assert not dialog.is_visible()


def test_a_bulleted_passage_keeps_its_lines_and_the_whole_document_opens(page):
    use_key(page, ADMIN)
    responses = []
    page.on("response", lambda r: r.url.endswith("/v1/chat/completions") and responses.append(r))
    turn = ask(page, "What are the red flags for serious pathology in a patient with a lumbar mass?")
    cited = _final_chunk(responses[-1].text())["citations"]
    bulleted = [c for c in cited if "\n" in c["text"]]
    assert bulleted, "the question should cite a bulleted passage"
    turn.locator(f"p.answer a.cite:text-is('[{bulleted[0]['n']}]')").first.click()
    dialog = page.locator("dialog#passage")
    lines = [line for line in dialog.locator("#passage-text").inner_text().split("\n") if line.strip()]
    assert lines == [line.strip() for line in bulleted[0]["text"].split("\n") if line.strip()]
    dialog.locator("#whole").click()
    dialog.locator("#doc .doc-text").wait_for()
    assert bulleted[0]["title"] in dialog.locator("#doc h3").inner_text()


def test_an_out_of_scope_question_shows_an_abstention(page):
    use_key(page, CLINICIAN)
    turn = ask(page, OUT_OF_SCOPE)
    assert turn.locator(".notice").inner_text() == "Not covered by the indexed sources."
    assert "do not cover" in turn.locator("p.answer").inner_text()
    assert turn.locator("a.cite").count() == 0 and turn.locator(".urgent").count() == 0


def test_an_emergency_shows_the_urgent_banner_and_its_statement(page):
    use_key(page, CLINICIAN)
    turn = ask(page, EMERGENCY)
    banner = turn.locator(".urgent")
    assert banner.is_visible() and banner.get_attribute("role") == "alert"
    assert banner.inner_text().startswith("URGENT")
    answer = turn.locator("p.answer").inner_text()
    assert "surgical consultation" in answer and not answer.startswith("URGENT")  # the banner is not repeated
    assert turn.locator("p.guard").inner_text().startswith("Emergency features in the question")


def test_enter_sends_and_shift_enter_breaks_a_line(page):
    use_key(page, CLINICIAN)
    page.click("#message")
    page.keyboard.type("Imaging for a palpable lumbar mass?")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("He is 60.")
    assert page.locator("#message").input_value() == "Imaging for a palpable lumbar mass?\nHe is 60."
    assert page.locator("article.turn").count() == 0
    page.keyboard.press("Enter")
    page.locator("article.turn .reply[aria-busy=false]").wait_for()
    assert page.locator("article.turn").count() == 1
    assert page.locator("article.turn .q").inner_text().endswith("He is 60.")


def test_double_click_and_double_enter_send_one_question(page):
    use_key(page, CLINICIAN)
    sent = []
    page.on("request", lambda r: r.url.endswith("/v1/chat/completions") and sent.append(r))
    page.fill("#message", IMAGING)
    page.dblclick("#send")
    page.press("#message", "Enter")
    page.press("#message", "Enter")
    page.locator("article.turn .reply[aria-busy=false]").wait_for()
    page.wait_for_timeout(300)  # a second request, if any, would have left by now
    assert len(sent) == 1 and page.locator("article.turn").count() == 1


def test_a_missing_key_is_a_service_problem_not_an_urgent_banner(page):
    turn = ask(page, IMAGING)  # keys are configured and the page has none: a real 401
    problem = turn.locator(".problem")
    assert "needs a valid API key" in problem.inner_text()
    assert turn.locator(".urgent").count() == 0
    style = problem.evaluate("e => getComputedStyle(e).backgroundColor")
    use_key(page, CLINICIAN)
    urgent = ask(page, EMERGENCY).locator(".urgent")
    assert style != urgent.evaluate("e => getComputedStyle(e).backgroundColor")
    assert page.locator("#message").input_value() == ""  # the failed question did not block the next one


@pytest.mark.parametrize(("fault", "words"), [
    ("abort", "Could not reach the service"),
    (429, "Too many questions"),
    (503, "could not answer (503)"),
])
def test_network_and_server_failures_are_styled_as_service_problems(page, fault, words):
    def fail(route):
        if fault == "abort":
            return route.abort("connectionrefused")
        body = {"error": {"message": "scripted failure", "type": "server_error", "param": None, "code": fault}}
        return route.fulfill(status=fault, json=body, headers={"Retry-After": "7"})

    page.route("**/v1/chat/completions", fail)
    turn = ask(page, IMAGING)
    assert words in turn.locator(".problem").inner_text()
    assert (fault != 429) or "7 s" in turn.locator(".problem").inner_text()
    assert turn.locator(".urgent").count() == 0 and not page.locator("#send").is_disabled()
    assert page.locator("#message").input_value() == IMAGING  # kept, to ask again


def test_the_service_and_each_cited_source_disclaimer_show_once(page):
    use_key(page, CLINICIAN)
    responses = []
    page.on("response", lambda r: r.url.endswith("/v1/chat/completions") and responses.append(r))
    ask(page, IMAGING)
    ask(page, FOLLOW_UP)
    finals = [_final_chunk(r.text()) for r in responses]
    sources = {s["document_id"]: s for f in finals for s in f["source_disclaimers"]}
    assert sources, "the shipped article has its own disclaimer"
    items = page.locator("#source-disclaimers li").all_inner_texts()
    assert len(items) == len(sources)  # each source once, however often it is cited
    for s in sources.values():
        assert [i for i in items if i.startswith(s["title"])] == [f"{s['title']}: {s['text']}"]
    service = finals[0]["disclaimer"]
    assert page.locator("#service-disclaimer").inner_text() == service
    body = page.evaluate("document.body.innerText")
    assert body.count(service) == 1
    assert all(body.count(s["text"]) == 1 for s in sources.values())


def rewrite_final_chunk(route, key: str, change) -> None:
    """Fetch the real streamed answer and change, in place, each SSE chunk that carries `key`."""
    response = route.fetch()
    events = response.text().split("\n\n")
    for i, event in enumerate(events):
        if event.startswith("data: {") and f'"{key}"' in event:
            chunk = json.loads(event[len("data: "):])
            change(chunk)
            events[i] = "data: " + json.dumps(chunk)
    route.fulfill(response=response, body="\n\n".join(events))


def test_a_response_without_source_disclaimers_still_renders(page):
    """An older or generic server sends no `source_disclaimers`: the answer and the service disclaimer remain."""

    def without(route):
        rewrite_final_chunk(route, "citations", lambda chunk: chunk.pop("source_disclaimers", None))

    use_key(page, CLINICIAN)
    page.route("**/v1/chat/completions", without)
    turn = ask(page, IMAGING)
    assert turn.locator("p.answer a.cite").count() >= 1 and turn.locator(".problem").count() == 0
    assert page.locator("#source-disclaimers li").count() == 0
    assert page.locator("#service-disclaimer").inner_text() and page.locator("#about").is_visible()


def test_a_revision_is_told_in_plain_words(page):
    """An LLM-drafted answer may be revised; the page says what the rule did, not its code."""
    violation = {"rule_id": "RF-MRI-DELAY", "span": "The MRI can wait six weeks.",
                 "message": "Advanced imaging must not be delayed when a palpable mass is present."}

    def revised(route):
        rewrite_final_chunk(route, "guardrail", lambda chunk: chunk.update(
            guardrail={**chunk["guardrail"], "action": "revise", "violations": [violation]}))

    use_key(page, CLINICIAN)
    page.route("**/v1/chat/completions", revised)
    guard = ask(page, IMAGING).locator("p.guard")
    assert guard.inner_text() == "One sentence was replaced by a safety rule: " + violation["message"]
    assert guard.get_attribute("title") == "RF-MRI-DELAY"


def test_the_page_fits_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(ANSWER_TIMEOUT_MS)
    pg.goto(server + "/")
    use_key(pg, CLINICIAN)
    ask(pg, EMERGENCY)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    assert pg.locator("#send").bounding_box()["height"] >= 40  # a thumb-sized target
    assert pg.locator("label[for=message]").is_visible()
    context.close()


def _final_chunk(sse: str) -> dict:
    chunks = [json.loads(e[len("data: "):]) for e in sse.split("\n\n") if e.startswith("data: {")]
    return next(c for c in reversed(chunks) if "citations" in c)
