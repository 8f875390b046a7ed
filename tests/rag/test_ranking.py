"""The sentence-fit policy on its own: what a question's reading adds to a candidate sentence's score."""

import pytest

from guardrails.engine import GuardrailEngine
from rag.patient import patient_group
from rag.query import QueryReader, default_answer_types
from rag.ranking import SentenceFit, asked_categories, opens_with_condition
from rag.scope import ScopePolicy
from rag.types import Chunk, ScoredChunk

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


def test_what_follows_one_tests_result_is_not_what_waits_on_another_test():
    # the plain film reported; the MRI only proposed, and "it shows <x> better" said of a test to come
    boost = _boost("Lump right of L3. X-ray report: 'ill-defined lesion with internal calcification'. The secretary "
                   "says they will do a CT instead of the MRI; it shows calcium better. Can a CT replace the MRI?")
    waits = boost("Once MRI results are available: if a lesion is malignant, proceed with biopsy.")
    # ... while the same opening after that test's own report still says what follows
    after_mri = _boost("MRI report: 'ill-defined lesion, probably malignant'. What next?")(
        "Once MRI results are available: if a lesion is malignant, proceed with biopsy.")
    assert after_mri > waits


def test_a_sentence_about_a_finding_the_patient_does_not_have_yields():
    boost = _boost("Lump at L3 with back pain, no saddle anaesthesia, bladder and bowel normal. Imaging?")
    assert boost("Saddle anaesthesia requires emergency MRI.") < boost("MRI is the imaging of choice.")


def test_a_whole_list_of_what_to_look_for_keeps_its_place_though_the_item_it_is_judged_by_is_denied():
    boost = _boost("Lump beside his lower spine; no fever, walks fine. What should the doctor examine on him?")
    item = "Fever or tachycardia suggesting infection."
    whole = f"Perform a focused physical examination looking for: {item}"
    # the item alone is about a finding he does not have; the list it stands for still says what to examine
    assert boost(item, True) < boost(whole, True, "", True)
    # ... and for a question that does not ask what to look for, the list yields with its item
    other = _boost("Lump beside his lower spine; no fever, walks fine. Which scan?")
    assert other(whole, True, "", True) < boost(whole, True, "", True)


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


def test_the_asking_part_is_the_asking_sentences_and_the_one_before():
    from rag.query import QueryReader as R
    text = "Background one. He wants to join a programme now. Should I enrol him? Also, when?"
    assert R.asking_part(text) == "He wants to join a programme now. Should I enrol him? Also, when?"
    assert R.asking_part("Imaging for a lumbar lump.") == "Imaging for a lumbar lump."


def test_a_sentence_naming_what_the_asking_part_names_in_other_words_fits():
    # "pre-contrast" and "precontrast" are one concept; no word of the sentence but "images" is the question's
    query = READER.read([{"role": "user", "content": "Audit of lumbar MRIs. Can we skip the pre-contrast series?"}])
    boost = FIT.boost(query, (), {"protocol.precontrast": 3.0, "modality.mri": 0.5})
    assert boost("Precontrast images must be obtained.") > boost("Images must be obtained.")


def test_a_wh_question_is_not_yes_or_no_though_it_says_should_i():
    types = default_answer_types()
    assert types.classify("What findings should I be looking for?") == "list"
    assert types.classify("Radiologist here, should I add contrast?") == "yes_no"
    assert types.classify("Is it safe to wait?") == "yes_no"
    # a yes-or-no question with a wh-question after it: the later one says what the answer must give
    assert types.classify("They say only the old get these. Is that so? What kinds can be present at 20?") == "list"
    assert types.classify("Is that so? Should she fast first?") == "yes_no"
    # the list asked for as what is on it, or as what it could be in reported words
    assert types.classify("His dad wants to know what it 'could be'. What's on the list?") == "list"
    # "what <drug> do I give?" asks for a treatment; "... and how much?" asks for its dose
    assert types.classify("Stridor at rest. What neb do I give?") == "treatment"
    assert types.classify("Stridor at rest. What neb do I give and how much?") == "dose"
    assert types.classify("And how much does it matter that she had cancer?") != "dose"
    # "what am I looking for?" on examination
    assert types.classify("Quick obs and exam first: besides the lump, what am I looking for?") == "examination"
    # how fast a fluid runs is a dose; "what rate of <events>" a figure
    assert types.classify("Going for an epidural: what rate for maintenance fluids?") == "dose"
    assert types.classify("What rate of complications does the guideline quote?") == "statistic"


