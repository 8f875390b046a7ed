"""Clinical shorthand read in the indexed documents' words: the vendored list's sense the documents use, the
team's bedside senses, the documents' own definitions, and everyday words left alone."""


from rag import abbreviations
from rag.abbreviations import Shorthand, defined_in, title_initials
from rag.typos import known_english
from tests.conftest import assert_loader_rejects

KIDNEY = ["Check potassium daily; with potassium above 6.5 mmol/L give calcium gluconate.",
          "Pulmonary embolism is excluded with a CT pulmonary angiogram.",
          "Stop nephrotoxic medicines such as NSAIDs.", "Shortness of breath may mean fluid overload.",
          "Acute kidney injury (AKI) is staged by creatinine.", "Give antibiotics for sepsis."]


def _reader(sentences=KIDNEY, reads=lambda token: False) -> Shorthand:
    return Shorthand.for_corpus(sentences, known_english, reads)


def test_shorthand_reads_as_the_sense_the_indexed_documents_use():
    read = _reader()
    assert read.long_forms("K+ 6.8, creat 190, SOB") == ["potassium", "creatinine", "shortness of breath"]
    # "PE" has three senses in the list; these documents use one
    assert read.long_forms("?PE - CTPA now") == ["pulmonary embolism", "CT pulmonary angiogram"]


def test_a_sense_no_document_uses_is_not_searched():
    read = _reader(["Give glucagon 1 mg intramuscularly."])
    assert read.long_forms("PE suspected") == []  # no sense of "PE" is in these documents


def test_shorthand_two_documents_use_in_two_senses_is_read_in_the_sense_of_the_one_the_question_is_about():
    limb = ["Check the revascularised ischaemic leg hourly for compartment syndrome.",
            "Compartment syndrome needs fasciotomy; the calf is tense and painful."]
    birth = ["Severe pre-eclampsia is ended by delivery; a caesarean section may be needed.",
             "Give magnesium sulfate for 24 hours after delivery or the last seizure."]
    read = Shorthand.for_corpus(limb + birth, known_english, lambda token: False,
                                documents=["limb"] * len(limb) + ["birth"] * len(birth))
    assert read.long_forms("Tense painful calf after revascularisation of the leg: ?CS") == ["compartment syndrome"]
    assert read.long_forms("Severe pre-eclampsia, delivered by CS, magnesium running") == ["caesarean section"]
    # nothing in the question tells the two apart: searched as typed rather than steered to one document
    assert read.long_forms("CS: what next?") == []


def test_one_letter_shorthand_is_an_ion_or_a_value_only():
    read = _reader()
    assert read.long_forms("K 5.9") == ["potassium"]
    assert read.long_forms("K+") == ["potassium"]
    assert read.long_forms("Plan K: wait") == []


def test_everyday_words_roles_and_the_documents_own_shorthand_stay_as_typed():
    read = _reader()
    assert read.long_forms("she met the GP and could not stop her sob") == []  # words, and a role kept as typed
    assert read.long_forms("pt with AKI") == []  # "AKI" is the documents' own word; "pt" names who, not what
    assert _reader(reads=lambda token: token == "SOB").long_forms("SOB") == []  # the concept layer reads it


def test_the_teams_shorthand_is_read_in_lower_case_where_its_english_word_is_rare():
    from rag.typos import rare_english

    sentences = ["Give nebulised adrenaline 0.5 mL/kg.", "Hypoglycaemia is a glucose below 4 mmol/L."]
    read = Shorthand.for_corpus(sentences, known_english, lambda token: False, rare_word=rare_english)
    # a dictionary word hardly anyone writes is the ward's shorthand; an everyday one stays a word
    assert read.long_forms("what neb do I give?") == ["nebulised"]
    assert read.long_forms("had a hypo last night") == []  # "hypo" is a word people write
    assert read.long_forms("had a HYPO last night") == ["hypoglycaemia"]


