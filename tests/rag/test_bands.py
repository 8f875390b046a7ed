"""Score bands read from the documents' own sentences: a stated value asks for what its band says."""

from rag.bands import bands_in, implied, stated_values

OPEN = ["A score of 2 or more means the condition is likely; a score of 1 or less means the condition is unlikely."]
RANGES = ["Score 0-1: low severity, 30-day mortality below 3%; usually suitable for home treatment.",
          "Score 2: moderate severity; consider admission.", "Score 3-5: high severity; admit urgently."]


def test_open_and_closed_bands_are_read_with_the_words_that_name_their_score():
    open_bands = bands_in("d", OPEN, "Two-level Smith score")
    assert [(b.low, b.high, b.says) for b in open_bands] == [
        (2.0, float("inf"), "the condition is likely"), (float("-inf"), 1.0, "the condition is unlikely")]
    assert "smith" in open_bands[0].names
    ranges = bands_in("d", RANGES, "Severity assessment: ABC-65")
    # the band's name, not the rest of what the sentence says of it
    assert [(b.low, b.high, b.says) for b in ranges] == [(0, 1, "low severity"), (2, 2, "moderate severity"),
                                                          (3, 5, "high severity")]


def test_a_stated_value_is_read_with_its_name_and_units_are_not_scores():
    assert stated_values("Swollen calf, two-level Smith score of 0. First test?") == [(frozenset({"smith"}), 0.0)]
    assert stated_values("Swollen calf, Smith 1, marker negative.") == [(frozenset({"smith"}), 1.0)]
    assert stated_values("A 52-year-old given 1.5 mg twice, for 3 days.") == []


def test_a_value_takes_its_bands_meaning_only_from_the_score_it_names():
    bands = bands_in("d", OPEN, "Two-level Smith score") + bands_in("e", RANGES, "Severity assessment: ABC-65")
    assert implied("Smith score of 1: what first?", bands) == "the condition is unlikely"
    assert implied("ABC-65 of 4 in a 70-year-old: where to treat?", bands) == "high severity"
    assert implied("Other score of 1: what first?", bands) == ""


def test_a_stated_score_is_known_context_not_what_is_asked():
    from rag.bands import without_stated
    assert without_stated("Swollen painful calf, two-level Wells score of 1. What is the first test?") == \
        "Swollen painful calf, . What is the first test?"
    assert without_stated("What is the first test for a swollen calf?") == "What is the first test for a swollen calf?"