def test_a_route_is_not_whose_dose_is_asked():
    query = READER.read([{"role": "user", "content": "How many mmol of IV magnesium sulfate should I give?"}])
    assert "iv" not in query.owner and "magnesium" in query.owner


def test_a_sentence_restating_its_documents_subject_is_a_hub(embedder):
    from rag.synthesize import ExtractiveComposer, SentenceVectors
    from rag.types import Chunk, ScoredChunk, Sentence

    texts = ["A lumbar mass with back pain needs MRI with contrast.", "Back pain with a lumbar mass is a red flag.",
             "MRI of a lumbar mass with back pain is urgent.", "Gadolinium is given at a weight-based dose.",
             "Radiographs show lytic lesions.", "Chiropractic manipulation is deferred.",
             "Ultrasound sees superficial tissue only.", "Fever and tachycardia suggest infection."]
    chunks = [ScoredChunk(chunk=Chunk(id=f"c{i}", document_id="d", version=1, title="t", section=("t",), text=t,
                                      start=0, end=len(t), refs=(), sentences=(Sentence(text=t, start=0, end=len(t)),),
                                      ordinal=i), score=0.0) for i, t in enumerate(texts)]
    hubs = ExtractiveComposer(SentenceVectors(embedder.encode)).hubness(chunks)
    assert min(hubs[c][0] for c in ("c0", "c1", "c2")) > 0  # restate the subject
    assert max(hubs[c][0] for c in ("c3", "c4", "c5", "c6", "c7")) < min(hubs[c][0] for c in ("c0", "c1", "c2"))


def test_a_heading_word_no_sentence_uses_frames_its_section_when_the_question_names_it():
    query = READER.read([{"role": "user", "content": "What does the guideline say about the radiographs?"}])
    bonus = FIT.section_bonus(query, used=lambda word: word != "radiograph")
    assert bonus(("Guideline", "Role of Plain Radiographs")) > 0
    assert bonus(("Guideline", "Common Pitfalls to Avoid")) == 0
    # a heading word the sentences use everywhere says nothing on its own
    assert FIT.section_bonus(query, used=lambda word: True)(("Guideline", "Role of Plain Radiographs")) == 0


def test_a_question_for_the_mistakes_to_avoid_is_answered_under_the_pitfalls_heading():
    # by its type (answer_types.yaml: pitfall, searched "common pitfalls to avoid"), whatever words it uses
    query = READER.read([{"role": "user", "content": "What are the classic mistakes a junior makes here?"}])
    bonus = FIT.section_bonus(query, used=lambda word: True)
    assert query.answer_type == "pitfall" and bonus(("Guideline", "Common Pitfalls to Avoid")) > 0
    assert bonus(("Guideline", "Role of Plain Radiographs")) == 0


def test_where_and_what_size_are_answer_types_of_their_own():
    types = default_answer_types()
    assert types.classify("Where exactly should intramuscular adrenaline be injected?") == "location"
    assert types.classify("What size of needle-free lump should worry me?") == "length"
    # "how long" asks for a time or a size, and a figure of either answers it
    assert types.classify("How long should the course of antibiotics be?") == "extent"
    assert types.states("extent", "Take a segment at least 1 cm long.")
    assert types.states("extent", "Continue for 3 months.")
    assert types.classify("How many weeks should the course of antibiotics be?") == "duration"
    assert types.states("location", "Give it into the anterolateral aspect of the thigh.")