def test_the_teams_clipping_of_the_word_it_stands_for_is_read_though_the_dictionary_has_it():
    from rag.typos import rare_english

    sentences = ["Give intravenous sodium bicarbonate for a QRS over 100 ms."]
    read = Shorthand.for_corpus(sentences, known_english, lambda token: False, rare_word=rare_english)
    assert known_english("bicarb") and not rare_english("bicarb")
    assert read.long_forms("SHO says no bicarb as she isn't acidotic") == ["sodium bicarbonate"]


def test_the_documents_own_shorthand_is_read_in_plain_words_only_when_asked_whose_value():
    read = _reader(["Magnesium sulphate: give MgSO4 for eclampsia.", "Regimen: 4 g then 1 g per hour."])
    assert read.long_forms("MgSO4 regimen?") == []  # the documents' own shorthand: searched as typed
    assert read.long_forms("MgSO4 regimen?", documents_own=True) == ["magnesium sulphate"]


def test_a_document_defines_its_own_shorthand():
    assert defined_in(["Acute kidney injury (AKI) is common.", "Risk of nephrogenic systemic fibrosis (NSF)."]) == {
        "aki": "Acute kidney injury", "nsf": "nephrogenic systemic fibrosis"}
    assert defined_in(["Give it (IV) now."]) == {}  # the words before the bracket do not spell it


def test_a_guidelines_subject_goes_by_the_initials_of_its_title():
    titles = ["Acute angle-closure glaucoma in adults", "Suspected deep vein thrombosis of the leg",
              "Acute kidney injury", "Acute kidney infection"]
    initials = title_initials(titles)
    assert initials["aacg"] == "acute angle closure glaucoma" and initials["dvt"] == "deep vein thrombosis"
    assert "aki" not in initials  # two titles share the initials: they name neither
    read = Shorthand.for_corpus(["Give timolol unless the patient has asthma."], known_english,
                                lambda token: False, titles=titles)
    assert read.long_forms("AACG and asthma: timolol?") == ["acute angle closure glaucoma"]


def test_the_shorthand_file_is_strict(tmp_path, monkeypatch):
    assert_loader_rejects(monkeypatch, tmp_path, abbreviations, "SHORTHAND_FILE", abbreviations._lists, [
        ("expand: {BM: capillary blood glucose}\nkeep: [BM]\n", "both expanded and kept"),
        ("expand: {}\nexpnad: [x]\n", "unknown keys"),
        ("expand: {Valtrex: []}\n", "a list of other names"),
        ("expand: {Valtrex: [valaciclovir, 3]}\n", "a list of other names"),
        ("expand: {pred: prednisolone, pred: predicted}\n", "written twice")])


def test_a_brand_name_reads_as_the_generic_name_the_documents_use():
    read = _reader(["Avoid ibuprofen during aspirin treatment; use paracetamol.",
                    "Lithium above 2.0 mmol/L is severe toxicity."])
    assert read.long_forms("Parents ask if they can give Nurofen for his temperature") == ["ibuprofen"]
    assert read.long_forms("Li 2.1 on Priadel") == ["lithium", "lithium carbonate"]


def test_a_brand_listed_by_two_names_reads_as_the_name_the_documents_write():
    british = _reader(["Do not give an antiviral alone; valaciclovir 1 g three times daily may be added."])
    assert british.written_out("Can I give Valtrex on its own?") == [("Valtrex", "valaciclovir")]
    american = _reader(["Valacyclovir 1 g three times daily may be added to prednisone."])
    assert american.written_out("Can I give Valtrex on its own?") == [("Valtrex", "valacyclovir")]
    # both names are searched
    assert british.long_forms("Valtrex?") == ["valaciclovir valacyclovir"]
    assert _reader(["Give oral prednisolone."]).written_out("Can I give Valtrex on its own?") == []


