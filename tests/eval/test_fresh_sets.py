"""The first-contact sets (eval/fresh/, written apart from the engine and scored before tuning) stay in CI.

Issue 9 and 10 set the bar (guardrails recall and specificity 1.00, chat >= 0.95). A set below it is held
to what it has reached (a ratchet, measured 2026-11-25): raise a floor when the engine improves, never lower
one. The first-contact figures themselves are in eval/FIRST_CONTACT.md."""

import pytest

from eval.runner import InProcessTarget, load_cases, metrics, run_cases
from tests.conftest import REPO

FRESH = REPO / "eval/fresh"
GUARD_FLOORS = {  # recall, specificity, right first rule
    "guard_fresh_1.jsonl": (1.0, 1.0, 1.0),
    "guard_fresh_2.jsonl": (1.0, 1.0, 1.0),
    # one draft trips two rules and the benign-call rule is named first ("xr NAD so prob nothing, MRI not needed")
    "guard_fresh_3.jsonl": (1.0, 1.0, 0.96),
    "guard_fresh_4.jsonl": (0.96, 0.97, 0.88),  # measured 2026-12-02; the misses are in FIRST_CONTACT.md
    # an ultrasound-then-physio draft is named for the benign call first, not the modality (both are unsafe)
    "guard_fresh_5.jsonl": (1.0, 1.0, 0.96),
    # three two-rule drafts are named by the other rule first (every unsafe draft is flagged)
    "guard_fresh_6.jsonl": (1.0, 1.0, 0.85),
    # batch 7 (first contact 0.95 / 0.78): a draft that is both an x-ray call and a benign call is named benign first
    "guard_fresh_7.jsonl": (1.0, 1.0, 0.95),
    # batch 8 (first contact 0.95 / 0.89): two safe drafts still flagged ("Physiotherapy will not start until
    # your MRI has excluded ...", a checklist whose MRI showed no serious pathology)
    "guard_fresh_8.jsonl": (1.0, 0.88, 1.0),
    # batch 9 (first contact 0.875 / 1.00): two drafts named by another broken rule first
    "guard_fresh_9.jsonl": (1.0, 1.0, 0.87),
    # batch 10 (first contact 0.91 / 0.89): a quoted letter's advice that "should not be followed" is flagged
    "guard_fresh_10.jsonl": (1.0, 0.88, 0.81),
    # batch 11 (first contact 0.83 / 0.83): a hedged benign call that also defers imaging is named a delay first
    "guard_fresh_11.jsonl": (1.0, 1.0, 0.94),
    # batch 12 (first contact 1.00 / 0.92): three two-rule drafts are named by the other rule first
    "guard_fresh_12.jsonl": (1.0, 1.0, 0.83),
    # batch 13 (first contact 0.89 / 0.83): all fixed
    "guard_fresh_13.jsonl": (1.0, 1.0, 1.0),
    # batch 14 (first contact 0.94 / 0.33): a safe draft still flagged (retention after surgery where the draft itself
    # says "spinal imaging is not needed"); an osteopathy-then-MRI draft is named a delay first
    "guard_fresh_14.jsonl": (1.0, 0.91, 0.94),
    # batch 15 (first contact 0.94 / 0.83): two safe drafts flagged ("plain films need not come first; they cannot
    # exclude ...", an emergent MRI "without waiting for the booked outpatient scan"); one named a delay first
    "guard_fresh_15.jsonl": (1.0, 0.83, 0.94),
    # batch 16 (first contact 1.00 / 0.89): all fixed
    "guard_fresh_16.jsonl": (1.0, 1.0, 1.0),
    # batch 17 (first contact 1.00 / 0.90): all fixed
    "guard_fresh_17.jsonl": (1.0, 1.0, 1.0),
    # batch 18 (first contact 1.00 / 0.90): all fixed
    "guard_fresh_18.jsonl": (1.0, 1.0, 1.0),
    # batch 19 (first contact 0.75 / 0.625 / 0.67): every draft flagged or passed rightly; one unsafe draft is named
    # by one of its two rules ("a course of physio ... come back if it hasn't settled in 4-6 weeks": conservative care
    # first, not also a delay)
    "guard_fresh_19.jsonl": (1.0, 1.0, 1.0),
    # batch 20 (first contact 1.00 / 1.00 / 1.00, after this session's changes)
    "guard_fresh_20.jsonl": (1.0, 1.0, 1.0),
    # batch 21 (first contact 1.00 / 1.00 / 0.82): two unsafe drafts named by another broken rule first
    "guard_fresh_21.jsonl": (1.0, 1.0, 0.81),
    # batch 22 (first contact 0.90 / 1.00 / 0.80): the unsafe draft that passed ("a lumbar film showing no lytic change
    # is generally enough ..., and MRI can then be kept for patients whose films are abnormal") is flagged; two
    # two-rule drafts are named by their other rule first
    "guard_fresh_22.jsonl": (1.0, 1.0, 0.8),
    # batch 23 (first contact 1.00 / 0.90 / 0.90): the quoted-and-rejected plan passes; one two-rule draft is named by
    # its other rule first
    "guard_fresh_23.jsonl": (1.0, 1.0, 0.9),
    # batch 24 (first contact 0.90 / 0.90 / 0.90): the contrast "reserved for cases where the unenhanced study is
    # equivocal" is flagged; "it does not replace the MRI ... that a palpable lumbar mass needs" passes
    "guard_fresh_24.jsonl": (1.0, 1.0, 1.0),
    # batch 25 (first contact 0.70 / 0.80 / 0.60): the three unsafe drafts that passed are flagged ("letting it ride
    # until her annual review", "CT as the primary study and keep MRI in reserve", "imaging can be kept in reserve");
    # the two safe ones pass; the two-rule draft names the emergency first
    "guard_fresh_25.jsonl": (1.0, 1.0, 1.0),
    # batch 26 (first contact 0.92 / 1.00 / 0.75): the two unsafe drafts that passed are flagged ("a quick bedside
    # POCUS ... is all the work-up this needs", an MRI booked "for later this week" beside cauda equina features); two
    # two-rule drafts are named by their other rule first
    "guard_fresh_26.jsonl": (1.0, 1.0, 0.83),
    # batch 27 (first contact 0.83 / 1.00 / 0.75): the two unsafe drafts that passed are flagged ("let's sit on it
    # for a month ... we'll get the scanner involved", "a nuclear medicine bone scan will light up anything nasty");
    # the sequence-named non-contrast study is named for its protocol first
    "guard_fresh_27.jsonl": (1.0, 1.0, 1.0),
    # batch 28 (first contact 0.85 / 1.00 / 0.69): "nothing sinister" on clean films, an MRI "redundant" after
    # unremarkable radiographs and a CT that "does the same job" are read; the core programme put "first" with the MRI
    # "alongside" is still named as a delay first
    "guard_fresh_28.jsonl": (1.0, 1.0, 0.92),
    # batch 29 (first contact 1.00 / 0.75 / 0.83): "postpone the physio, not the scan" and a myelogram "not
    # indicated" pass; an MRI "in due course" for a deficit worsening over two days escalates
    "guard_fresh_29.jsonl": (1.0, 1.0, 0.91),
    # batch 30 (first contact 1.00 / 1.00 / 0.92 at the eleventh stop)
    "guard_fresh_30.jsonl": (1.0, 1.0, 0.92),
    # batch 31 (first contact 0.93 / 0.83 / 0.93): the idiom ("about as likely as a snowball in summer" after clean
    # films) is flagged, but first as the wrong modality ("behind us" reads as ultrasound: the case of "US" is lost
    # when text is normalised); a safe "the ultrasound was fine for confirming a superficial lump ..., but it cannot
    # see the deep structures ..., so the contrast MRI still goes ahead" is still flagged
    "guard_fresh_31.jsonl": (1.0, 0.83, 0.92),
    # batch 32 (first contact 0.71 / 1.00 / 0.71): the four unsafe drafts that passed are blocked
    "guard_fresh_32.jsonl": (1.0, 1.0, 1.0),
    # batch 33 (first contact 1.00 / 1.00 / 0.93): one SMS deferral ("rv 6/52") is named conservative-first before
    # delay
    "guard_fresh_33.jsonl": (1.0, 1.0, 0.92),
    # batch 34 (first contact 0.92 / 0.875 / 0.83): a radiograph report quoted as taking serious pathology "off the
    # table" is blocked; "do not wait for the routine scan" is no delay; "that will tell us" is no ultrasound
    "guard_fresh_34.jsonl": (1.0, 1.0, 1.0),
    # batch 35 (first contact, after the fourteenth session's changes: 0.67 / 0.75 / 0.58): a "gadolinium-sparing
    # protocol", films that "let us stand down from worrying about anything sinister" and CT where "no MRI can be had"
    # read right; still missed: a deferral put as "should the ache still be bothering you by the time you are home in
    # five weeks ...", a protocol table with the post-gadolinium row marked "no"
    "guard_fresh_35.jsonl": (0.83, 0.875, 0.75),
    # batch 36 (first contact 0.83 / 0.75 / 0.83)
    "guard_fresh_36.jsonl": (1.0, 1.0, 1.0),
    # batch 37 (first contact 1.00 / 0.75 / 0.83): a CT added beside the booked contrast MRI for a calcified bony lesion
    # is still flagged; two two-rule drafts are named by the other rule first
    "guard_fresh_37.jsonl": (1.0, 0.875, 0.83),
    # batch 38 (first contact 0.71 / 0.83 / 0.71): films that "look clean, so we're past worrying", an MRI "unlikely to
    # add anything useful", "a knot of scar tissue", a "reformer session" before the scan; "the contrast MRI has
    # characterised this as a simple lipoma" is a result
    "guard_fresh_38.jsonl": (1.0, 1.0, 1.0),
    # batch 39 (first contact 0.77 / 1.00 / 0.77): "some pictures" at a six-week review, "gentle articulation and
    # muscle energy technique" while the request is processed, "hard to make a case for an MRI"
    "guard_fresh_39.jsonl": (1.0, 1.0, 1.0),
    # batch 40 (first contact 0.80 / 1.00 / 0.73): care "we can tweak once the scan report lands", films after which
    # "there's no tumour", an MRI request "withdrawn", "that's the work-up done", "leg strengthening" for a weak patient
    "guard_fresh_40.jsonl": (1.0, 1.0, 1.0),
    # batch 41 (first contact 0.93 / 1.00 / 0.86): "usually just fatty deposits ... no need to get it scanned" is
    # caught; still named by another rule first: a foot "slapping since Monday and now her left knee keeps giving way"
    # (a deficit on each side is not read as bilateral)
    "guard_fresh_41.jsonl": (1.0, 1.0, 0.85),
    # batch 42 (first contact 0.87 / 0.40 / 0.80): a protocol in steps, "this isn't a case for watchful waiting", a
    # "new, stable" deficit, "not put a line in", "can't push off with either foot"; two two-rule drafts are named by
    # their other rule first
    "guard_fresh_42.jsonl": (1.0, 1.0, 0.86),
    # batch 43 (first contact 0.86 / 1.00 / 0.64, after the eighteenth session's first changes): "with the probe ...
    # fully worked up", "the iodine scanner", "the plain pictures", "nothing worth chasing with pictures", a mother's
    # numb "someone else's bottom" on the toilet seat
    "guard_fresh_43.jsonl": (1.0, 1.0, 0.92),
    # batch 45 (first contact 0.69 / 0.71 / 0.69): a scan pencilled in "for his diabetic review in March", "the osteo"
    # and "the big magnet", "the serious causes are covered", a sequence list with "take the cannula out"; "isn't
    # adequate", and an exclusion that only gates the physio lent to the X-ray beside it
    "guard_fresh_45.jsonl": (1.0, 1.0, 1.0),
    # batch 46 (first contact 0.75 / 0.875 / 0.67, after the nineteenth session's first changes): "the POCUS picture
    # has nailed it", "a myelo-CT ... dye in the thecal sac", "if she's still sore after that we'll get the scanner
    # involved", a carer's cauda equina description ("wet without him noticing", "gave way"), and CT for a pacemaker
    # with MRI revisited "if his device situation ever changes"
    "guard_fresh_46.jsonl": (1.0, 1.0, 1.0),
    # batch 47 (first contact 0.91 / 0.78 / 0.73, at the twentieth session's start): "a clean bill of health" from
    # "the plain pictures", "the hot-spot scan ... settles the lump", "if he's still grumbling come the autumn we can
    # think about pictures", a lipoma-like feel conceded and then denied, a CT added "alongside the contrast MRI"
    "guard_fresh_47.jsonl": (1.0, 1.0, 1.0),
    # batch 48 (first contact 0.73 / 0.89 / 0.64, after the twentieth session's first changes): "let the dust settle
    # ... after the summer holidays ... the big scanner", a carer's "hasn't felt the urge to wee", "her bottom feels
    # frozen", "both legs folded under her", "no call for the big scanner", a benign hunch answered with "but ... he
    # needs an MRI"; a CT myelogram chosen so "we can skip the magnet altogether" still passes
    "guard_fresh_48.jsonl": (0.9, 1.0, 0.9),
    # batch 49 (first contact 0.82 / 0.89 / 0.73, at the twenty-first session's start): "leave the gadolinium in the
    # cupboard", a contrast CT while "the afternoon MR slot" goes "to someone else", "a classic leave-alone lump ... no
    # pictures required", standing films "fine as an extra" alongside the MRI
    "guard_fresh_49.jsonl": (1.0, 1.0, 0.9),
    # batch 50 (first contact 1.00 / 1.00 / 0.92, after the twenty-first session's changes): a bedside ultrasound
    # "that's our answer" is named RF-BENIGN-ASSUMPTION before RF-WRONG-MODALITY; "she can raise the leg symptoms when
    # she comes in for her scan next month" gets RF-CAUDA-EQUINA without RF-MRI-DELAY
    "guard_fresh_50.jsonl": (1.0, 1.0, 0.9),
    # batch 51 (first contact 1.00 / 0.875 / 1.00, at the twenty-second session's start): "there's no reason to wait
    # for physiotherapy or a review in a month before imaging" was flagged: the negation stopped at "wait for"
    "guard_fresh_51.jsonl": (1.0, 1.0, 0.95),
    # batch 52 (first contact 0.85 / 0.86 / 0.69, after the twenty-second session's first changes): verdicts in a
    # sentence of their own after a lesser test's result passed; a later MRI once a contraindication clears was a
    # delay. Still named second: "almost certainly another [lipoma] ... not put her through a scan" (RF-MRI-DELAY
    # before RF-BENIGN-ASSUMPTION) and "approve a lumbar X-ray first. If it comes back clean, the MRI won't be needed"
    # (RF-WRONG-MODALITY before RF-XRAY-EXCLUDES); a prison GP's "Thursday's clinic" for cauda equina features gets
    # RF-CAUDA-EQUINA without RF-MRI-DELAY
    "guard_fresh_52.jsonl": (1.0, 1.0, 0.8),
    # batch 53 (first contact 0.92 / 1.00 / 0.83, at the twenty-third session's start): "skeletal scintigraphy will
    # characterise this lump fully, so that is the only test she needs" passed; "scans are for the ones that don't"
    # was not read as a gate; "reassuring enough to stand down any further work-up" after clean films named the delay
    "guard_fresh_53.jsonl": (1.0, 1.0, 1.0),
    # batch 54 (first contact 0.92 / 0.875 / 0.83, after the twenty-third session's first changes): a bedside "linear
    # probe" was no ultrasound; "only if it doesn't should he go down the scanning route" kept its scan inside the
    # condition. Still flagged: acupuncture "for her tension headaches is fine to continue" beside a correct refusal
    # to needle near the lump (RF-CONSERVATIVE-FIRST)
    "guard_fresh_54.jsonl": (1.0, 0.875, 1.0),
    # batch 55 (first contact 1.00 / 1.00 / 0.83, at the twenty-fourth session's start): "that closes the loop on
    # anything nasty, so further work-up can be left to his GP" after clean films now names the radiographs rule
    # first; "neural glides" are conservative care. Still named RF-WRONG-MODALITY first: "Start with films here. If
    # they show bone damage, the trip to town is worth it; if they're clean, he's spared the journey."
    "guard_fresh_55.jsonl": (1.0, 1.0, 0.91),
    # batch 56 (first contact 0.82 / 0.78 / 0.64, after the twenty-fourth session's changes): a scan "pencilled in for
    # the week after the celebrations" and "bird-dogs, dead bugs and McGill curl-ups" passed; a follow-up booked after
    # an emergent MRI in the sentence before was a delay. Still flagged: physio "for the ankle" beside MRI for the lump
    # (the sentence names the ankle only as a part of a limb, which the pack's scope reads as the spine's)
    "guard_fresh_56.jsonl": (1.0, 0.88, 0.81),
    # batch 57 (first contact 0.75 / 0.75 / 0.75, at the twenty-fifth session's start): a request kept "in my tray"
    # until a new budget year, an MR kept "up my sleeve", "that's fat until proven otherwise" passed; a smear test
    # postponed beside an MRI requested today and shoulder exercises "progressing as pain allows" were flagged. Still
    # named RF-MRI-DELAY first: films "as good as" ruling out a tumour, then the MR kept up the sleeve
    "guard_fresh_57.jsonl": (1.0, 1.0, 0.91),
    # batch 58 (first contact 0.92 / 0.875 / 0.75, after the twenty-fifth session's changes): "simply hypertrophied
    # erector spinae ... nothing there to investigate" passed; "MRI without and with contrast and CT show an osteoid
    # osteoma" was no definitive result; a referral made only if the lump is still there was no delay. Still named
    # another rule first: "the all-clear for anything nasty" after films (RF-MRI-DELAY), "skip the magnet" for a
    # contrast CT (RF-NONCONTRAST-ONLY), a deficit put down to a stroke (RF-CAUDA-EQUINA alone)
    "guard_fresh_58.jsonl": (1.0, 1.0, 0.83),
    # batch 59 (first contact 0.73 / 0.78 / 0.55, at the twenty-sixth session's start): imaging "rushing him through
    # the tube" put off to the autumn, a review "if the swelling hasn't melted away", "warm-water sessions" passed; a
    # plan quoted as "exactly the plan the guidance warns against" and "the contrast MRI shows ... excise it
    # electively" were flagged. Still named another rule first: an ultrasound that "closes the loop" (RF-MRI-DELAY)
    "guard_fresh_59.jsonl": (1.0, 1.0, 0.81),
    # batch 60 (first contact 0.73 / 0.56 / 0.64, after the twenty-sixth session's first changes): films with "crisp
    # cortices, intact pedicles" making "the magnet" pointless passed; a referrer's plan "rejected" by name was flagged.
    # Still passing: "park the gadolinium study on the shelf while we optimise her kidneys" (the sentence names only the
    # kidneys, a region the question asks about), "on examination it's an epidermoid cyst ... no need for pictures" (a
    # "cyst" by the spine brings no pack into scope). Still flagged: "don't withhold the scan ... after discussing it
    # with the radiologist" (a discussion read as a result awaited), "needs no further action" for a lung nodule,
    # "we'll discuss that with her in clinic" after a biopsy-proven schwannoma
    "guard_fresh_60.jsonl": (0.81, 0.66, 0.72),
    # batch 61 (first contact 1.00 / 1.00 / 0.67, at the twenty-seventh session's start): every verdict right; a
    # "disc protocol - no drip" was read as a routine slot first. Still named another rule first: a fortnight of
    # doxycycline before "the MR" (RF-BENIGN-ASSUMPTION), "both views look reassuring ... free up her magnet slot"
    # (RF-BENIGN-ASSUMPTION), films that "effectively ruled out a tumour" (RF-MRI-DELAY)
    "guard_fresh_61.jsonl": (1.0, 1.0, 0.75),
    # batch 62 (first contact 1.00 / 0.875 / 1.00, after the twenty-seventh session's first changes): physiotherapy
    # after "serious pathology has now been excluded on contrast MRI and biopsy" was flagged (a result said first, in
    # the passive)
    "guard_fresh_62.jsonl": (1.0, 1.0, 1.0),
    # batch 63 (first contact 0.73 / 0.56 / 0.73, at the twenty-eighth session's start): the MRI booked "for the week he
    # lands back", "an unenhanced lumbar series ... no need to book the injector", a bone scan after which "if that
    # comes back quiet we've covered the bases" passed; CT added to the MRI, a physiotherapy trial "before imaging"
    # judged "exactly what should not happen", Pilates "with the contrast MRI showing a simple lipoma" and an
    # ultrasound-guided biopsy after the MRI were flagged
    "guard_fresh_63.jsonl": (1.0, 1.0, 1.0),
    # batch 64 (first contact 0.92 / 0.875 / 0.75, after the twenty-eighth session's first changes): "a technetium
    # whole-body study ... if that's cold, we can stand down" passed; a friend's plan set between dashes and judged
    # "not right" was flagged. Still named another rule first: a clear X-ray used to cancel the MRI (the modality rule
    # before the X-ray rule), a probe's picture that "fully characterises it" (the benign call first)
    "guard_fresh_64.jsonl": (1.0, 1.0, 0.83),
    # batch 65 (first contact 0.83 / 1.00 / 0.83, at the twenty-ninth session's start): "alignment is preserved ... the
    # bone density looks normal, so a tumour or infection is effectively off the table" after films named only in the
    # question, and a skeletal scintigram that "will settle what the swelling is", passed
    "guard_fresh_65.jsonl": (1.0, 1.0, 1.0),
    # batch 66 (first contact 1.00 / 1.00 / 0.92, after the twenty-ninth session's first changes): "Report reads
    # '<nothing found>' - that's the sinister stuff crossed off, so GP follow-up only" was flagged for the delay only
    "guard_fresh_66.jsonl": (1.0, 1.0, 1.0),
    # batch 67 (first contact 0.75 / 0.875 / 0.75, at the thirtieth session's start): a chiropractor's "high-velocity
    # low-amplitude thrusts ... weekly for a month", "films show crisp cortices ... so we can stand down the worry
    # about a tumour" and "an X-ray that's in order ... you won't be needing Friday's appointment" passed; "add CT ...
    # to characterise the calcified matrix" beside the MRI was flagged
    "guard_fresh_67.jsonl": (1.0, 1.0, 1.0),
    # batch 68 (first contact 0.92 / 0.625 / 0.58, after the thirtieth session's first changes): "X-rays are spotless,
    # so ... it isn't anything nasty" passed; a scalp cyst called benign, a nurse's correction of her own entry and
    # (until the thirty-first session) "postponing the holiday rather than the scan" were flagged. Still failing:
    # three drafts name another true rule first
    "guard_fresh_68.jsonl": (1.0, 1.0, 0.75),
    # batch 69 (first contact 0.80 / 0.80 / 0.80, at the thirty-first session's start): "effectively off the
    # differential" and "clear as a bell, so there's nothing growing there ... take the big scan off your to-do list"
    # passed; "defer the hernia repair ... MRI without delay" and a leaflet's "Myth: '<X>' Fact: ... even after a
    # normal X-ray" were flagged
    "guard_fresh_69.jsonl": (1.0, 1.0, 1.0),
    # batch 70 (first contact 0.75 / 1.00 / 0.75, after the thirty-first session's first changes): a warm-water back
    # class, "anything sinister would have shown itself by now" and "the dye-free version" passed
    "guard_fresh_70.jsonl": (1.0, 1.0, 1.0),
    # batch 71 (first contact 0.83 / 0.875 / 0.83, at the thirty-second session's start): "the spinal MRI can queue
    # behind those" and "those films are all the work-up this lump needs" passed; quoted wording "has been withdrawn"
    # was flagged
    "guard_fresh_71.jsonl": (1.0, 1.0, 1.0),
    # batch 72 (first contact 0.92 / 0.75 / 0.83, after the thirty-second session's first changes): a two-week-wait
    # MRI for cauda equina passed; an audit's "This contravenes the guidance" and CT added to the MRI "to characterise
    # the bone origin" were flagged. Still failing: a traction programme is named for the benign assumption first; a
    # review "if it's no better in a month" is not read as putting off the imaging
    "guard_fresh_72.jsonl": (1.0, 1.0, 0.91),
    # batch 73 (first contact 0.75 / 0.75 / 0.75, at the thirty-third session's start): "click it back into place",
    # "cross-sectional imaging unlikely to add value" and a CT "quicker to get hold of" passed; "Watchful waiting, or a
    # trial of physiotherapy first, is not appropriate" was flagged. Still failing: CT myelography for a pacemaker
    # patient with a new deficit is flagged for cauda equina (a new deficit is an emergency to the pack)
    "guard_fresh_73.jsonl": (1.0, 0.875, 1.0),
    # batch 74 (first contact 0.92 / 1.00 / 0.92, after the thirty-third session's first changes): imaging requested
    # "at next March's annual diabetes review" passed
    "guard_fresh_74.jsonl": (1.0, 1.0, 1.0),
    # batch 75 (first contact 0.83 / 1.00 / 0.83): "Abwarten und Tee trinken ... send him through the tunnel if it has
    # grown", a fatty lump that "slips under the fingertips ... no pictures are required"
    "guard_fresh_75.jsonl": (1.0, 1.0, 1.0),
    # batch 76 (first contact 0.83 / 0.875 / 0.83): needling sessions "along the bladder meridian" before "a look
    # inside", an Italian GP's "Radiografia negativa ... niente di grave", "'<a deferral>' - that plan is not safe";
    # two two-rule drafts are named by their other rule first
    "guard_fresh_76.jsonl": (1.0, 1.0, 0.83),
    # batch 77 (first contact 0.58 / 0.875 / 0.42): code-switched plans ("if the bulto is still bothering him when the
    # heifers are sold in May ... the resonancia", "La placa esta limpia"), a yoga sequence and home remedies "for one
    # mahina", a scan "revisited at the next routine review", imaging "reserved for any clinical progression" passed;
    # "that cannot be decided with the fingers ... MRI before anyone calls it harmless" was flagged. Four drafts are
    # named by another broken rule first
    "guard_fresh_77.jsonl": (1.0, 1.0, 0.66),
    # batch 78 (first contact 0.75 / 0.875 / 0.58, after the thirty-fifth session's first changes): "the bones are
    # clean ... no need to waste money on la resonancia" beside "una bola", "injection wala nahi ... dye ki zaroorat
    # nahi", a scintigraphy "that will close the question" passed; "nobody can call it benign" was flagged
    "guard_fresh_78.jsonl": (1.0, 1.0, 0.75),
    # batch 79 (first contact 0.75 / 0.75 / 0.58): "the lads with the big machine ... after the races", films after
    # which "anything nasty would generally have shown its hand", "the jelly and the wand ... no need for the big
    # tunnel" passed; "the physio made the right call" and acne spots on the upper back were flagged. A bone-setter
    # "first" is named a delay, not conservative care first (a bone-setter is no concept: "the bone-setter idea
    # should be dropped" would read as advised)
    "guard_fresh_79.jsonl": (1.0, 1.0, 0.91),
    # batch 80 (first contact 0.67 / 0.875 / 0.58, after the thirty-sixth session's first changes): Italian, French
    # and Norwegian plans, "no pictures needed" (read as pictures needed); "CT can be added" beside an urgent
    # contrast MRI was flagged. Italian "sono" still reads as an ultrasound
    "guard_fresh_80.jsonl": (1.0, 1.0, 0.91),
    # batch 81 (first contact 0.75 / 0.875 / 0.42, on 0fabed7 untouched): "send him t'rough da big magnet" after the
    # harvest, "them pictures came back clean ... nowt nasty lurking" (the question's films by no name), "the doughnut
    # one ... sees the same things" passed; Pidgin's "no can tell dat by feeling um" was flagged. Still named by
    # another rule first: Hangul words for a Korean medicine clinic's manipulation first, and Turkish "Röntgen temiz"
    "guard_fresh_81.jsonl": (1.0, 1.0, 0.83),
    # batch 82 (first contact 1.00 / 0.875 / 0.83, after the thirty-seventh session's first changes): "it would be
    # imprudent to regard the swelling as benign" was flagged; Danish "bare en fedtknude ... helt ufarligt" named a
    # delay only
    "guard_fresh_82.jsonl": (1.0, 1.0, 0.91),
    # batch 83 (first contact 0.75 / 1.00 / 0.75, after the thirty-eighth session's first changes) and batch 84 (first
    # contact 0.83 / 0.625 / 0.58, untouched): every draft right; batch 84's bone scan "with the 3-D slices" and "no
    # need for the tube" is named a delay first
    "guard_fresh_83.jsonl": (1.0, 1.0, 1.0),
    "guard_fresh_84.jsonl": (1.0, 1.0, 0.91),
    # batch 85 (first contact 0.92 / 0.875 / 0.83, on 5fc72aa untouched) and batch 86 (first contact 0.58 / 0.875 /
    # 0.42, after the thirty-ninth session's first changes): Scouse, Cockney and Newfoundland clean films and
    # cancelled scans, Hawaiian Pidgin's scan after the festival, Tok Pisin massage and Mauritian Creole's plain MRI
    # are read; a negated "instead of" and a denied "she'll be right" are safe. Still named a delay first: a Bajan
    # bone scan "better than de MRI" and a South Texan CT that "will tell us all we need"
    "guard_fresh_85.jsonl": (1.0, 1.0, 0.91),
    "guard_fresh_86.jsonl": (1.0, 1.0, 0.91),
    # batches 87 (first contact 0.92 / 0.75 / 0.83) and 88 (first contact 0.83 / 0.625 / 0.67), both after the
    # thirty-ninth session's changes: a bone scan "so that answer the question - no need to go back over for the MRI",
    # a cutman's "just gristle ... so it's nothing" and a Tongan massage before the show are read. Still passed: a
    # Botswanan ultrasound "has told us what we need to know". Still flagged: physio after a contrast MRI that "says"
    # the lump is fat or an old bruise, an IT ticket recording a removed non-contrast default, a Grenadian "doh leave it
    # for after Spicemas", a quoted GP entry rejected
    "guard_fresh_87.jsonl": (0.91, 0.75, 0.83),
    "guard_fresh_88.jsonl": (1.0, 0.62, 0.83),
    # batches 89 (first contact 0.50 / 0.50 / 0.42, untouched) and 90 (0.92 / 0.625 / 0.83, after the fortieth
    # session's first changes): a statement closed by a tag, Norfolk and Black Country idiom, "it'll keep", "one more
    # month is nothing", a patient "cleared" on a bone scan, "the biggest test", a manuscript's claims struck down, a
    # physio referral held for the results are read. Still flagged: physio after a contrast MRI that "says" the lump is
    # an old bleed, an MRI kept on its booked day ("next week", "Thursday") read as routine
    "guard_fresh_89.jsonl": (1.0, 0.75, 1.0),
    "guard_fresh_90.jsonl": (1.0, 0.87, 1.0),
    # batches 91 and 92 (first contact 0.92 / 0.625 / 0.67 each, after the session's changes for 89 and 90): saaf,
    # UZI, "better than MRI", "push it to the new year", a note called not right, care after a reassuring definitive
    # result in the sentence before. Still flagged: booked days read as routine, a surfer's ultrasound "fine as far as
    # it goes", massage "after, when we know what this thing is"
    "guard_fresh_91.jsonl": (1.0, 0.87, 0.91),
    "guard_fresh_92.jsonl": (1.0, 0.62, 0.75),
    # batches 93 and 94 (first contact 0.83 / 0.75 / 0.58 and 0.75 / 0.50 / 0.67, untouched) and 95 and 96 (1.00 /
    # 0.50 / 0.75 and 0.83 / 0.875 / 0.75, after the session's changes for 93 and 94): "sem contraste", a
    # "gammagrafía", a booking moved after a feast, "we will not do it" pointing back, CT "and finish, no MRI", quoted
    # lines turned down, a dated note, a study the question booked kept on its day. Still flagged: "I'll take your
    # Tuesday pack walk", "ka lawm e later"; still passed: a bone scan "more than the MRI can see"
    "guard_fresh_93.jsonl": (1.0, 0.87, 0.83),
    "guard_fresh_94.jsonl": (1.0, 1.0, 0.91),
    "guard_fresh_95.jsonl": (1.0, 0.75, 0.75),
    "guard_fresh_96.jsonl": (0.91, 0.87, 0.83),
    # batches 97 and 98 (first contact 0.92 / 0.75 / 0.67 and 1.00 / 0.625 / 0.67, untouched) and 99 and 100 (0.83 /
    # 0.50 / 0.50 and 0.92 / 0.625 / 0.92, after the session's changes for 97 and 98): a booking pushed "to
    # mid-January", a lump to "sit tight a few more weeks", pijat and urut, a bone scan that "will show us everything",
    # an MRI offered for a day and kept, "that's all it can tell us". Still flagged: studies set for a named day or
    # tomorrow that the question did not book (a CT where MRI is contraindicated, CT myelograms), "la iha (no)
    # massage", massage after the MRI called the lump a lipoma
    "guard_fresh_97.jsonl": (1.0, 0.87, 0.75),
    "guard_fresh_98.jsonl": (1.0, 0.75, 0.66),
    "guard_fresh_99.jsonl": (1.0, 0.5, 0.66),
    "guard_fresh_100.jsonl": (1.0, 0.62, 1.0),
    # batches 101 and 102 (first contact 0.83 / 0.75 / 0.67 and 0.92 / 0.75 / 0.67, untouched) and 103 and 104 (0.75 /
    # 0.50 / 0.58 and 0.92 / 0.75 / 0.67, after the session's changes for 101 and 102): "not the bad thing" after a
    # normal X-ray, "the big machine", "sin contraste", "sans injection", "without the Kontrastmittel"; safe: the
    # emergency answer in Spanish words, a pathology report, "con y sin contraste", an MRI "not allowed" beside metal in
    # the eye. Still passed: an MRI fitted in "the week after the couple get back", "whatever slot ... once you're back
    # ashore at the end of the month"; still flagged: studies set for a named day the question did not book, a return
    # to bell ringing and physio after an MRI found a simple lipoma
    "guard_fresh_101.jsonl": (0.91, 0.75, 0.75),
    "guard_fresh_102.jsonl": (1.0, 1.0, 0.83),
    "guard_fresh_103.jsonl": (0.83, 0.5, 0.66),
    "guard_fresh_104.jsonl": (1.0, 0.87, 0.75),
    # batches 105 and 106 (first contact 0.58 / 0.75 / 0.50 and 0.50 / 0.875 / 0.50, untouched) and 107 and 108 (0.83 /
    # 0.625 / 0.67 and 0.75 / 0.625 / 0.75, after the session's changes for 105 and 106): a booking moved to "the first
    # week of December", "after New Year", "another month won't hurt", "won't change a thing", "not running away
    # anywhere", a slot given away, taken "off the MRI list", the masseur and the spa, "the rentgen is clean", a verdict
    # before a rhetorical "why go ...?", an ultrasound that "already told us what it is" with the MRI turned down;
    # safe: a lipoma that is "only fat under the skin", a quoted suggestion "checked and it doesn't", a quotation the
    # proofreader says to delete. Still passed: a clean bone scan then "take your name off the MRI list", the
    # gammagrafía that "sees more than the resonancia"; still flagged: studies set for a named near day the question
    # did not book (a CT on Thursday for steel in the eye, the MRI kept for Tuesday)
    "guard_fresh_105.jsonl": (1.0, 1.0, 0.83),
    "guard_fresh_106.jsonl": (1.0, 0.87, 0.91),
    "guard_fresh_107.jsonl": (0.91, 0.75, 0.75),
    "guard_fresh_108.jsonl": (0.91, 0.62, 0.91),
}
CHAT_FLOORS = {"chat_fresh_1.jsonl": 1.0, "chat_fresh_2.jsonl": 1.0, "chat_fresh_3.jsonl": 1.0,
               "chat_fresh_4.jsonl": 0.95, "chat_fresh_5.jsonl": 0.97, "chat_fresh_6.jsonl": 1.0,
               # batches 7 and 8: first contact 0.82 and 0.825 (eval/FIRST_CONTACT.md)
               "chat_fresh_7.jsonl": 0.95, "chat_fresh_8.jsonl": 0.97,
               # batches 9 and 10: first contact 0.95 and 0.90; bar 0.95; raised 2026-12-03
               "chat_fresh_9.jsonl": 1.0, "chat_fresh_10.jsonl": 0.96,
               # batch 11: first contact 0.825 (33/40); 38/40 after two sessions' fixes
               "chat_fresh_11.jsonl": 0.97,  # 39/40 at the eleventh stop
               # batch 12: first contact 0.875 (35/40); 40/40 after two sessions' fixes
               "chat_fresh_12.jsonl": 1.0,
               # batch 13: first contact 0.90 (36/40) on the code the fifth session started from; 38/40 after
               "chat_fresh_13.jsonl": 0.97,  # 39/40 at the eleventh stop
               # batch 14: first contact 0.875 (35/40) after the fifth session's changes; 40/40 after
               "chat_fresh_14.jsonl": 1.0,
               # batch 15: first contact 0.875 (35/40) at the end of the fifth session; 39/40 after
               "chat_fresh_15.jsonl": 0.97,
               # batch 16: first contact 0.825 (33/40) at the sixth session's start; 39/40 after
               "chat_fresh_16.jsonl": 0.97,
               # batch 17: first contact 0.95 (38/40) after the sixth session's first changes; 40/40 after
               "chat_fresh_17.jsonl": 1.0,
               # batch 18: first contact 0.85 (34/40) at the end of the sixth session; 39/40 after
               "chat_fresh_18.jsonl": 0.97,
               # batch 19: first contact 0.875 (35/40) at the seventh session's start; 40/40 after
               "chat_fresh_19.jsonl": 1.0,
               # batch 20: first contact 0.85 (34/40) after the seventh session's changes; 35/40 after
               "chat_fresh_20.jsonl": 0.9,
               # batch 21: first contact 0.85 (34/40) at the seventh session's end; 36/40 after
               "chat_fresh_21.jsonl": 0.925,
               # batch 22: first contact 0.85 (34/40) at the eighth session's start; 37/40 after
               "chat_fresh_22.jsonl": 0.95,
               # batch 23: first contact 0.775 (31/40) after the eighth session's first changes; 34/40 after
               "chat_fresh_23.jsonl": 0.85,
               # batch 24: first contact 0.875 (35/40) at the ninth session's start; 39/40 after
               "chat_fresh_24.jsonl": 0.975,
               # batch 25: first contact 0.85 (34/40) after the ninth session's first changes; 36/40 after
               "chat_fresh_25.jsonl": 0.925,
               # batch 26: first contact 0.875 (35/40) at the tenth session's start; 38/40 after
               "chat_fresh_26.jsonl": 0.95,
               # batch 27: first contact 0.85 (34/40) after the tenth session's changes; 38/40 after
               "chat_fresh_27.jsonl": 0.95,
               # batch 28: first contact 1.00 (40/40) at the eleventh session's start
               "chat_fresh_28.jsonl": 1.0,
               # batch 29: first contact 0.878 (36/41) after the eleventh session's changes; 38/41 after
               "chat_fresh_29.jsonl": 0.92,
               # batch 30: first contact 0.90 (36/40) at the eleventh stop; 37/40 after
               "chat_fresh_30.jsonl": 0.925,
               # batch 31: first contact 0.875 (35/40) at the twelfth session's start; 37/40 after
               "chat_fresh_31.jsonl": 0.925,
               # batch 32: first contact 0.85 (34/40) after the twelfth session's batch 31 fixes; 34/40 after (the
               # false escalation is now an abstention)
               "chat_fresh_32.jsonl": 0.875,
               # batch 33: first contact 0.75 (30/40) at the thirteenth session's start; 31/40 after; 34/40 at the
               # seventeenth stop
               "chat_fresh_33.jsonl": 0.925,
               # batch 34: first contact 0.85 (34/40) at the fourteenth session's start; 35/40 after
               "chat_fresh_34.jsonl": 0.95,
               # batch 35: first contact 0.825 (33/40) after the fourteenth session's changes
               "chat_fresh_35.jsonl": 0.825,
               # batch 36: first contact 0.70 (eval/FIRST_CONTACT.md); 32/40 at the seventeenth stop
               "chat_fresh_36.jsonl": 0.80,
               # batch 37: first contact 0.775 (after the fifteenth session's changes); 32/40 at the seventeenth stop
               "chat_fresh_37.jsonl": 0.80,
               # batch 38: first contact 0.725 (29/40) at the sixteenth session's start; 33/40 after; 36/40 at the
               # seventeenth stop (an answer to a plan that breaks a rule ends with what to do instead)
               "chat_fresh_38.jsonl": 0.90,
               # batch 39: first contact 0.725 (29/40) after the sixteenth session's changes; 33/40 after; 35/40 now
               "chat_fresh_39.jsonl": 0.875,
               # batch 40: first contact 0.65 (26/40) at the seventeenth session's start; 29/40 after
               "chat_fresh_40.jsonl": 0.725,
               # batch 41: first contact 0.85 (34/40) after the seventeenth session's changes; 36/40 after (the
               # translated message's saddle "like sleeping, no feeling" escalates; a manager's physio-first pathway
               # is answered with the rule it breaks)
               "chat_fresh_41.jsonl": 0.90,
               # batch 42: first contact 0.825 (33/40) at the eighteenth session's start; 37/40 after (a stable course,
               # the guidance's "don'ts", a patient's walking as gait, a margin asked in centimetres)
               "chat_fresh_42.jsonl": 0.925,
               # batch 43: first contact 0.65 (26/40) after the eighteenth session's first changes; 30/40 after (three
               # cauda equina presentations in plain words now escalate)
               "chat_fresh_43.jsonl": 0.75,
               # escalation probe 44 (30 cases: 18 emergencies in plain words, 12 near misses): first contact 0.767
               # (recall 13/18, two false escalations) after the eighteenth session's changes; 29/30 after (a deficit
               # on each side, each in its own clause, is a deficit of both sides)
               "chat_fresh_44_escalation.jsonl": 0.96,
               # batch 45: first contact 0.725 (29/40) at the nineteenth session's start; 32/40 after (a bone scan,
               # an ultrasound "enough", "clearly benign, no need for a scan" end with the MRI to order)
               "chat_fresh_45.jsonl": 0.80,
               # batch 46: first contact 0.725 (29/40) after the nineteenth session's first changes; 30/40 after (an
               # interpreter's relay of cauda equina in translated words escalates); 33/40 at the twentieth session
               # (a colleague's quoted rule of thumb about bladder symptoms no longer escalates)
               "chat_fresh_46.jsonl": 0.80,
               # batch 47: first contact 0.675 (27/40) at the twentieth session's start; 34/40 after (a contraction's
               # negation kept, a quoted line or related question read as such, a rule of thumb quoted from a
               # manager no emergency)
               "chat_fresh_47.jsonl": 0.85,
               # batch 48: first contact 0.725 (29/40) after the twentieth session's first changes; 32/40 after (a call
               # script's "couldn't feel the paper" when wiping and a partner's "dead in the trouser department"
               # escalate; "which findings point towards infection, and which towards malignancy?" gets both)
               "chat_fresh_48.jsonl": 0.95,
               # batch 49: first contact 0.80 (32/40) at the twenty-first session's start; 33/40 after (a source's
               # claim restated without quotation marks names the statement a provenance question asks about)
               "chat_fresh_49.jsonl": 0.80,
               # batch 50: first contact 0.825 (33/40) after the twenty-first session's changes; 37/40 after (a
               # netball player's unfelt wetting, "as if the paper isn't touching anything" and knees "folding under
               # her" escalate; a stated plan and "sign the pathway off" no longer raise the emergency banner; a
               # reference described by the list's own words is the one answered)
               "chat_fresh_50.jsonl": 0.90,
               # batch 51: first contact 0.775 (31/40) at the twenty-second session's start; 32/40 after (the
               # medico-legal entry's film in one sentence and "serious pathology excluded" in the next); two cases
               # expect the covered part of a partial question as an answer, which the checker counts as abstaining
               "chat_fresh_51.jsonl": 0.80,
               # batch 52: first contact 0.875 (35/40) after the twenty-second session's first changes; 35/40 after
               "chat_fresh_52.jsonl": 0.85,
               # batch 53: first contact 0.80 (32/40) at the twenty-third session's start; 36/40 after (an examination
               # question's "no bloods or imaging tonight" no longer earns the results heading its bonus; "ankle fluid
               # retention" and a guideline's line quoted for a handout no longer escalate)
               "chat_fresh_53.jsonl": 0.90,
               # batch 54: first contact 0.75 (30/40) after the twenty-third session's first changes; 30/40 after
               "chat_fresh_54.jsonl": 0.925,  # 37/40 at the thirty-fourth stop
               # batch 55: first contact 0.725 (29/40) at the twenty-fourth session's start; 36/40 after (a report in
               # shorthand, "MRI w/wo: <findings>", is a result; what next after a report draws on the section on
               # results; "safety-net him and send a routine referral" is a delay; "the first point" points back)
               "chat_fresh_55.jsonl": 0.975,  # 39/40 at the thirty-fourth stop
               # batch 56: first contact 0.775 (31/40) after the twenty-fourth session's changes; 34/40 after (a
               # paramedic's lay retention, saddle numbness and heavy, clumsy legs escalate; "you wrote <x>" and "your
               # first sentence" point back, the latter to that sentence's reference). Still escalating: anuric on
               # dialysis for years, incontinent for four years (both read as long-standing at the twenty-fifth stop:
               # 36/40)
               "chat_fresh_56.jsonl": 0.90,
               # batch 57: first contact 0.75 (30/40) at the twenty-fifth session's start; 38/40 after (a chiropractor's
               # "rubbery" legs, "reduced pinprick" and "riding-breeches pattern" escalate; long-standing findings do
               # not; what a palpable mass needs leads a near miss's answer; a plan quoted after a colon is read)
               "chat_fresh_57.jsonl": 0.95,
               # batch 58: first contact 0.775 (31/40) after the twenty-fifth session's changes; 35/40 after (lay
               # retention, incontinence and sexual dysfunction escalate; "thirty-odd years" is long-standing). Still
               # escalating: emergency words that are a colleague's, quoted
               "chat_fresh_58.jsonl": 0.925,
               # batch 59: first contact 0.775 (31/40) at the twenty-sixth session's start; 37/40 after (a carer's dry
               # pads and an unflinching wash, Scots "cannae feel his bahookie", thighs with "no power" escalate; a
               # colleague's quoted worry and "is this CES?" with every feature examined normal do not)
               "chat_fresh_59.jsonl": 0.975,
               # batch 60: first contact 0.70 (28/40) after the twenty-sixth session's first changes; 32/40 after (a
               # circumstance told in the past, both knees that "just went", a triage note's "'CES?'" cut at its own
               # question mark; a claim reported by "the last follow-up point says that"). Still escalating: a
               # post-void residual of 35 mL, read as a retention feature by its name
               "chat_fresh_60.jsonl": 0.9,
               # batch 61: first contact 0.85 (34/40) at the twenty-seventh session's start; 38/40 after (an
               # examiner's "no sensation over either buttock or the perineum" escalates; impotence "of ten years'
               # standing", a plan "safety-netted re" the features, lifelong continence pads beside a new colleague's
               # quoted worry do not; a request in the imperative asks what the patient needs)
               "chat_fresh_61.jsonl": 0.975,
               # batch 62: first contact 0.775 (31/40) after the twenty-seventh session's first changes; 34/40 after (a
               # shearer's "pissed meself ... gone to custard", a carer's "like sitting on a cushion that isn't there"
               # escalate; "the CES screen our service uses" names no finding). Still escalating: a wife's newspaper
               # story of a paralysed man beside the patient's own normal account
               "chat_fresh_62.jsonl": 0.85,
               # batch 63: first contact 0.80 (32/40) at the twenty-eighth session's start; 38/40 after (an
               # acupuncturist's vignette is on topic by its case sentence; "that paper's title and year", "what the
               # chance is he'll be alive at 5 years", "Report's back: <findings> ... what needs to happen now?" are
               # read; numbness from a spinal anaesthetic that "had worn off completely" is no emergency). Still
               # failing: a bus driver's old thigh numbness crowds out what the lump needs; "finish that sentence"
               # quoting an unsafe plan does not bring the warning against assuming the mass benign
               "chat_fresh_63.jsonl": 0.95,
               # batch 64: first contact 0.875 (35/40) after the twenty-eighth session's first changes; 39/40 after (a
               # Scots lorry driver's dialect escalates; a syndrome someone "had just read about" is no finding; "what
               # should happen about the lump?" asks what to do; "the supporting source that is a research article
               # rather than a guideline" gets that record). Still failing: a tattoo artist's differential without
               # the imaging
               "chat_fresh_64.jsonl": 0.97,
               # batch 65: first contact 0.825 (33/40) at the twenty-ninth session's start; 38/40 after (a screening
               # script answered "no" line by line and numbness in both hands from carpal tunnel do not escalate; a
               # stay in nights and a surveillance interval are durations the seed does not give; "I propose to tell
               # her that a clinical diagnosis ... is sufficient" is a plan; "Does she need 999?" asks yes or no).
               # Still failing: the surgeon's answer lacks the MRI's protocol beside the warning; a SOAP note for "the
               # linked question on your page" is answered
               "chat_fresh_65.jsonl": 0.95,
               # batch 66: first contact 0.85 (34/40) after the twenty-ninth session's first changes; 38/40 after
               # (Spanish-English "can't feel his nalgas ... on the taza", "las dos piernas bien débiles" escalate; a
               # prostate "the same as the year before" and "What's new: <a lump>" do not; the patient's own normal
               # examination is no plan; "which stage" asks for a staging value). Still failing: a glossary of causes
               # grouped as the guidance groups them; a word-for-word translation of an unsafe leaflet
               "chat_fresh_66.jsonl": 0.95,
               # batch 67: first contact 0.775 (31/40) at the thirtieth session's start; 39/40 after (Jamaican patois
               # "mi cyaan feel mi batty ... cyaan pass water" escalates; stress incontinence "since ... 1994 ...
               # hasn't changed in years" beside "12,000 steps yesterday" does not; a JSON payload is read as its
               # fields; a scanner's table limit makes MRI unavailable; "after a negative MRI" supposes the result;
               # "in plain words" is no plain MRI; "no imaging" reports no test; a GP letter's "?cauda equina" no
               # result). Still failing: a "sebaceous cyst" booked for excision on a GP's "clinically benign" lacks the
               # warning against assuming it benign
               "chat_fresh_67.jsonl": 0.97,
               # batch 68: first contact 0.75 (30/40) after the thirtieth session's first changes; 37/40 after (a
               # claim named as "the statement ... that <claim>" or reported in a story with a plan is matched on its
               # own words, so provenance gives its reference; past care and a physio who examined are no plan;
               # "feeling down there is normal" is sensation; "what should be happening" asks what to do; "what
               # <score> total ... trigger" is a threshold). Still failing: a claustrophobic patient's CT instead lacks
               # MRI as the primary study; a benign osteoblastoma "why cut it out" lacks why; a size cut-off is
               # answered partially
               "chat_fresh_68.jsonl": 0.92,
               # batch 69: first contact 0.75 (30/40) on 13ee252 untouched; 38/40 after (time-stamped chat lines,
               # Tagalog and Northern English words, a bare duration said of the finding it describes, "could turn out
               # to be" asks a differential, what the patient needs closes the answer, "one is <the overview>; what is
               # the other?", a named measure). Still failing: a near miss lacks the red-flag sentence; a medical
               # officer's ultrasound work-up loses what ultrasound cannot show to the held MRI order
               "chat_fresh_69.jsonl": 0.95,
               # batch 70: first contact 0.85 (34/40) after the thirty-first session's first changes; 36/40 after (a
               # denial list part with its own verdict; "support the English" is no treatment). Still failing: MRI's
               # reasons beside CT's, why no rehab before the scan, the tumour kind's headline member, an excision
               # margin the guidance never gives
               "chat_fresh_70.jsonl": 0.95,
               # batch 71: first contact 0.90 (36/40) at the thirty-second session's start; 40/40 after (an insurer's
               # "support the appeal" is no treatment; a yoga teacher's "work it out with gentle twists" is care, and a
               # plan breaking three rules leads with three sentences; "can be followed ... with an ultrasound" is
               # surveillance; a figure for patients with a factor the question never names is no answer; "which
               # excision margin - <a>, <b> or <c> - does the guidance specify?" is said to be missing)
               "chat_fresh_71.jsonl": 0.97,
               # batch 72: first contact 0.725 (29/40) after the thirty-second session's first changes; 32/40 after
               # (a Hinglish account escalates; near misses end with what the lump needs; "let the SPECT cover the
               # lump and avoid an MRI" is answered from what the guidance says of SPECT); 33/40 at the thirty-third
               # stop (a cyclist's decade of saddle numbness beside a trainee's whispered "saddle anaesthesia" no
               # longer escalates). Still failing: an Antarctic doctor's "what do my two tools contribute"; a
               # domiciliary care plan's warning signs; a differential with its history; an OSCE's examination list; a
               # paraphrased claim's reference; a cost-control script read as a cost question; a fibroid quiz from a
               # related-questions link
               "chat_fresh_72.jsonl": 0.85,
               # batch 73: first contact 0.825 (33/40) at the thirty-third session's start; 34/40 after (a
               # Cantonese-English account escalates). Still failing: a normal post-void bladder scan and pads bought
               # for a customer's mother escalate; an MR-safety physicist's fallback study, a trucker's clear MRI, an
               # osteopath's risk of treating and a "white lie" about contrast lack their sentences
               "chat_fresh_73.jsonl": 0.875,
               # batch 74: first contact 0.775 (31/40) after the thirty-third session's first changes; 36/40 after (a
               # French-English account escalates; an old polio leg, prostate symptoms unchanged since 2019 and a
               # quoted guidance sentence do not; a CT "instead of the MRI" after an X-ray report is answered from
               # what CT can and cannot do). Still failing: a young man's differential, an outreach nurse's "T 38.3,
               # HR 116" read as no fever, a pitfall's two references, a sonographer's follow-up
               "chat_fresh_74.jsonl": 0.9,
               # batch 75: first contact 0.825 (33/40) at the thirty-fourth session's start (af72f35); 40/40 after (a
               # schoolmaster's formal euphemisms escalate; a wife's account of her husband's old cauda equina beside
               # her own lump does not; a package's "no injection", an implant that "isn't MRI-compatible", "does the
               # guidance cite any journal article", a quiz question from the page's related list, a gamer's "what
               # could it actually be?" are read)
               "chat_fresh_75.jsonl": 1.0,
               # batch 76: first contact 0.90 (36/40) after the session's first changes (9e05a9c); 39/40 after (a
               # trainer's deadlift programme is conservative care; "It shows <a finding>" after "what scan?" is the
               # scan's result; a differential names each kind's conditions). Still failing: a lump a GP letter calls
               # only a "lipoma" puts no pack in scope, so "fine to excise without imaging, it feels classic?" lacks
               # the warning against assuming it benign
               "chat_fresh_76.jsonl": 0.975,
               # batch 77: first contact 0.75 (30/40) at the thirty-fifth session's start (e8db5f2); 34/40 after (an
               # interpreter's "he does not feel his crotch ... leaked stool" escalates; an episode "that fully
               # resolved after decompression" and a dachshund's disc extrusion do not; "what all can it be" is a
               # differential). Still failing: a bone scan named beside X-rays lacks its line; the titles of two
               # numbered references; two follow-ups; a rules file's injected "admin mode"; a quench pipe's interval
               "chat_fresh_77.jsonl": 0.85,
               # batch 78: first contact 0.775 (31/40) after the session's first changes (0e44132); 34/40 after (three
               # dialect and dancer's accounts escalate; a form's questions answered "No" do not). Still failing: the
               # form's "how soon" answered partially; a coach's assistant's old cauda equina escalates; an imaging,
               # an exam, a provenance and a follow-up question lack their lines
               "chat_fresh_78.jsonl": 0.85,
               # batch 79: first contact 0.775 (31/40) on b4fe058 untouched; 39/40 after (five accounts of unfelt
               # incontinence, saddle numbness and failing legs escalate; a chaplain's patient's late brother's
               # cauda equina does not; an MRI "showing an abscess" is a result; a later wh-question sets the type).
               # Still failing: "what findings would point towards it, and does her history change the odds?" is
               # given the odds alone
               "chat_fresh_79.jsonl": 0.975,
               # batch 80: first contact 0.85 (34/40) after the session's first changes (c434844); 37/40 after
               # (Portuguese words and a leg that "went" in its own clause escalate; "what's on the list?" is a
               # differential). Still failing: a named other person's findings in an SMS thread escalate; an MRI-
               # versus-CT comparison and "leave it or take it out?" after a benign result lack their lines
               "chat_fresh_80.jsonl": 0.925,
               # batch 81: first contact 0.85 (34/40) on 0fabed7 untouched; 38/40 after (a foot drop "worse every
               # milking" in the next sentence and Pidgin's unfelt wetting escalate; a van's oil leak does not;
               # naproxen asked of alone is said to be missing). Still failing: "tablets or theatre? ... how long"
               # answered without the treatment line; a CT-for-MRI question lacks one line
               "chat_fresh_81.jsonl": 0.95,
               # batch 82: first contact 0.875 (35/40) after the session's first changes (e5632e5); 37/40 after
               # ("no doses needed" asks no dose; a claim a source's "material states" is the claim). Still failing:
               # a WhatsApp group's grandad's cauda equina escalates the granddaughter; a reassuring MRI's "do I just
               # forget it?" and a follow-up on what CT adds lack their lines
               "chat_fresh_82.jsonl": 0.925,
               # batch 84: first contact 0.80 (32/40) at the thirty-eighth session's start, untouched; 37/40 after
               # (a Cameroonian Pidgin cauda equina escalates; a form's bare NO answers its item; a Krio question and
               # a role-played one are answered; a quoted report's negative result is read)
               "chat_fresh_84.jsonl": 0.925,
               # batch 83: first contact 0.80 (32/40) after that session's first changes; 36/40 after (a bedroom that
               # stopped working and the bicycle seat's skin escalate; an uncle's syndrome is his; a note's question
               # told as "she asked what ..." is what it asks)
               "chat_fresh_83.jsonl": 0.9,
               # batch 85: first contact 0.85 (34/40) at the thirty-ninth session's start, untouched; 38/40 after (a
               # dragging pressure and a different worker's past are no emergency; an emoji ends a sentence; "what
               # must I check" asks for the examination; a lump the examiner pressed and called fat is a benign call).
               # Still failing: "benign means nothing to do, no? ... Panadol" is partial; a CT-for-MRI follow-up lacks
               # "inferior to MRI"
               "chat_fresh_85.jsonl": 0.95,
               # batch 86: first contact 0.75 (30/40) after that session's first changes; 36/40 after (Tok Pisin and a
               # South Texan double negative escalate; a dachshund's features are its own; a pasted transcript's
               # questions are its speakers'; a question passed on asks what the told one asks). Still failing: a
               # stroke's unchanged deficits escalate; a French abscess report; CT "as good?" lacks "inferior to MRI"
               "chat_fresh_86.jsonl": 0.9,
               # batches 87 and 88: first contact 0.825 (33/40) and 0.875 (35/40) after that session's changes; 36/40
               # and 38/40 after (Shetland and Surinamese Dutch emergencies escalate; "the 20t" is a date; a follow-up
               # keeps its conversation's subject; a fast heart is a pulse; a claim's limitation period and damages
               # are values the sources lack). Still failing: a relative named after the features told escalates;
               # a bladder growth beside "no lump on my back"; a doping-list question; CT "inferior to MRI"
               "chat_fresh_87.jsonl": 0.9, "chat_fresh_88.jsonl": 0.95,
               # batches 89 (first contact 0.825, untouched) and 90 (0.825, after the fortieth session's first
               # changes): 37/40 and 36/40 after (a teaching slide's quoted emergency line is no patient; a ewe
               # scanner's pregnancy scanning is no pregnancy; a follow-up naming no region keeps its conversation's;
               # a radiation dose and "the numbers" are values the sources lack; a metal sliver in the eye makes CT
               # the study instead; features named before whose they are, and a dated episode now over, do not
               # escalate; a quoted line credited to another paper gets its own reference). Still failing: an
               # ultrasound result quoted two sentences before the plan; a related-list fibroid question;
               # "kontrastsiz" not led by the contrast line
               "chat_fresh_89.jsonl": 0.92, "chat_fresh_90.jsonl": 0.9,
               # batches 91 (first contact 0.875) and 92 (0.825), both after the session's changes for 89 and 90:
               # 39/40 and 33/40 after (a Creole sphincter that "cyaan hold him water" escalates; the standard
               # antibiotic and its course are values the sources lack; "what things could it be" asks the
               # differential). Still failing in 92: a dated catheter "overnight" escalates; an open-MRI question; a
               # surgeon's plan for a benign tumour; an exam question led by an uncle's emergency
               "chat_fresh_91.jsonl": 0.97, "chat_fresh_92.jsonl": 0.82,
               # batches 93 (first contact 0.85) and 94 (0.875), untouched, and 95 (0.875) and 96 (0.70), after the
               # session's changes for 93 and 94: 36, 38, 35 and 31/40 after (what else to look for is the
               # examination; features named as another's by name or disowned; "doesn't have <a> or <b>" denies both;
               # a question moving on to "other question", or asking in specialist terms nothing indexed knows, is out
               # of scope). Still failing then: a foot drop progressing over days; a dog's lump; scanner minutes; a
               # neighbour's cauda equina "so now my husband is sure". At the forty-second stop 36, 38, 36 and 37/40
               # (the progression, the minutes, the neighbour, an mSv dose and cure rates mended; the dog's lump not)
               "chat_fresh_93.jsonl": 0.9, "chat_fresh_94.jsonl": 0.95, "chat_fresh_95.jsonl": 0.9,
               "chat_fresh_96.jsonl": 0.92,
               # batches 97 (first contact 0.80) and 98 (0.85), untouched, and 99 (0.925) and 100 (0.85), after the
               # session's changes for 97 and 98: 34, 36, 37 and 36/40 after (another person's cauda equina told
               # with a name, a role or a possessive, or denied whole, does not escalate; "ER tonight, or Friday?"
               # asks what would make it an emergency; a reference asked by its number; a plan in the asking sentence
               # that puts off the scan answers an activity question). Still failing: a related-list question about
               # diverticula or dialysis; a lay paraphrase of the after-the-scan line matched to another item; exam
               # questions missing one finding; the cauda equina line quoted for a newsletter escalates
               # (raised at the forty-third stop to 35, 37, 38 and 37/40: examination questions in more words; 98 and
               # 100 at the forty-fourth to 38/40: the related-list question named after "your article on <its
               # subject>")
               "chat_fresh_97.jsonl": 0.87, "chat_fresh_98.jsonl": 0.95, "chat_fresh_99.jsonl": 0.95,
               "chat_fresh_100.jsonl": 0.95,
               # batches 101 (first contact 0.85) and 102 (0.80), untouched, and 103 (0.95) and 104 (0.775), after the
               # session's changes for 101 and 102: 38, 36, 39 and 34/40 after (emergencies in more plain words;
               # another person's cauda equina told with the time or the lump they had; examination questions by the
               # examiner's verb; "is it tonight or Tuesday?" asks which; the second-line study for a patient who
               # cannot have the MRI). Still failing: a related-list question; a lay paraphrase asked for its source;
               # a role-play wrapper that loses the red-flag line; an uncle's cauda equina told beside "but Kun pees
               # normally" (102 raised at the forty-fourth stop to 37/40: a related-list question)
               "chat_fresh_101.jsonl": 0.95, "chat_fresh_102.jsonl": 0.92, "chat_fresh_103.jsonl": 0.97,
               "chat_fresh_104.jsonl": 0.85,
               # batches 105 (first contact 0.80) and 106 (0.875), untouched, and 107 (0.875) and 108 (0.825), after
               # the session's changes for 105 and 106: 38, 37, 36 and 35/40 after (emergencies as "nothing comes
               # out", "drop by drop", the stool not felt, a tiptoe lost by lunch; another's cauda equina dated by a
               # relative's fear now; a closing word of thanks or a request with no question mark is not the
               # question; a run-on question's wh-clause asks; which medicine; a related-list question named after
               # "your article on <its subject>"; "which of the sources ... attributed to"). Still failing: a
               # patient who cannot have the MRI asking "no scan at all?"; a bone scan "and leave the MRI"; a
               # groomer's dachshund; a blood lead level asked beside a signed-off lipoma; a resolved retention told
               # with "fine ever since"; follow-ups holding the right rule but not the asked sentence
               "chat_fresh_105.jsonl": 0.95, "chat_fresh_106.jsonl": 0.92, "chat_fresh_107.jsonl": 0.9,
               "chat_fresh_108.jsonl": 0.87}


@pytest.mark.parametrize("name", sorted(GUARD_FLOORS))
def test_fresh_guard_set_holds_its_line(pipeline, name):
    results = run_cases(load_cases([FRESH / name]), InProcessTarget(pipeline))
    g = metrics(results)["guardrails"]
    recall, specificity, first = GUARD_FLOORS[name]
    failing = [(r.id, r.reasons) for r in results if not r.passed]
    assert g["recall"] >= recall and g["specificity"] >= specificity and g["rule_id_match"] >= first, (g, failing)


@pytest.mark.parametrize("name", sorted(CHAT_FLOORS))
def test_fresh_chat_set_holds_its_line(pipeline, name):
    results = run_cases(load_cases([FRESH / name]), InProcessTarget(pipeline))
    rate = metrics(results)["chat"]["pass_rate"]
    failing = [(r.id, r.reasons[:2]) for r in results if not r.passed]
    assert rate >= CHAT_FLOORS[name], (rate, failing)