def test_a_sentence_for_the_other_sex_yields_and_one_for_both_fits():
    from rag.patient import patient_sex, sex_fit

    assert patient_sex("A 66-year-old man with iron deficiency") == "male"
    assert patient_sex("58F, lump L3, LBP") == "female"
    assert patient_sex("The registrar says he will discharge her") is None  # two people, no single sex
    assert sex_fit("male", "In premenopausal women, investigate if ...") == -1
    assert sex_fit("male", "Men and postmenopausal women should have endoscopy.") == 1
    assert sex_fit("female", "Order MRI without and with contrast.") == 0
    boost = _boost("A 66-year-old man with a lumbar mass. What next?")
    assert boost("In premenopausal women, investigate if ...") < boost("Men should be investigated ...")


def test_under_what_circumstances_asks_when_not_for_a_threshold():
    types = default_answer_types()
    assert types.classify("Under what circumstances is CT myelography justified?") != "threshold"
    assert types.classify("Under what level of eGFR is gadolinium avoided?") == "threshold"


def test_what_next_after_a_test_prefers_another_step_to_what_that_test_can_show():
    boost = _boost("The ultrasound does confirm a mass there. What should be ordered next?")
    assert boost("Ultrasound may confirm a superficial mass but cannot evaluate deep structures.") < 0
    assert boost("Ultrasound may confirm a superficial mass but cannot evaluate deep structures.") < boost(
        "Order MRI of the lumbar spine without and with contrast.")


def test_a_list_question_naming_a_sections_whole_heading_frames_that_section():
    query = READER.read([{"role": "user", "content": "Which infective causes does the guideline list for a lump?"}])
    bonus = FIT.section_bonus(query)
    assert bonus(("Guideline", "Infection")) > bonus(("Guideline", "Malignancy"))
    # the same words asked for something else than a list frame nothing more than before
    query = READER.read([{"role": "user", "content": "How is infection treated once confirmed?"}])
    assert FIT.section_bonus(query)(("Guideline", "Infection")) <= 0.2


def test_normal_observations_are_no_condition_a_sentence_shares_but_a_normal_test_is():
    shorthand = _boost("61F, palpable lump ~L3, backache x3/52, obs normal. Which scan + protocol?")
    negative = "If radiographs are obtained first and are negative, advanced imaging remains mandatory."
    reported = _boost("61F, palpable lump ~L3, backache x3/52, lumbar x-ray normal. Which scan + protocol?")
    assert shorthand(negative) < reported(negative)


def test_a_scanner_out_of_action_is_unavailable():
    assert "condition.contraindication" in VOCAB.concepts("our only MRI scanner is out of action until next month")


def test_the_categories_the_asker_already_has_yield_to_the_lists_other_categories():
    query = READER.read([{"role": "user", "content": "Apart from tumours and infection, what else could it be?"}])
    listed = frozenset({"malignancy", "infection", "other pathology"})
    bonus = FIT.section_bonus(query, had=frozenset({"malignancy", "infection"}), listed=listed)
    assert bonus(("Guide", "Other Pathology")) > 0 > bonus(("Guide", "Malignancy"))
    assert bonus(("Guide", "Imaging")) == 0  # not a category of the list


def test_an_excluded_item_is_filed_under_the_category_nearest_it_in_meaning(pipeline):
    query = pipeline.queries.read([{"role": "user", "content": "Apart from tumours and infection, what else?"}])
    # the seed's categorised list: malignancy, infection, other pathology
    assert pipeline.category_headings(pipeline.library.snapshot)[0] == ["infection", "malignancy", "other pathology"]
    had = pipeline._had_categories(query, pipeline.library.snapshot)
    assert had == {"malignancy", "infection"}


def test_and_if_that_is_normal_fits_what_the_guideline_says_to_do_when_that_test_is_negative():
    query = READER.read([{"role": "user", "content": "Protocolling an MRI for a palpable L4 mass. What to request?"},
                         {"role": "assistant", "content": "A lumbar MRI without and with IV contrast [1]."},
                         {"role": "user", "content": "and if that's normal?"}])
    boost = FIT.boost(query)
    assert boost("If imaging is negative for serious pathology, reassess clinical findings.") > boost(
        "If radiographs are obtained first and are negative, advanced imaging remains mandatory.")