def test_a_medicine_named_is_searched_by_the_class_the_documents_name_it_by():
    read = _reader(["Drugs that impair heat loss, such as anticholinergics and diuretics, raise the risk.",
                    "Stop NSAIDs in acute kidney injury."])
    # a brand reads as its generic name first, then as that medicine's class
    assert read.classes_of("on oxybutynin and Lasix") == ["anticholinergic antimuscarinic", "loop diuretic"]
    assert read.classes_of("took naproxen") == ["NSAID non-steroidal anti-inflammatory"]
    # a class none of whose words the documents use is not searched
    assert read.classes_of("on ramipril") == []
    assert read.long_forms("on oxybutynin") == []  # a class is not a long form


def test_a_medicine_several_documents_name_is_searched_by_its_name_alone():
    sentences = ["Give prednisolone 40 mg for arteritis.", "Prednisolone 50 mg for palsy.",
                 "Steroids do not help here.", "Drugs such as anticholinergics impair sweating.", "Oxybutynin is one."]
    read = Shorthand.for_corpus(sentences, known_english, lambda token: False,
                                documents=["gca", "palsy", "croup", "heat", "heat"])
    # the class would spread a question naming it over every document naming any steroid
    assert read.classes_of("start prednisolone now?") == []
    assert read.classes_of("on oxybutynin") == ["anticholinergic antimuscarinic"]


def test_the_drug_class_file_is_strict(tmp_path, monkeypatch):
    assert_loader_rejects(monkeypatch, tmp_path, abbreviations, "CLASSES_FILE", abbreviations.drug_classes, [
        ("klasses: []\n", "want one key"),
        ("classes:\n  - {names: [opioid]}\n", "exactly a list of names and a list of members"),
        ("classes:\n  - {words: opioid, members: [morphine]}\n", "exactly a list of names and a list of members"),
        ("classes:\n  - {names: [opioid], members: morphine}\n", "a list of members"),
        ("classes:\n  - {names: opioid, members: [morphine]}\n", "a list of names"),
        ("classes:\n  - {names: [opioid], members: [morphine sulfate]}\n", "single words"),
        ("classes:\n  - {names: ['opioid  agonist'], members: [morphine]}\n", "single spaces"),
        ("classes:\n  - {names: [], members: [morphine]}\n", "single words")])


def test_a_subject_the_documents_write_in_shorthand_is_spelled_out_even_where_it_is_searched_as_typed():
    sentences = ["Carbon monoxide (CO) poisoning causes headache, nausea and dizziness.",
                 "A standard pulse oximeter cannot tell carboxyhaemoglobin from oxyhaemoglobin in CO poisoning."]
    read = Shorthand.for_corpus(sentences, known_english, lambda token: False,
                                titles=["Bell's palsy (idiopathic facial nerve palsy) in adults"])
    question = "Sats are 99% on everyone, so it can't be CO?"
    assert read.long_forms(question) == []  # searched as the documents write it
    assert read.spelled_out(question) == ["carbon monoxide"]  # ... and still the documents' subject by name
    # a title's initials no document writes are a guess, not the subject's name
    assert read.spelled_out("Mice without IFN-γ are resistant to EAM.") == []
    assert read.spelled_out("it can't be co") == []  # lower case: a word, not the shorthand


def test_a_titles_initials_do_not_replace_a_shorthand_the_lists_know_in_another_sense():
    # "HCA" is in the vendored list; "herpeticum children adults" is only a guess from a title's words
    read = Shorthand.for_corpus(["Give aciclovir the same day.", "Admit a child who is unwell."], known_english,
                                lambda token: False, titles=["Eczema herpeticum in children and adults"])
    assert read.long_forms("HCA on the surgical ward: two pillows under his heel?") == []


def test_a_combined_tablet_is_read_as_the_opioid_it_holds():
    read = _reader(["Do not give codeine to a breastfeeding mother."])
    assert read.classes_of("the F1 has written up co-codamol 30/500") == ["codeine"]
