"""A patient's stated measurements against the thresholds the documents give: what meets a threshold fits, what misses
it is about other patients; shorthand names meet the documents' words through the vocabulary, other measurements by
the word before their value."""

import pytest

from guardrails.concepts import default_vocabulary
from rag.measures import measure_fit, measured, thresholds
from rag.query import QueryReader

V = default_vocabulary()


@pytest.mark.parametrize("text, values", [
    ("CAP with CURB-65 of 1 but her sats are 90% on air.", {"term.oxygen_saturation": 90.0}),
    ("stridor, BP 82/48, widespread hives", {"term.blood_pressure": 82.0}),  # the systolic, named first
    ("Hb 104 g/L, ferritin 11 micrograms/L, CRP normal", {"term.haemoglobin": 104.0, "word:ferritin": 11.0}),
    ("RR 32, temp 38.9, GCS 14", {"term.respiratory_rate": 32.0, "term.temperature": 38.9, "term.gcs": 14.0}),
    # ages, scores, doses and times are not measurements of the patient
    ("a 35 year old, Wells score of 1, 2 doses given 10 minutes ago", {}),
])
def test_the_measurements_a_question_states(text, values):
    assert dict(measured(text, V)) == values


@pytest.mark.parametrize("sentence, given", [
    ("consider admission when there is hypoxaemia (oxygen saturation below 92%)", ("term.oxygen_saturation", "lt", 92)),
    ("R: respiratory rate 30 per minute or more", ("term.respiratory_rate", "ge", 30)),
    ("A ferritin below 15 micrograms/L confirms iron deficiency", ("word:ferritin", "lt", 15)),
    ("GCS below 15 at 2 hours after the injury", ("term.gcs", "lt", 15)),
])
def test_the_thresholds_a_sentence_gives(sentence, given):
    assert given in thresholds(sentence, V)


def test_a_met_threshold_fits_a_missed_one_misfits_and_no_threshold_says_nothing():
    sentence = "Consider admission when there is hypoxaemia (oxygen saturation below 92%)."
    assert measure_fit(measured("sats 88% on air", V), sentence, V) == 1
    assert measure_fit(measured("sats 98% on air", V), sentence, V) == -1
    assert measure_fit(measured("sats 98% on air", V), "Amoxicillin for five days.", V) == 0
    # one of two thresholds met: "systolic below 90 or diastolic 60 or less" for 82/70
    assert measure_fit(measured("BP 82/70", V), "blood pressure low (systolic below 90 mmHg or diastolic 60 mmHg or "
                                                "less)", V) == 1


def test_a_measurement_with_its_value_is_not_searched_by_name_and_the_latest_value_counts():
    query = QueryReader().read([{"role": "user", "content": "CAP, sats 97% on air. Antibiotic?"},
                                {"role": "assistant", "content": "Amoxicillin [1]."},
                                {"role": "user", "content": "Now sats 89%. Still at home?"}])
    assert "saturation" not in query.search
    assert dict(query.measured) == {"term.oxygen_saturation": 89.0}


def test_the_time_since_onset_meets_a_window_said_of_the_onset_and_no_other():
    stated = measured("came in with symptoms that started 6 hours ago", V)
    assert dict(stated)["time:elapsed"] == 6.0
    assert measure_fit(stated, "Onset within 48 hours: offer the first option.", V) == 1
    assert measure_fit(stated, "Onset more than 48 hours ago, or unknown: do not start it yet.", V) == -1
    assert measure_fit(measured("2 days ago", V), "More than 8 hours after ingestion: start the antidote.", V) == 1
    # a deadline for a task is no window of the patient's illness
    assert measure_fit(stated, "Repeat the blood test within 48 hours.", V) == 0


def test_a_window_given_as_a_range_or_as_a_label_is_the_time_since_onset():
    stated = measured("took 20 tablets about 10 h ago, well", V)
    # a list of what to do by the time since onset labels each item with its window
    assert measure_fit(stated, "8 to 24 hours, after a large amount: start the antidote immediately.", V) == 1
    assert measure_fit(stated, "4 to 8 hours: take the level and start according to the nomogram.", V) == -1
    assert measure_fit(stated, "More than 24 hours: treat if the drug is still detectable.", V) == -1
    assert measure_fit(stated, "Between 12 and 24 hours after ingestion, repeat the level.", V) == -1
    # a span of hours inside a sentence that says nothing of onset is not a window ("over 4 hours" is a rate)
    assert measure_fit(stated, "The regimen is 150 mg/kg over 1 hour, then 50 mg/kg over 4 to 16 hours.", V) == 0


def test_a_newborns_age_in_hours_is_the_time_since_birth():
    stated = measured("baby 18 hours old and visibly yellow", V)
    assert dict(stated)["time:elapsed"] == 18.0
    assert measure_fit(stated, "Jaundice visible in the first 24 hours is pathological: measure it within 2 hours.",
                       V) == 1
    assert measure_fit(stated, "In babies who are older than 24 hours, use the meter.", V) == -1


def test_a_threshold_that_restricts_what_everyone_gets_is_advice_whether_or_not_it_is_met():
    # "give <treatment> only if <measure> is below <n>" answers "should she get it?" for the patient above it too
    for sentence in ("Give oxygen only if the oxygen saturation is below 95% on air.",
                     "Do not give oxygen unless the oxygen saturation is below 95%."):
        assert measure_fit(measured("sats 97% on air", V), sentence, V) == 0
    assert measure_fit(measured("sats 97% on air", V), "Give oxygen when the oxygen saturation is below 95%.", V) == -1