def test_a_value_cue_in_a_rhetorical_clause_asks_for_no_value():
    types = default_answer_types()
    assert types.classify("Why image at all? Isn't the pre-test probability low for a lump like that?") == "rationale"
    assert types.classify("What is the probability of malignancy with a history of cancer?") == "statistic"


def test_a_result_word_the_question_uses_without_reporting_a_result_is_not_what_it_asks_about():
    boost = _boost("Our audit found several MRIs done with post-gadolinium sequences only. Does the guidance allow it?")
    reporting = _boost("The MRI found a paraspinal collection. What does the guidance say to do?")
    sentence = "Once MRI results are available, act on what they show."
    assert boost(sentence) < reporting(sentence)


def test_a_description_repeating_what_the_asker_told_yields_to_advice():
    boost = _boost("Locum at a rural clinic. 70M, left eye agonisingly painful since dinner, vomiting, rainbow haloes "
                   "round lights, cloudy cornea, pupil mid-dilated. Ambulance is two hours out. Anything I can start?")
    echo = boost("Symptoms: a painful red eye, haloes around lights, nausea and vomiting, a cloudy cornea.")
    advice = boost("While transfer is arranged, give acetazolamide 500 mg orally and a drop of pilocarpine 2%.")
    assert echo < 0 < advice
    # what such findings suggest interprets them; it is no echo
    assert boost("A painful red eye with haloes, vomiting and a cloudy cornea suggests angle closure.") >= 0


def test_findings_repeated_answer_a_question_asking_for_findings():
    boost = _boost("She has a painful red eye, haloes and vomiting. What other signs should I look for?")
    assert boost("Signs: a painful red eye, haloes, vomiting, a cloudy cornea and a mid-dilated pupil.") >= 0


def test_what_to_give_or_stop_is_a_treatment_question():
    types = default_answer_types()
    assert types.classify("Eye unit is 90 min away. What can I give before she goes?") == "treatment"
    assert types.classify("Now coarse tremor and ataxia. What do I stop?") == "treatment"
    assert types.classify("Which of his tablets should I hold?") == "treatment"
    assert types.classify("What next?") == "recommendation"



def test_a_wh_word_governing_a_listed_heading_asks_for_that_categorys_members():
    listed = frozenset({"infection", "malignancy", "other pathology"})
    assert asked_categories("What infections can present as a lump like this?", listed) == {"infection"}
    assert asked_categories("which infective diagnoses does it name, and why contrast?", listed) == {"infection"}
    # the heading's words must all be governed; a word elsewhere in the question names no category
    assert asked_categories("What else could it be? Infection seems unlikely.", listed) == frozenset()
    assert asked_categories("Which other pathology fits?", listed) == {"other pathology"}


@pytest.mark.parametrize("text, group", [
    ("Resus nurse: 70 kg adult, stridor and low BP after IV antibiotics", "adult"),
    ("Is this dose right for an adult?", "adult"),
    ("My toddler swallowed something", "child"),
    ("anaphylaxis to penicillin as a child, now 40", None),  # the patient's past, not their group
    ("guidance for adults and children alike: a child and an adult", None),
    ("58F with back pain", None),
])
def test_the_patients_group_in_words_where_no_age_is_given(text, group):
    assert patient_group(text) == group


def test_an_error_from_a_pitfalls_list_is_quoted_under_its_heading_never_bare(embedder):
    from rag.synthesize import ExtractiveComposer, SentenceVectors
    from rag.types import Chunk, ScoredChunk, Sentence

    def passage(i: int, heading: str, text: str) -> ScoredChunk:
        return ScoredChunk(chunk=Chunk(id=f"c{i}", document_id="d", version=1, title="Torsion",
                                       section=("Torsion", heading), text=text, start=0, end=len(text), refs=(),
                                       sentences=(Sentence(text=text, start=0, end=len(text)),), ordinal=i), score=1.0)
    passages = [passage(0, "Common pitfalls", "Giving antibiotics for epididymitis to a boy with sudden pain."),
                passage(1, "Common pitfalls", "Do not delay exploration for an ultrasound."),
                passage(2, "Surgery", "Explore the scrotum at once.")]
    composer = ExtractiveComposer(SentenceVectors(embedder.encode), lists_errors=default_answer_types().lists_errors)
    question = "sudden pain: antibiotics for epididymitis, or exploration?"
    texts = [composer.compose(question, embedder.encode_query(question), [p]).sentences[0].text for p in passages]
    # an item that says what to do, and a sentence under another heading, are quoted as written
    assert texts == ["Common pitfalls: giving antibiotics for epididymitis to a boy with sudden pain.",
                     "Do not delay exploration for an ultrasound.", "Explore the scrotum at once."]


