"""Check any draft answer against the red-flag rules."""

from fastapi import APIRouter, Request

from api.deps import ClinicianAuth
from api.openapi import AUTH, BAD_BODY, problems
from api.schemas import GuardRequest, GuardResponse
from rag.errors import PackNotFound

router = APIRouter(tags=["guardrails"])


@router.post("/v1/guardrails/check", response_model=GuardResponse, summary="Check a draft against the rules",
             responses=problems(*AUTH, *BAD_BODY, 404))
def check(body: GuardRequest, request: Request, principal: ClinicianAuth) -> GuardResponse:
    """Verdict (pass, revise, block, escalate), violations with spans, and the safe answer."""
    engine = request.app.state.guardrails
    try:
        verdict = engine.check(body.question, body.answer, pack=body.pack)
    except KeyError as exc:
        raise PackNotFound(str(exc.args[0])) from None
    state = request.app.state
    state.metrics.actions.labels(verdict.action).inc()
    for v in verdict.violations:
        state.metrics.violations.labels(v.rule_id).inc()
    state.audit.record(route="/v1/guardrails/check", request_id=request.state.request_id, key_id=principal.key_id,
                       question=body.question, answer=verdict.safe_answer, citations=[], action=verdict.action,
                       rule_ids=[v.rule_id for v in verdict.violations], rules_version=verdict.rules_version,
                       latency_ms=None, index_version=None)
    return GuardResponse(action=verdict.action, rules_version=verdict.rules_version, safe_answer=verdict.safe_answer,
                         banner=verdict.banner, packs=list(verdict.packs),
                         violations=[{"rule_id": v.rule_id, "message": v.message, "span": v.span, "pack": v.pack}
                                     for v in verdict.violations])
