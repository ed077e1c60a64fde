"""Persistence only. Every write goes through :mod:`reoffkit.web.tracker.actions`.

Vocabulary: a **service** is a youth justice service (YOT); a **young person** is a child known to
it; an **outcome** is one offence dealt with or alleged (the case-file meaning): the engine decides
from the outcomes which are cohort entries and which are further offences. Nothing here counts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from reoffkit.engine import codes
from reoffkit.engine.alerts import AlertSettings
from reoffkit.engine.rules import CountingRules


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Manager"
    PERFORMANCE = "performance", "Performance officer"
    BOARD = "board", "Board viewer"
    ADMINISTRATOR = "administrator", "Administrator"


def _choices(values) -> list[tuple[str, str]]:
    return [(value, value[:1].upper() + value[1:].replace("_", " ")) for value in values]


SEX_CHOICES = _choices(codes.SEXES)
ETHNICITY_CHOICES = [(value, value) for value in codes.ETHNICITIES]
ETHNICITY_SCHEME_CHOICES = list(codes.ETHNICITY_SCHEMES.items())
ETHNICITY_DETAIL_CHOICES = [(c.code, c.label) for c in codes.ETHNIC_CATEGORIES]
OUTCOME_TYPE_CHOICES = [(t.code, t.label) for t in codes.OUTCOME_TYPES]
TOOL_CHOICES = [("asset", "Asset"), ("assetplus", "AssetPlus"), ("other", "Other")]
BAND_CHOICES = _choices(codes.LIKELIHOOD_BANDS)
LEVEL_CHOICES = _choices(codes.INTERVENTION_LEVELS)
TRIGGER_CHOICES = _choices(codes.ACTION_TRIGGERS)
ACTION_CHOICES = [("re_assessment", "Re-assessment"), ("review", "Review"), ("breach", "Breach"), ("no_action", "No action")]
STATUS_CHOICES = [(code, words) for code, (_, words) in codes.ACTION_STATUS_RAG.items()]


class ChecksInPython:
    """Check constraints evaluated in Python by ``full_clean`` (Django asks the database, one query
    per constraint per record); the database still enforces them. ``python_checks`` maps each check
    constraint's name to a function of the record that is true when the record satisfies it."""

    python_checks: dict = {}

    def validate_constraints(self, exclude=None):
        failed = [
            constraint
            for constraint in self._meta.constraints
            if isinstance(constraint, models.CheckConstraint) and not self.python_checks[constraint.name](self)
        ]
        if failed:
            raise ValidationError([ValidationError(c.get_violation_error_message(), code="constraint") for c in failed])
        others = [c for c in self._meta.constraints if not isinstance(c, models.CheckConstraint)]
        if others:
            super().validate_constraints(exclude=exclude)


def _null_or(value, test) -> bool:
    return value is None or test(value)


def validate_outcome_type(value: str) -> None:
    if value not in codes.outcome_type_table():
        raise ValidationError(f"{value!r} is not an outcome type")


class Service(models.Model):
    """A youth justice service, with its counting options and alert thresholds."""

    name = models.CharField(max_length=120, unique=True)
    min_age = models.PositiveSmallIntegerField(default=10)
    max_age = models.PositiveSmallIntegerField(default=17)
    include_unproven = models.BooleanField(
        default=False, help_text="Count charged and admitted offences in live figures (official figures never do)."
    )
    include_breaches = models.BooleanField(default=False, help_text="Count breaches as further offences.")
    early_months = models.PositiveSmallIntegerField(default=3)
    prolific_threshold = models.PositiveSmallIntegerField(default=5)
    early_count = models.PositiveSmallIntegerField(default=2)
    any_time_count = models.PositiveSmallIntegerField(default=3)
    action_days = models.PositiveSmallIntegerField(default=14)
    police_check_green = models.PositiveSmallIntegerField(
        default=95, help_text="Data quality: percentage of children turning 18 in follow-up checked with the police for green."
    )
    police_check_amber = models.PositiveSmallIntegerField(default=80, help_text="… and for amber (below is red).")
    last_meeting_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by one on every change, to detect edits made meanwhile.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(min_age__lte=F("max_age")), name="service_age_range")]

    def __str__(self) -> str:
        return self.name

    def counting_rules(self) -> CountingRules:
        return CountingRules(
            min_age=self.min_age,
            max_age=self.max_age,
            include_unproven=self.include_unproven,
            include_breaches=self.include_breaches,
            early_months=self.early_months,
            prolific_threshold=self.prolific_threshold,
        )

    def alert_settings(self) -> AlertSettings:
        return AlertSettings(early_count=self.early_count, any_time_count=self.any_time_count, action_days=self.action_days)


class District(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="district_unique_in_service")]

    def __str__(self) -> str:
        return self.name


#: Roles that may hold a child's case (as ``permissions.CASE_ROLES``).
CASEWORKER_ROLES = (Role.PRACTITIONER, Role.MANAGER, Role.PERFORMANCE)