def test_a_sentence_giving_the_asked_value_wins_a_tie_for_the_next_place_but_not_the_first():
    from rag.synthesize import VALUE_TIE, _Candidate, _value_breaks_ties

    def cand(score, text):
        return _Candidate(score, 0, 0, text, set(text.lower().split()))
    lead = cand(1.38, "Return to activity gradually over 2 to 4 weeks.")
    shares = cand(0.766, "Check serum sodium: exercise-associated hyponatraemia can mimic it.")
    gives = cand(0.766 - VALUE_TIE / 2, "Avoid exercise for at least 7 days after discharge.")
    far = cand(0.766 - 2 * VALUE_TIE, "Avoid exercise for at least 7 days after discharge.")
    has_days = lambda c: "days" in c.text or "weeks" in c.text  # noqa: E731
    assert _value_breaks_ties([lead, shares, gives], has_days) == [lead, gives, shares]
    assert _value_breaks_ties([lead, shares, far], has_days) == [lead, shares, far]  # not a tie
    # the best sentence keeps its place whatever it gives
    assert _value_breaks_ties([shares, gives], has_days)[0] is shares


def test_what_a_document_says_about_itself_yields_unless_the_question_is_about_the_document():
    boost = _boost("34F, amitriptyline overdose, QRS 128 ms. What dose of bicarbonate would I give?")
    coverage = "Covers adults aged 16 and over who have taken an overdose, seen in the emergency department."
    advice = "Give intravenous sodium bicarbonate for a QRS over 100 ms."
    assert boost(coverage) < 0 < boost(advice) + 0.3
    assert boost("This guidance covers adults aged 16 and over.") < boost(advice)
    assert _boost("Does this guidance cover adults who took an overdose?")(coverage) >= 0
    # the bibliographic line, as a Markdown guideline writes it under its title
    query = READER.read([{"role": "user",
                          "content": "Sickle crisis, sats 97% on air. Is oxygen what the guidance says?"}])
    passage = ScoredChunk(chunk=Chunk(
        id="c", document_id="d", version=1, title="Sickle cell crisis", section=(), start=0, end=1, refs=(), ordinal=0,
        text="Source: Haemoglobinopathy Network. Acute painful crisis in adults. Br J Haematol. 2023.\nGive oxygen "
             "only if the oxygen saturation is below 95% on air.", sentences=()), score=1.0)
    boost = FIT.boost(query, [passage])
    oxygen = "Give oxygen only if the oxygen saturation is below 95% on air."
    assert boost("Acute painful crisis in adults.") < 0 <= boost(oxygen)
    assert FIT.boost(READER.read([{"role": "user", "content": "Which journal is that from?"}]), [passage])(
        "Br J Haematol.") >= 0


# the fit as the pipeline builds it, reading what a question denies
FIT_READING_DENIALS = SentenceFit(VOCAB, default_answer_types(), ScopePolicy(0.5, 0.4).concepts, ENGINE.negated)
RESULTS_HEADING = ("Guideline", "Follow-Up Based on Imaging Results")


def test_a_result_the_question_denies_frames_no_results_heading_and_one_it_supposes_does():
    denied = FIT_READING_DENIALS.section_bonus(READER.read([{"role": "user", "content": (
        "Home visit, just my bag, no bloods or imaging tonight. Lump at L3. What should my examination cover?")}]))
    supposed = FIT_READING_DENIALS.section_bonus(READER.read([{"role": "user", "content": (
        "If the scan shows it is an infection, what will the doctors do?")}]))
    assert denied(RESULTS_HEADING) == 0 < supposed(RESULTS_HEADING)


