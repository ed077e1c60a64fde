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

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType


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

#: How a child's ethnicity was recorded. Figures recorded one way are never set against figures
#: recorded the other way (a ratio never mixes them). A case file that does not say is
#: ``self_defined``, the five groups of the ``ethnicity`` column.
ETHNICITY_SCHEMES: dict[str, str] = {
    "self_defined": "Self-defined (2021 Census ethnic group, five groups)",
    "officer_observed": "Officer-observed (police identity codes, four groups)",
}
DEFAULT_ETHNICITY_SCHEME = "self_defined"
#: The groups of each scheme, besides ``Not known``. The police codes have no Mixed group.
SCHEME_GROUPS: dict[str, tuple[str, ...]] = {
    "self_defined": ("White", "Mixed", "Asian", "Black", "Other"),
    "officer_observed": ("White", "Black", "Asian", "Other"),
}


@dataclass(frozen=True)
class EthnicCategory:
    """A detailed ethnic category and the group it belongs to in its scheme."""

    code: str
    label: str
    scheme: str
    group: str
    synonyms: tuple[str, ...] = ()


#: The 19 categories of the 2021 Census of England and Wales (ONS "Ethnic group (20 categories)",
#: the twentieth being "Does not apply"), labelled as ONS labels them, in their five groups; and
#: the police officer-observed identity codes (IC1–IC6, with IC0 and IC9 for not known) in four.
#: Also accepted: the category's name after the colon ("Indian"), and the Department for
#: Education's school-census codes where one matches a single category (WBRI, AIND, ...).
ETHNIC_CATEGORIES: tuple[EthnicCategory, ...] = (
    EthnicCategory("white_british", "White: English, Welsh, Scottish, Northern Irish or British", "self_defined", "White", ("English, Welsh, Scottish, Northern Irish or British", "WBRI")),
    EthnicCategory("white_irish", "White: Irish", "self_defined", "White", ("Irish", "WIRI")),
    EthnicCategory("white_gypsy_irish_traveller", "White: Gypsy or Irish Traveller", "self_defined", "White", ("Gypsy or Irish Traveller",)),
    EthnicCategory("white_roma", "White: Roma", "self_defined", "White", ("Roma",)),
    EthnicCategory("white_other", "White: Other White", "self_defined", "White", ("Other White", "Any other White background", "WOTH")),
    EthnicCategory("mixed_white_black_caribbean", "Mixed or Multiple ethnic groups: White and Black Caribbean", "self_defined", "Mixed", ("White and Black Caribbean", "MWBC")),
    EthnicCategory("mixed_white_black_african", "Mixed or Multiple ethnic groups: White and Black African", "self_defined", "Mixed", ("White and Black African", "MWBA")),
    EthnicCategory("mixed_white_asian", "Mixed or Multiple ethnic groups: White and Asian", "self_defined", "Mixed", ("White and Asian", "MWAS")),
    EthnicCategory("mixed_other", "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", "self_defined", "Mixed", ("Other Mixed or Multiple ethnic groups", "Any other Mixed or Multiple background", "MOTH")),
    EthnicCategory("asian_indian", "Asian, Asian British or Asian Welsh: Indian", "self_defined", "Asian", ("Indian", "AIND")),
    EthnicCategory("asian_pakistani", "Asian, Asian British or Asian Welsh: Pakistani", "self_defined", "Asian", ("Pakistani", "APKN")),
    EthnicCategory("asian_bangladeshi", "Asian, Asian British or Asian Welsh: Bangladeshi", "self_defined", "Asian", ("Bangladeshi", "ABAN")),
    EthnicCategory("asian_chinese", "Asian, Asian British or Asian Welsh: Chinese", "self_defined", "Asian", ("Chinese", "CHNE")),
    EthnicCategory("asian_other", "Asian, Asian British or Asian Welsh: Other Asian", "self_defined", "Asian", ("Other Asian", "Any other Asian background", "AOTH")),
    EthnicCategory("black_african", "Black, Black British, Black Welsh, Caribbean or African: African", "self_defined", "Black", ("African", "BAFR")),
    EthnicCategory("black_caribbean", "Black, Black British, Black Welsh, Caribbean or African: Caribbean", "self_defined", "Black", ("Caribbean", "BCRB")),
    EthnicCategory("black_other", "Black, Black British, Black Welsh, Caribbean or African: Other Black", "self_defined", "Black", ("Other Black", "Any other Black, Black British or Caribbean background", "BOTH")),
    EthnicCategory("other_arab", "Other ethnic group: Arab", "self_defined", "Other", ("Arab",)),
    EthnicCategory("other_any", "Other ethnic group: Any other ethnic group", "self_defined", "Other", ("Any other ethnic group", "OOTH")),
    EthnicCategory("not_stated", "Not stated", "self_defined", "Not known", ("Refused", "Not obtained", "Prefer not to say", "REFU", "NOBT")),
    EthnicCategory("IC1", "IC1: White – North European", "officer_observed", "White"),
    EthnicCategory("IC2", "IC2: White – South European", "officer_observed", "White"),
    EthnicCategory("IC3", "IC3: Black", "officer_observed", "Black"),
    EthnicCategory("IC4", "IC4: Asian", "officer_observed", "Asian"),
    EthnicCategory("IC5", "IC5: Chinese, Japanese or other South East Asian", "officer_observed", "Other"),
    EthnicCategory("IC6", "IC6: Arab or North African", "officer_observed", "Other"),
    EthnicCategory("IC0", "IC0: Not known", "officer_observed", "Not known"),
    EthnicCategory("IC9", "IC9: Not known", "officer_observed", "Not known"),
)


def ethnic_category_table() -> dict[str, EthnicCategory]:
    return {c.code: c for c in ETHNIC_CATEGORIES}
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
    "ethnicity_scheme": {
        "self_defined": ("self defined", "self identified", "self-identified", "census"),
        "officer_observed": ("officer observed", "officer defined", "officer identified", "police"),
    },
    "ethnicity_detail": {c.code: (c.label, *c.synonyms) for c in ETHNIC_CATEGORIES},
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


@cache
def outcome_type_table(outcome_types: tuple[OutcomeType, ...] = OUTCOME_TYPES) -> Mapping[str, OutcomeType]:
    """Code → outcome type, made once per set of types (validating an outcome asks it three times,
    an import of 20,000 outcomes 60,000): read-only, as every caller shares it."""
    return MappingProxyType({t.code: t for t in outcome_types})


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
