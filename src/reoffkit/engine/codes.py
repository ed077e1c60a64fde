"""The code lists of the case file and the engine, kept as data.

Outcome types carry the facts the counting rules need:

- ``tier``: ``pre_court``, ``first_tier``, ``community``, ``custody`` for outcomes that put a child in
  the cohort; ``informal`` (community resolution, no further action) and ``unproven`` (charged,
  admitted) for the rest.
- ``proven``: a caution or a conviction. Only proven offences are further offences in the
  official-comparable figures; ``unproven`` ones count only when a service setting says so.
- ``qualifies``: puts a child in the cohort (informal outcomes and unproven offences never do).

New outcome types appear (e.g. diversion outcomes): add a row to ``OUTCOME_TYPES``, or pass
a different table in ``CountingRules.outcome_types``; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutcomeType:
    code: str
    label: str
    tier: str
    synonyms: tuple[str, ...] = ()

    @property
    def qualifies(self) -> bool:
        return self.tier in TIER_RANK

    @property
    def proven(self) -> bool:
        return self.tier in TIER_RANK


#: Same-day tie order for the index event: custody release > community sentence > first-tier
#: sentence > pre-court caution. A lower rank wins.
TIER_RANK: dict[str, int] = {"custody": 0, "community": 1, "first_tier": 2, "pre_court": 3}

TIER_LABELS: dict[str, str] = {
    "pre_court": "Pre-court",
    "first_tier": "First-tier",
    "community": "Community",
    "custody": "Custody",
    "informal": "Informal (does not enter the cohort)",
    "unproven": "Not yet proven",
}

OUTCOME_TYPES: tuple[OutcomeType, ...] = (
    OutcomeType("youth_caution", "Youth caution", "pre_court", ("caution", "caution - youth", "yc")),
    OutcomeType(
        "youth_conditional_caution",
        "Youth conditional caution",
        "pre_court",
        ("conditional caution", "ycc", "caution - youth conditional"),
    ),
    OutcomeType("reprimand", "Reprimand", "pre_court", ("police reprimand",)),
    OutcomeType("final_warning", "Final warning", "pre_court", ()),
    OutcomeType("referral_order", "Referral order", "first_tier", ("ro",)),
    OutcomeType("reparation_order", "Reparation order", "first_tier", ()),
    OutcomeType("fine", "Fine", "first_tier", ()),
    OutcomeType("conditional_discharge", "Conditional discharge", "first_tier", ("cd",)),
    OutcomeType("absolute_discharge", "Absolute discharge", "first_tier", ("ad",)),
    OutcomeType("compensation_order", "Compensation order", "first_tier", ()),
    OutcomeType("bind_over", "Bind over", "first_tier", ("bound over", "binding over", "bindover")),
    OutcomeType("deferred_sentence", "Deferred sentence", "first_tier", ()),
    OutcomeType(
        "yro",
        "Youth rehabilitation order",
        "community",
        ("youth rehabilitation order",),
    ),
    OutcomeType(
        "yro_iss",
        "Youth rehabilitation order with intensive supervision and surveillance",
        "community",
        ("yro iss", "yro with iss", "yro (iss)", "youth rehabilitation order with iss", "iss"),
    ),
    OutcomeType(
        "dto",
        "Detention and training order",
        "custody",
        ("detention and training order", "detention & training order"),
    ),
    OutcomeType("s250", "Detention under s.250 Sentencing Act 2020", "custody", ("section 250", "s.250", "s 250")),
    OutcomeType("s254", "Detention under s.254 Sentencing Act 2020", "custody", ("section 254", "s.254", "s 254")),
    OutcomeType("s258", "Detention for life under s.258 Sentencing Act 2020", "custody", ("section 258", "s.258", "s 258")),
    OutcomeType("s259", "Detention for life under s.259 Sentencing Act 2020", "custody", ("section 259", "s.259", "s 259")),
    OutcomeType("community_resolution", "Community resolution", "informal", ("cr",)),
    OutcomeType("no_further_action", "No further action", "informal", ("nfa",)),
    OutcomeType("charged", "Charged (not yet proven)", "unproven", ("charge",)),
    OutcomeType("admitted", "Admitted (not yet proven)", "unproven", ("admission",)),
)

SEXES: tuple[str, ...] = ("male", "female", "other", "not known")
ETHNICITIES: tuple[str, ...] = ("White", "Mixed", "Asian", "Black", "Other", "Not known")
ASSESSMENT_TOOLS: tuple[str, ...] = ("asset", "assetplus", "other")
LIKELIHOOD_BANDS: tuple[str, ...] = ("low", "medium", "high")
INTERVENTION_LEVELS: tuple[str, ...] = ("standard", "enhanced", "intensive")
ACTION_TRIGGERS: tuple[str, ...] = ("further_offence", "changed_circumstances", "periodic_review")
ACTION_TYPES: tuple[str, ...] = ("re_assessment", "review", "breach", "no_action")
ACTION_STATUSES: tuple[str, ...] = ("required", "pending", "completed")

#: The red / amber / green meaning of each action status. Colour is never the only signal:
#: screens and workbooks show the words as well.
ACTION_STATUS_RAG: dict[str, tuple[str, str]] = {
    "required": ("red", "Action required – not completed"),
    "pending": ("amber", "Pending"),
    "completed": ("green", "Completed"),
}

#: Scaled Approach likelihood-of-reoffending score (0–64) bands [official].
SCALED_APPROACH_BANDS: tuple[tuple[int, int, str], ...] = ((0, 14, "low"), (15, 32, "medium"), (33, 64, "high"))

#: Words accepted for a code besides the code itself (matched case-insensitively, spaces,
#: hyphens and underscores treated alike). Each list's first entry is the canonical code.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {
        "male": ("m", "boy"),
        "female": ("f", "girl"),
        "other": (),
        "not known": ("unknown", "not stated", "nk", "u"),
    },
    "ethnicity": {
        "White": ("w",),
        "Mixed": ("m", "mixed heritage", "dual heritage"),
        "Asian": ("a", "asian or asian british"),
        "Black": ("b", "black or black british"),
        "Other": ("o", "chinese or other", "chinese / other", "other ethnic group", "chinese"),
        "Not known": ("unknown", "not stated", "nk", "refused"),
    },
    "yes_no": {"yes": ("y", "true", "1"), "no": ("n", "false", "0")},
    # resettlement arrangements on release from custody: in place, sustained
    "yes_no_not_known": {"yes": ("y", "true", "1"), "no": ("n", "false", "0"), "not known": ("unknown", "nk", "not_known", "u")},
    "tool": {"asset": (), "assetplus": ("asset plus", "asset+"), "other": ()},
    "likelihood_band": {"low": ("l",), "medium": ("m", "med"), "high": ("h",)},
    "intervention_level": {"standard": (), "enhanced": (), "intensive": ()},
    "trigger": {
        "further_offence": ("further offence", "reoffence", "offence"),
        "changed_circumstances": ("changed circumstances", "change of circumstances"),
        "periodic_review": ("periodic review", "review due"),
    },
    "action": {
        "re_assessment": ("re-assessment", "reassessment", "re assess", "reassess"),
        "review": (),
        "breach": (),
        "no_action": ("no action", "none"),
    },
    "status": {
        "required": ("action required", "action required - not completed", "action required – not completed", "not completed", "red"),
        "pending": ("amber",),
        "completed": ("complete", "done", "green"),
    },
}


def outcome_type_table(outcome_types: tuple[OutcomeType, ...] = OUTCOME_TYPES) -> dict[str, OutcomeType]:
    return {t.code: t for t in outcome_types}


def normalise_word(text: str) -> str:
    """Fold case, spacing, hyphens and underscores so "Referral-Order" matches "referral_order"."""
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").replace("–", " ").split())


def lookup(vocabulary: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map every accepted word of a vocabulary (code, synonyms) to its canonical code."""
    table: dict[str, str] = {}
    for code, synonyms in vocabulary.items():
        for word in (code, *synonyms):
            table[normalise_word(word)] = code
    return table


def outcome_type_lookup(outcome_types: tuple[OutcomeType, ...] = OUTCOME_TYPES) -> dict[str, str]:
    vocabulary = {t.code: (t.label, *t.synonyms) for t in outcome_types}
    return lookup(vocabulary)