class StaffProfile(models.Model):
    """A user's role and the services whose records they may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=Role.choices)
    services = models.ManyToManyField(Service, related_name="staff", blank=True)

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class YoungPerson(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="young_people")
    local_id = models.CharField("local ID", max_length=40)
    pnc_id = models.CharField("PNC ID", max_length=20, blank=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=SEX_CHOICES)
    ethnicity = models.CharField(max_length=10, choices=ETHNICITY_CHOICES)
    # how ethnicity was recorded, and the detailed category where known (docs/case-file.md)
    ethnicity_scheme = models.CharField(max_length=20, choices=ETHNICITY_SCHEME_CHOICES, default=codes.DEFAULT_ETHNICITY_SCHEME)
    ethnicity_detail = models.CharField(max_length=40, choices=ETHNICITY_DETAIL_CHOICES, blank=True)
    looked_after = models.BooleanField(default=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="young_people")
    yot_caseload = models.BooleanField("on the YOT caseload", default=True)
    adult_offending_checked = models.BooleanField(
        "adult offending checked with the police", default=False, help_text="For a child who turns 18 in follow-up."
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="caseload",
        help_text="The practitioner who holds the child's case: a user of the service.",
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised by one on every change, to detect edits made meanwhile.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["service", "local_id"], name="young_person_local_id_unique")]
        indexes = [models.Index(fields=["service", "pnc_id"]), models.Index(fields=["service", "last_name", "date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        if self.district_id and self.district.service_id != self.service_id:
            raise ValidationError({"district": "This district belongs to another service."})
        if self.caseworker_id:
            profile = getattr(self.caseworker, "profile", None)
            if profile is None or profile.role not in CASEWORKER_ROLES or not profile.services.filter(pk=self.service_id).exists():
                raise ValidationError({"caseworker": "The caseworker must be a practitioner, manager or performance officer of this service."})


class Outcome(ChecksInPython, models.Model):
    person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="outcomes")
    offence_date = models.DateField()
    outcome_date = models.DateField(null=True, blank=True, help_text="Blank while the offence is not yet proven.")
    outcome_type = models.CharField(max_length=40, validators=[validate_outcome_type])
    release_date = models.DateField(null=True, blank=True, help_text="Custodial sentences only.")
    offence_type = models.CharField(max_length=120, blank=True)
    gravity = models.PositiveSmallIntegerField(null=True, blank=True)
    breach = models.BooleanField(default=False)
    recorded_on = models.DateField(help_text="The day the service learnt of it.")
    version = models.PositiveIntegerField(default=1, help_text="Raised by one on every change, to detect edits made meanwhile.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offence_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome_date__isnull=True) | Q(outcome_date__gte=F("offence_date")), name="outcome_after_offence"
            ),
            models.CheckConstraint(
                condition=Q(release_date__isnull=True) | Q(release_date__gte=F("outcome_date")), name="release_after_outcome"
            ),
            models.CheckConstraint(condition=Q(gravity__isnull=True) | Q(gravity__gte=1, gravity__lte=8), name="gravity_1_to_8"),
        ]

    python_checks = {
        "outcome_after_offence": lambda o: o.outcome_date is None or o.offence_date is None or o.outcome_date >= o.offence_date,
        "release_after_outcome": lambda o: o.release_date is None or o.outcome_date is None or o.release_date >= o.outcome_date,
        "gravity_1_to_8": lambda o: _null_or(o.gravity, lambda g: 1 <= g <= 8),
    }

    @property
    def outcome_type_label(self) -> str:
        known = codes.outcome_type_table().get(self.outcome_type)
        return known.label if known else self.outcome_type

    @property
    def tier(self) -> str:
        known = codes.outcome_type_table().get(self.outcome_type)
        return known.tier if known else "unknown"

    def clean(self) -> None:
        errors = {}
        tier = self.tier
        if tier == "unproven" and self.outcome_date:
            errors["outcome_date"] = "A charged or admitted offence has no outcome date until it is proven."
        if tier not in ("unproven",) and self.outcome_type and not self.outcome_date:
            errors["outcome_date"] = "Enter the date the offence was dealt with."
        if self.release_date and tier != "custody":
            errors["release_date"] = "Only a custodial sentence has a release date."
        if errors:
            raise ValidationError(errors)


class Assessment(models.Model):
    person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="assessments")
    assessment_date = models.DateField()
    tool = models.CharField(max_length=10, choices=TOOL_CHOICES)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    likelihood_band = models.CharField(max_length=10, choices=BAND_CHOICES)
    intervention_level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    version = models.PositiveIntegerField(default=1, help_text="Raised by one on every change, to detect edits made meanwhile.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment_date", "id"]

    def clean(self) -> None:
        if self.score is None:
            return
        if self.tool == "asset" and not 0 <= self.score <= 64:
            raise ValidationError({"score": "An Asset score is between 0 and 64."})
        if self.tool == "assetplus" and not 0 <= self.score <= 100:
            raise ValidationError({"score": "A YOGRS score is a percentage between 0 and 100."})


class ReviewAction(ChecksInPython, models.Model):
    """A management action agreed at review: red (required), amber (pending) or green (completed)."""

    person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="review_actions")
    raised_on = models.DateField()
    trigger = models.CharField(max_length=30, choices=TRIGGER_CHOICES)
    action = models.CharField(max_length=20, choices=ACTION_CHOICES)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="required")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="review_actions_owned"
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_actions_raised")
    due_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by one on every change, to detect edits made meanwhile.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("raised_on")), name="action_completed_after_raised"
            ),
            models.CheckConstraint(condition=Q(due_on__isnull=True) | Q(due_on__gte=F("raised_on")), name="action_due_after_raised"),
        ]

    python_checks = {
        "action_completed_after_raised": lambda a: a.completed_on is None or a.raised_on is None or a.completed_on >= a.raised_on,
        "action_due_after_raised": lambda a: a.due_on is None or a.raised_on is None or a.due_on >= a.raised_on,
    }

    @property
    def rag(self) -> str:
        return codes.ACTION_STATUS_RAG[self.status][0]

    def clean(self) -> None:
        if self.status == "completed" and not self.completed_on:
            raise ValidationError({"completed_on": "Enter the date the action was completed."})
        if self.status != "completed" and self.completed_on:
            raise ValidationError({"completed_on": "Only a completed action has a completion date."})


RESETTLEMENT_CHOICES = [("yes", "Yes"), ("no", "No"), ("not known", "Not known")]


class ResettlementRecord(models.Model):
    """Resettlement on release from custody (docs/rules.md §10, line of enquiry 7): were accommodation, education /
    training / employment and health arrangements in place at release, and sustained?"""

    outcome = models.OneToOneField("Outcome", on_delete=models.CASCADE, related_name="resettlement")
    accommodation_in_place = models.CharField(max_length=10, choices=RESETTLEMENT_CHOICES, default="not known")
    accommodation_sustained = models.CharField(max_length=10, choices=RESETTLEMENT_CHOICES, default="not known")
    ete_in_place = models.CharField("ETE in place", max_length=10, choices=RESETTLEMENT_CHOICES, default="not known")
    ete_sustained = models.CharField("ETE sustained", max_length=10, choices=RESETTLEMENT_CHOICES, default="not known")
    health_in_place = models.CharField(max_length=10, choices=RESETTLEMENT_CHOICES, default="not known")
    health_sustained = models.CharField(max_length=10, choices=RESETTLEMENT_CHOICES, default="not known")
    version = models.PositiveIntegerField(default=1, help_text="Raised by one on every change, to detect edits made meanwhile.")

    def clean(self) -> None:
        if self.outcome.tier != "custody" or not self.outcome.release_date:
            raise ValidationError("A resettlement record belongs to a custodial sentence with a release date.")


class ColumnMapping(models.Model):
    """A service's own workbook layout mapped onto the case file (see ``reoffkit.casefile.mapping``)."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="column_mapping")
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class ReferenceFigure(models.Model):
    """A published reoffending figure (national, regional, family, comparator or a service's own),
    as read by :mod:`reoffkit.reference`; one per area, cohort basis and period."""

    area = models.CharField(max_length=120)
    area_key = models.CharField(max_length=120, editable=False)
    area_type = models.CharField(max_length=20)
    cohort_basis = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    cohort_size = models.PositiveIntegerField(null=True, blank=True)
    reoffenders = models.PositiveIntegerField(null=True, blank=True)
    reoffences = models.PositiveIntegerField(null=True, blank=True)
    binary_rate = models.FloatField(null=True, blank=True)
    reoffences_per_reoffender = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now=True)
    loaded_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["cohort_basis", "area", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["area_key", "cohort_basis", "period_start", "period_end"], name="one_reference_figure_per_area_period")
        ]

    def save(self, *args, **kwargs):
        self.area_key = self.area.casefold()
        super().save(*args, **kwargs)


class AuditEvent(models.Model):
    """Append-only: who did what, when, to which records, and why (for exports).

    Written only by ``actions.audit``/``audit_many``, which chain each event to the one before
    (``seq``, ``prev_hash``, ``hash``: :mod:`reoffkit.web.tracker.auditchain`); database triggers
    refuse updates, deletes, REPLACE (SQLite) and TRUNCATE (PostgreSQL).
    """

    class Verb(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        IMPORT = "import", "Imported"
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGOUT = "logout", "Logged out"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=20, blank=True)
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verb = models.CharField(max_length=20, choices=Verb.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_ids = models.JSONField(default=list)
    summary = models.CharField(max_length=300)
    purpose = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    seq = models.BigIntegerField(null=True, db_index=True, editable=False, help_text="Position in the hash chain (1 is the first event).")
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False, help_text="SHA-256 of the previous hash and this event's content.")

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events cannot be deleted.")
