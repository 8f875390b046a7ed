"""The sentence-fit policy on its own: what a question's reading adds to a candidate sentence's score."""

from guardrails.engine import GuardrailEngine
from rag.query import QueryReader, default_answer_types
from rag.ranking import SentenceFit, opens_with_condition
from rag.scope import ScopePolicy

ENGINE = GuardrailEngine()
VOCAB = ENGINE.vocabulary
READER = QueryReader(vocabulary=VOCAB, denied=lambda text: frozenset(
    c for rs in ENGINE.read(text, lists=True) for k, m in enumerate(rs.mentions) if rs.negated[k]
    for c in [m.concept] if VOCAB.kinds.get(c) == "finding"))
FIT = SentenceFit(VOCAB, default_answer_types(), ScopePolicy(0.5, 0.4).concepts)


def _boost(question: str):
    return FIT.boost(READER.read([{"role": "user", "content": question}]))


def test_a_reported_result_makes_what_next_lead_and_the_order_for_that_test_yield():
    boost = _boost("MRI with and without contrast showed a paraspinal abscess. What next?")
    what_next = boost("If an abscess is confirmed, antimicrobial therapy and drainage are required.")
    order_it = boost("Order MRI of the lumbar spine without and with contrast.")
    assert what_next > 0 > order_it


def test_a_sentence_about_a_finding_the_patient_does_not_have_yields():
    boost = _boost("Lump at L3 with back pain, no saddle anaesthesia, bladder and bowel normal. Imaging?")
    assert boost("Saddle anaesthesia requires emergency MRI.") < boost("MRI is the imaging of choice.")


def test_a_sentence_for_another_age_group_yields_and_one_for_this_age_fits():
    boost = _boost("26-year-old with a lumbar lump. What is most likely?")
    assert boost("Patients under 30: benign tumours are more common.") > 0
    assert boost("Patients over 60: metastatic disease is more likely.") < 0


def test_a_request_for_the_next_step_prefers_a_directive():
    boost = _boost("Palpable mid-lumbar mass with back pain: what should I do?")
    assert boost("Order an MRI of the lumbar spine.") > boost("An MRI of the lumbar spine shows soft tissue well.")


def test_a_list_fits_a_list_question_and_not_a_provenance_question():
    assert _boost("What else could the lump be?")("Other causes include:", listed=True) > 0
    source = _boost("Which reference supports giving contrast?")
    assert source("Indications include:", listed=True) < source("Indications include:")


def test_what_the_asker_already_has_yields():
    query = READER.read([{"role": "user", "content": "Apart from lipoma and abscess, what else could it be?"}])
    boost = FIT.boost(query)
    assert boost("Lipoma and abscess.") < boost("Schwannoma, neurofibroma or metastasis.")


def test_a_heading_naming_what_is_asked_frames_its_section():
    bonus = FIT.section_bonus(READER.read([{"role": "user", "content": "Could it be an abscess?"}]))
    assert bonus(("Guideline", "Spinal abscess")) > 0
    assert bonus(("Guideline", "Role of plain radiographs")) == 0
    assert bonus(("Spinal abscess",)) == 0  # a document's top level frames nothing


def test_a_sentence_opening_with_a_condition():
    assert opens_with_condition("If infection is confirmed, drain it.", VOCAB)
    assert not opens_with_condition("Drain it if infection is confirmed.", VOCAB)
