"""Writes for the federation. Each is one transaction that appends its record entry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from collegium.federation.charters import (
    FIELD_BY_NAME,
    MODERATION_REASONS,
    validate_reasons,
    validate_value,
)
from collegium.federation.models import Body, Charter, CharterChange, Invitation, Member
from collegium.federation.permissions import can_change_charter, charter_authority, require
from collegium.record.services import actor_for, new_salt, record_append, salted_digest


def body_path_for(body: Body) -> str:
    prefix = body.parent.path if body.parent_id else "/"  # type: ignore[union-attr]
    return f"{prefix}{body.pk}/"


def body_place(body: Body) -> None:
    """Set path and depth from the parent (after the body has its id)."""
    body.path = body_path_for(body)
    body.depth = body.path.count("/") - 2
    Body.objects.filter(pk=body.pk).update(path=body.path, depth=body.depth)


class CharterChangeError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@transaction.atomic
def charter_change(
    *, user: Any, body: Body | None, changes: dict[str, object], reason: str
) -> CharterChange:
    """Change (or clear, with None) charter values of a body or of the federation default.

    Later a charter change needs a decision of the body; until then the board of the body
    changes it, and who did it and why is on the record.
    """
    authority = charter_authority(body)
    require(
        can_change_charter(user, body),
        f"only members of the board of {authority.name if authority else 'the congress'} "
        "may change this charter",
    )
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "say why the charter changes; the reason is kept with the change"
    clean: dict[str, int | list[str] | None] = {}
    for name, raw in changes.items():
        try:
            clean[name] = (
                validate_reasons(raw) if name == MODERATION_REASONS else validate_value(name, raw)
            )
        except ValueError as exc:
            errors[name] = getattr(exc, "message", str(exc))
    if body is None:
        for name, value in clean.items():
            # An empty list of reasons at the default means the built-in list.
            if value is None and name != MODERATION_REASONS:
                errors[name] = "the federation default cannot be empty"
    if errors:
        raise CharterChangeError(errors)

    charter, _ = Charter.objects.get_or_create(body=body)
    diff: dict[str, dict[str, int | list[str] | None]] = {}
    for name, value in clean.items():
        old = getattr(charter, name)
        if old != value:
            diff[name] = {"from": old, "to": value}
            setattr(charter, name, value)
    if not diff:
        raise CharterChangeError({"changes": "nothing differs from the charter as it is"})
    charter.save()
    salt = new_salt()
    entry = record_append(
        kind="charter.changed",
        actor=actor_for(user),
        body=body,
        data={
            "charter": body.code if body else "federation-default",
            "changes": diff,
            "reason_digest": salted_digest(salt, reason),
        },
    )
    return CharterChange.objects.create(
        charter=charter,
        body=body,
        changed_by=user,
        changes=diff,
        reason=reason,
        reason_salt=salt,
        record_index=entry.index,
    )


def invitation_link(member: Member, base_url: str = "") -> str:
    user = member.user
    assert user is not None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url + reverse("invitation", kwargs={"uidb64": uid, "token": token})


def member_account_ensure(member: Member) -> Any:
    """Give a member a login with no usable password (set through the invitation)."""
    if member.user_id:
        return member.user
    user_model = get_user_model()
    user = user_model(
        username=member.member_no,
        email=member.email,
        first_name=member.given_name,
        last_name=member.family_name,
    )
    user.set_unusable_password()
    user.save()
    member.user = user
    member.save(update_fields=["user"])
    return user


@transaction.atomic
def member_invite(*, user: Any, member: Member, base_url: str) -> Invitation:
    """Send a member the link to set their password (the operator's act, recorded)."""
    require(bool(getattr(user, "is_operator", False)), "only the operator sends invitations")
    if not member.email:
        raise ValueError(f"member {member.member_no} has no e-mail address")
    member_account_ensure(member)
    link = invitation_link(member, base_url)
    invitation = Invitation.objects.create(member=member, sent_to=member.email)
    record_append(
        kind="member.invited",
        actor=actor_for(user),
        body=member.workplace,
        data={"member": member.public_id},
    )
    transaction.on_commit(
        lambda: send_mail(
            subject=f"Your invitation to {settings.COLLEGIUM_FEDERATION_NAME}",
            message=(
                f"Hello {member.given_name},\n\nYou are a member of {member.workplace.name}. "
                f"Set your password here to take part:\n\n{link}\n\n"
                "The link works once and expires in 14 days."
            ),
            from_email=None,
            recipient_list=[member.email],
        )
    )
    return invitation


__all__ = ["FIELD_BY_NAME", "charter_change", "member_invite"]