def test_a_normal_blood_test_or_examination_is_no_condition_a_sentence_shares():
    for said in ("The patient has normal renal function.", "His neuro exam is normal; why insist on advanced imaging?"):
        boost = FIT_READING_DENIALS.boost(READER.read([{"role": "user", "content": (
            f"Palpable paraspinal mass at L3. {said} CT instead of MRI?")}]))
        assert boost("If radiographs are obtained first and are negative, advanced imaging remains mandatory.") <= 0


def test_a_medicine_and_its_class_match_each_other_in_choosing_sentences_and_two_of_a_class_do_not():
    from rag.abbreviations import classes_mentioned, drug_classes
    from rag.synthesize import _term_matcher
    from rag.text import content_words

    def matched(question: str, sentence: str) -> set[str]:
        terms = content_words(question)
        return _term_matcher(question, terms, classes_mentioned)(sentence, content_words(sentence))

    # the question's medicine, the sentence's class of it
    assert "omeprazol" in matched("She takes omeprazole; keep it?", "Stop proton pump inhibitors before the test.")
    # the question's class, the sentence's medicine
    assert "opioid" in matched("Any opioids for the pain?", "Give oral morphine 5 mg every 4 hours.")
    # two members of one class are two medicines
    assert "amlodipin" not in matched("He is on amlodipine.", "Avoid verapamil in heart failure.")
    # a class is named by one of its names whole: "non-steroidal" names no steroid
    steroid = next(i for i, c in enumerate(drug_classes()) if "steroid" in c.names)
    assert steroid not in classes_mentioned("Use a non-steroidal anti-inflammatory drug.").by_name
    assert steroid in classes_mentioned("Steroids now?").by_name


def test_a_title_subject_named_before_the_asking_part_names_the_document_when_the_asking_part_names_none():
    from rag.text import content_words

    subjects = {"gout": ((frozenset(content_words("acute gout")),), frozenset(content_words("acute gout"))),
                "kd": ((frozenset(content_words("kawasaki disease")),), frozenset(content_words("kawasaki")))}
    query = READER.read([{"role": "user", "content": "Ward nurse. Man with acute gout of the big toe, in pain. "
                                                     "The chart has naproxen. Is that alright?"}])
    named, _ = ScopePolicy.named_by_title(query, subjects)
    assert named == "gout"
    # the asking part's own subject still wins over one named before it
    query = READER.read([{"role": "user", "content": "Had acute gout last year. The rash began on Monday. Now what "
                                                     "dose of aspirin for kawasaki disease?"}])
    assert ScopePolicy.named_by_title(query, subjects)[0] == "kd"


def test_a_value_of_shorthand_the_documents_write_out_in_full_is_theirs_to_give():
    from rag.text import content_words

    idf = dict.fromkeys(content_words("Give carbimazole 40 mg as a loading dose, then 20 mg every 6 hours."), 3.0)
    asked = [{"role": "user", "content": "Never prescribed CBZ before - what is the loading dose?"}]
    policy = ScopePolicy(0.5, 0.4)
    # read as nothing the documents name, it cannot be answered from them
    assert policy._unnamed(READER.read(asked), idf) == "CBZ"
    # read as what the documents call it, it can
    spelled = READER.read(asked, written_out=lambda text: [("CBZ", "carbimazole")] if "CBZ" in text else [])
    assert spelled.read_as == (("CBZ", "carbimazole"),)
    assert policy._unnamed(spelled, idf) is None


def test_a_heading_giving_a_threshold_the_patients_stated_measurement_meets_fits_the_sentences_under_it():
    query = READER.read([{"role": "user", "content": "Ward call: potassium this morning 6.9, ECG unchanged. Plan?"}])
    assert ("word:potassium", 6.9) in query.measured  # a time between a measurement's name and its value
    boost = FIT.boost(query)
    advice = "Give calcium gluconate and insulin with glucose, and repeat the level in 1 hour."
    assert boost(advice, False, "Potassium above 6.5") > boost(advice, False, "") > boost(advice, False,
                                                                                       "Potassium below 6.0")


