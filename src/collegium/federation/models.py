"""Bodies of the federation tree, members and their categories, and charters."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce


class BodyKind(models.TextChoices):
    CONGRESS = "congress", "Congress"
    INDUSTRIAL_UNION = "industrial_union", "Industrial union"
    ENTERPRISE = "enterprise", "Enterprise"
    SHOP = "shop", "Shop"
    COMMISSION = "commission", "Commission"


# Which kind of body may sit under which: the federation is a strict tree, commissions
# hang off any body.
ALLOWED_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    BodyKind.CONGRESS: (),
    BodyKind.INDUSTRIAL_UNION: (BodyKind.CONGRESS,),
    BodyKind.ENTERPRISE: (BodyKind.INDUSTRIAL_UNION,),
    BodyKind.SHOP: (BodyKind.ENTERPRISE,),
    BodyKind.COMMISSION: (
        BodyKind.CONGRESS,
        BodyKind.INDUSTRIAL_UNION,
        BodyKind.ENTERPRISE,
        BodyKind.SHOP,
    ),
}
WORKPLACE_KINDS = (BodyKind.ENTERPRISE, BodyKind.SHOP)


class CommissionFunction(models.TextChoices):
    """What a commission is for; services find "the moderation commission of a body" by it."""

    MODERATION = "moderation", "Moderation"
    CONTROL = "control", "Control"
    PLANNING = "planning", "Planning"
    CONDITIONS = "conditions", "Conditions of labour and life"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


def new_public_id(prefix: str) -> str:
    """An opaque, stable id that can appear on the public record instead of a name."""
    return f"{prefix}_{secrets.token_hex(8)}"


class Body(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=BodyKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of ancestor ids ("/1/4/9/"), so "everything below" is one indexed
    # prefix query instead of a recursive walk.
    path = models.CharField(max_length=400, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Commissions only: what the commission does (blank for every other kind).
    function = models.CharField(max_length=20, choices=CommissionFunction.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["path"]
        verbose_name_plural = "bodies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_workplace(self) -> bool:
        return self.kind in WORKPLACE_KINDS

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class Category(models.Model):
    """A member category; the federation's configured list drives composition and quotas."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    public_id = models.CharField(max_length=24, unique=True, editable=False)
    member_no = models.CharField(max_length=40, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="members")
    workplace = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="workers")
    joined_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["family_name", "given_name", "member_no"]
        indexes: ClassVar = [models.Index(fields=["workplace", "category"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.public_id:
            self.public_id = new_public_id("m")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Charter(models.Model):
    """The rules of a body. ``body=None`` is the federation's default charter.

    A body's own row holds only what it overrides (other fields NULL); the effective
    charter is resolved up the tree by ``selectors.charter_effective``.
    """

    body = models.OneToOneField(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="charter"
    )
    board_seats = models.PositiveSmallIntegerField(null=True, blank=True)
    delegate_seats = models.PositiveSmallIntegerField(null=True, blank=True)
    max_months_away = models.PositiveSmallIntegerField(null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    term_limit = models.PositiveSmallIntegerField(null=True, blank=True)
    production_worker_quota_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    recall_threshold_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    recall_window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    recall_ballot_days = models.PositiveSmallIntegerField(null=True, blank=True)
    vacancy_countback = models.PositiveSmallIntegerField(null=True, blank=True)
    initiative_threshold_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    criticism_response_days = models.PositiveSmallIntegerField(null=True, blank=True)
    review_window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    overturn_petition_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    initiative_deadline_days = models.PositiveSmallIntegerField(null=True, blank=True)
    criticism_agenda_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    moderation_appeal_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    condition_response_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # The only reasons for which the moderation commission may hide a post (a list of
    # short texts); NULL inherits from above.
    moderation_reasons = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            # At most one federation default (body NULL): COALESCE makes NULLs collide.
            models.UniqueConstraint(
                Coalesce("body", models.Value(0)), name="one_charter_per_body_or_default"
            )
        ]

    def __str__(self) -> str:
        return f"Charter of {self.body or 'the federation'}"


class CharterChange(models.Model):
    """Who changed a charter, what and why. The reason text lives here (it may need
    erasing); the record entry holds its salted hash."""

    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="changes")
    body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="charter_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charter_changes"
    )
    changes = models.JSONField()
    reason = models.TextField()
    reason_salt = models.CharField(max_length=64)
    record_index = models.BigIntegerField()
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"change of {self.charter} (record #{self.record_index})"


class Invitation(models.Model):
    """An invitation sent to a member to set their password (one row per sending)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_to = models.EmailField()

    class Meta:
        ordering: ClassVar = ["-sent_at"]

    def __str__(self) -> str:
        return f"invitation to {self.sent_to}"