def test_a_sentence_that_points_back_with_a_pronoun_is_quoted_after_the_sentence_it_points_to(embedder):
    from rag.synthesize import ExtractiveComposer, SentenceVectors
    from rag.types import Sentence

    first = "Intravenous iron sucrose is given as 200 mg doses over 10 minutes."
    second = "It is the preferred route when oral iron has failed after 3 months or cannot be absorbed."
    other = "Oral ferrous sulfate 200 mg once daily is the first treatment for most adults."
    text = f"{first} {second}"
    chunk = Chunk(id="c0", document_id="d", version=1, title="Iron deficiency", section=("Iron deficiency", "Iron"),
                  text=text, start=0, end=len(text), refs=(), ordinal=0,
                  sentences=(Sentence(text=first, start=0, end=len(first)),
                             Sentence(text=second, start=len(first) + 1, end=len(text))))
    chunk2 = Chunk(id="c1", document_id="d", version=1, title="Iron deficiency", section=("Iron deficiency", "Iron"),
                   text=other, start=0, end=len(other), refs=(), ordinal=1,
                   sentences=(Sentence(text=other, start=0, end=len(other)),))
    question = "Tablets failed after three months and she can't absorb them - what's the preferred route now?"
    composer = ExtractiveComposer(SentenceVectors(embedder.encode), max_sentences=2)
    draft = composer.compose(question, embedder.encode_query(question),
                             [ScoredChunk(chunk=chunk, score=1.0), ScoredChunk(chunk=chunk2, score=0.9)])
    texts = [s.text for s in draft.sentences]
    assert second in texts and texts.index(first) == texts.index(second) - 1


def test_a_guideline_called_by_a_rare_word_of_its_title_is_the_one_named():
    from rag.text import content_words

    subjects = {"bites": ((frozenset(content_words("mammalian bite wounds")),),
                          frozenset(content_words("mammalian bite wounds"))),
                "mallet": ((frozenset(content_words("mallet finger")),), frozenset(content_words("mallet finger")))}
    query = READER.read([{"role": "user", "content": "Cut over the knuckle after a punch, can't straighten the finger. "
                                                     "What does the bite guidance say?"}])
    assert ScopePolicy.named_by_title(query, subjects)[0] == "bites"
    # a word two titles share names neither
    subjects["dog"] = ((frozenset(content_words("dog bite prevention")),), frozenset(content_words("dog bite")))
    assert ScopePolicy.named_by_title(query, subjects)[0] is None


def test_sentences_that_lead_whatever_their_score_leave_the_rest_its_usual_window():
    import numpy as np

    from rag.synthesize import ExtractiveComposer, SentenceVectors
    from rag.types import Chunk, ScoredChunk, Sentence

    # meanings set by hand: the two leads are far from the question, the best sentence is on it, and a second one
    # is as far below the best as a second sentence may be (within SECOND_WINDOW, beyond the later sentences' 0.45)
    lead_1, lead_2 = "The first lead sentence, far off.", "The second lead sentence, far off."
    best, second = "The sentence that answers it best.", "The sentence that answers it next."
    meaning = {lead_1: [0.0, 1.0, 0.0], lead_2: [0.0, 0.0, 1.0], best: [1.0, 0.0, 0.0], second: [0.45, 0.0, 0.0]}

    def encode(texts):
        return np.array([meaning[t] for t in texts], dtype=np.float32)

    chunks = [ScoredChunk(chunk=Chunk(id=f"c{i}", document_id="d", version=1, title="Title.", section=("Title.",),
                                      text=t, start=0, end=len(t), refs=(),
                                      sentences=(Sentence(text=t, start=0, end=len(t)),), ordinal=i), score=0.0)
              for i, t in enumerate([lead_1, lead_2, best, second])]
    composer = ExtractiveComposer(SentenceVectors(encode))
    composer._title_vectors = lambda passages: {"Title.": np.array([0.0, -1.0, 0.0], dtype=np.float32)}
    draft = composer.compose("", np.array([1.0, 0.0, 0.0], dtype=np.float32), chunks, leads=(lead_1, lead_2))
    said = [s.text for s in draft.sentences]
    assert said[:2] == [lead_1, lead_2] and best in said and second in said, said
